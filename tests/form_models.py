"""Tables for the form tests: one column of every type a form edits, a model
with its own validators, markings (read-only, create-only, hasher, version),
and API models found by name."""

import enum
import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Optional, Self

from pydantic import EmailStr, field_validator, model_validator
from sqlalchemy import JSON, BigInteger, Text
from sqlmodel import Field, Relationship, SQLModel


def admin(**options: Any) -> dict[str, Any]:
    return {"info": {"admin": options}}


class Colour(enum.Enum):
    red = "R"
    green = "G"


class Gadget(SQLModel, table=True):
    """Every field type a form round-trips, and the model's own rules."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=20, min_length=2, unique=True, index=True)
    # sqlmodel's Field(regex=...) is ignored; Pydantic's pattern is the rule.
    code: str = Field(
        default="", max_length=8, schema_extra={"pattern": r"^[A-Z0-9]*$"}
    )
    count: int = Field(default=0, ge=0)
    big: int = Field(default=0, sa_type=BigInteger)
    ratio: float = 0.5
    price: Decimal = Field(default=Decimal("0"), max_digits=8, decimal_places=2)
    active: bool = True
    colour: Colour = Colour.red
    made_on: date | None = None
    opens_at: time | None = None
    seen_at: datetime | None = None
    batch: uuid.UUID | None = None
    specs: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    notes: str | None = Field(default=None, sa_type=Text)
    note_count: int | None = None
    weight: float | None = None
    cost: Decimal | None = Field(default=None, max_digits=6, decimal_places=2)
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    serial: str = Field(
        default="S-1", max_length=10, sa_column_kwargs=admin(create_only=True)
    )
    audit_tag: str = Field(
        default="auto", max_length=10, sa_column_kwargs=admin(read_only=True)
    )

    @field_validator("name")
    @classmethod
    def _no_shouting(cls, value: str) -> str:
        if value.isupper():
            raise ValueError("Please don't shout")
        return value

    @model_validator(mode="after")
    def _cost_within_price(self) -> Self:
        if self.cost is not None and self.cost > self.price:
            raise ValueError("Cost cannot exceed the price")
        return self


class Shelf(SQLModel, table=True):
    """A parent whose children a form must never touch, and a version column."""

    id: int | None = Field(default=None, primary_key=True)
    label: str = Field(max_length=40, unique=True)
    version: int = Field(default=1, sa_column_kwargs=admin(version=True))

    boxes: list["Box"] = Relationship(back_populates="shelf")


class Box(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    label: str = Field(max_length=40)
    shelf_id: int = Field(foreign_key="shelf.id", index=True)

    shelf: Optional["Shelf"] = Relationship(back_populates="boxes")


def hash_for_tests(password: str) -> str:
    if len(password) < 6:
        raise ValueError("Use at least 6 characters")
    return "hashed:" + password[::-1]


class Account(SQLModel, table=True):
    """Passwords through API models (create/update) and a marked hasher."""

    id: int | None = Field(default=None, primary_key=True)
    email: EmailStr = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(max_length=60)
    password_hash: str = Field(
        max_length=200,
        sa_column_kwargs=admin(hasher="tests.form_models:hash_for_tests"),
    )
    is_admin: bool = False


class AccountCreate(SQLModel):
    email: EmailStr
    display_name: str = Field(min_length=1, max_length=60)
    password: str = Field(min_length=8)


class AccountUpdate(SQLModel):
    email: EmailStr | None = None
    display_name: str | None = Field(default=None, min_length=1, max_length=60)
    password: str | None = Field(default=None, min_length=8)


class Locker(SQLModel, table=True):
    """No API models: the marked hash column gets a "set new password" input."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40)
    secret_hash: str = Field(
        default="",
        max_length=200,
        sa_column_kwargs=admin(hasher="tests.form_models:hash_for_tests"),
    )
