"""A models module as a user might write it, covering what discovery must handle:
UUID keys, a composite-key link table, an association object with an extra
column, Optional fields, EmailStr, an enum, Decimal, aware datetimes and JSON."""

import enum
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Optional

from pydantic import EmailStr
from sqlalchemy import JSON, Text
from sqlmodel import Field, Relationship, SQLModel


class Tier(enum.StrEnum):
    free = "free"
    pro = "pro"


class ClubTagLink(SQLModel, table=True):
    """A plain many-to-many link table: nothing but the two keys."""

    club_id: int | None = Field(default=None, foreign_key="club.id", primary_key=True)
    tag_id: int | None = Field(default=None, foreign_key="tag.id", primary_key=True)


class Membership(SQLModel, table=True):
    """An association object: a link with a column of its own."""

    club_id: int | None = Field(default=None, foreign_key="club.id", primary_key=True)
    member_id: uuid.UUID | None = Field(
        default=None, foreign_key="member.id", primary_key=True
    )
    is_training: bool = False

    club: Optional["Club"] = Relationship(back_populates="memberships")
    member: Optional["Member"] = Relationship(back_populates="memberships")


class Tag(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    label: str = Field(max_length=40, unique=True, index=True)

    clubs: list["Club"] = Relationship(back_populates="tags", link_model=ClubTagLink)


class Club(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True, index=True, title="Club name")
    motto: str | None = Field(default=None, sa_type=Text, description="Said at dinner")
    founded: date | None = None

    tags: list[Tag] = Relationship(back_populates="clubs", link_model=ClubTagLink)
    memberships: list[Membership] = Relationship(back_populates="club")

    def __str__(self) -> str:
        return f"Club {self.name}"


class Member(SQLModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    email: EmailStr = Field(max_length=254, unique=True, index=True)
    nickname: str | None = Field(default=None, max_length=40)
    api_token: str = Field(default="", max_length=80)
    pin_code: str = Field(
        default="0000",
        max_length=8,
        schema_extra={"json_schema_extra": {"admin": {"sensitive": True}}},
    )
    tier: Tier = Tier.free
    balance: Decimal = Field(default=Decimal("0.00"), max_digits=10, decimal_places=2)
    is_active: bool = True
    joined_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    preferences: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    club_id: int | None = Field(default=None, foreign_key="club.id", index=True)

    memberships: list[Membership] = Relationship(back_populates="member")


class MemberCreate(SQLModel):
    """An API model (no table): discovery must ignore it."""

    email: EmailStr
    nickname: str | None = None
