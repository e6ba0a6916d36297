"""Shape: API models that leave out the parent key.

A FastAPI project's ``ItemCreate(title, description)`` while the table needs
``owner_id``: the API sets it from the logged-in user (the FastAPI full-stack
template's shape, UUID keys and all). ``ItemUpdate`` is a partial update that
leaves the owner alone. The admin adds the required
columns the schema leaves out (the owner as a picker) to the create form.
"""

import uuid
from typing import Optional

from sqlmodel import Field, Relationship, Session, SQLModel

DIALECTS = ("sqlite", "postgresql")
SECRETS = ("SECRET-HASH-VALUE",)
ANN = uuid.UUID("5c1a0000-0000-4000-8000-00000000a001")
BOB = uuid.UUID("5c1a0000-0000-4000-8000-00000000b002")


class SchemaParentOwner(SQLModel, table=True):
    __tablename__ = "schema_parent_owner"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=40, index=True)
    password_hash: str = Field(default="", max_length=200)

    items: list["SchemaParentItem"] = Relationship(back_populates="owner")


class SchemaParentItem(SQLModel, table=True):
    __tablename__ = "schema_parent_item"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    title: str = Field(max_length=80, index=True)
    description: str | None = Field(default=None, max_length=200)
    # Required by the table, left out by both API models.
    owner_id: uuid.UUID = Field(
        foreign_key="schema_parent_owner.id", nullable=False, index=True
    )
    rank: int = Field(default=0, ge=0)

    owner: Optional["SchemaParentOwner"] = Relationship(back_populates="items")


class SchemaParentItemCreate(SQLModel):
    title: str = Field(min_length=3, max_length=80)
    description: str | None = None


class SchemaParentItemUpdate(SQLModel):
    title: str | None = Field(default=None, min_length=3, max_length=80)
    description: str | None = None


def seed(session: Session) -> None:
    ann = SchemaParentOwner(id=ANN, name="Ann", password_hash="SECRET-HASH-VALUE")
    bob = SchemaParentOwner(id=BOB, name="Bob", password_hash="SECRET-HASH-VALUE")
    session.add_all([ann, bob])
    session.flush()
    session.add_all(
        [
            SchemaParentItem(title="Lamp", description="Brass", owner_id=ann.id),
            SchemaParentItem(title="Desk", owner_id=bob.id, rank=2),
        ]
    )
    session.commit()


CREATE: dict[str, dict[str, str | list[str]]] = {
    "schema-parent-owner": {"name": "Cleo"},
    "schema-parent-item": {"title": "Chair", "description": "Oak", "owner": str(BOB)},
}
