"""SQLModel tables of the demo application: teams, users, projects and orders."""

import enum
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Optional

from pydantic import EmailStr
from sqlalchemy import JSON, Text
from sqlmodel import Field, Relationship, SQLModel


def utc_now() -> datetime:
    """Return the current time as a timezone-aware UTC datetime."""
    return datetime.now(UTC)


class ProjectMember(SQLModel, table=True):
    """Link table between projects and their member users."""

    __tablename__ = "project_member"

    project_id: int = Field(foreign_key="project.id", primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", primary_key=True)


class Team(SQLModel, table=True):
    """A group of users that owns projects."""

    __tablename__ = "team"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True, max_length=80)
    description: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utc_now)

    members: list["User"] = Relationship(back_populates="team")
    projects: list["Project"] = Relationship(back_populates="team")

    def __str__(self) -> str:
        return self.name


class User(SQLModel, table=True):
    """A person who can belong to a team, join projects and request orders."""

    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    email: EmailStr = Field(unique=True, index=True, max_length=254, title="Email")
    full_name: str = Field(index=True, max_length=120, title="Full name")
    hashed_password: str = Field(
        max_length=255,
        description="Password hash; never display or export it.",
    )
    is_active: bool = Field(
        default=True, description="Inactive users keep their data but cannot sign in."
    )
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    created_at: datetime = Field(default_factory=utc_now)

    team: Optional["Team"] = Relationship(back_populates="members")
    projects: list["Project"] = Relationship(
        back_populates="members", link_model=ProjectMember
    )
    orders: list["Order"] = Relationship(back_populates="requester")


class Project(SQLModel, table=True):
    """A piece of work owned by a team; orders can be charged to it."""

    __tablename__ = "project"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True, max_length=120)
    description: str | None = Field(default=None, sa_type=Text)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    is_archived: bool = Field(default=False, title="Archived")
    created_at: datetime = Field(default_factory=utc_now)
    # Set by a delete: the project goes to the trash (admin_app.deletion.soft).
    deleted_at: datetime | None = Field(default=None, index=True)

    team: Optional["Team"] = Relationship(back_populates="projects")
    members: list["User"] = Relationship(
        back_populates="projects", link_model=ProjectMember
    )
    orders: list["Order"] = Relationship(back_populates="project")


class OrderStatus(enum.StrEnum):
    """Lifecycle of a purchase order."""

    draft = "draft"
    submitted = "submitted"
    approved = "approved"
    shipped = "shipped"
    cancelled = "cancelled"


class Order(SQLModel, table=True):
    """A purchase order raised by a user, optionally charged to a project."""

    # "order" is an SQL keyword; a distinct name avoids quoting everywhere.
    __tablename__ = "purchase_order"

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(
        unique=True,
        index=True,
        max_length=32,
        title="PO reference",
        description='Human-facing identifier such as "PO-000123".',
    )
    requester_id: int = Field(foreign_key="app_user.id", index=True, title="Requester")
    project_id: int | None = Field(
        default=None, foreign_key="project.id", index=True, title="Project"
    )
    status: OrderStatus = Field(default=OrderStatus.draft, index=True)
    total: Decimal = Field(
        default=Decimal("0.00"), max_digits=12, decimal_places=2, ge=0
    )
    is_urgent: bool = Field(default=False, title="Urgent")
    notes: str | None = Field(default=None, sa_type=Text)
    extra: dict[str, Any] = Field(
        default_factory=dict,
        sa_type=JSON,
        description="Free-form metadata such as cost center and tags.",
    )
    created_at: datetime = Field(
        default_factory=utc_now,
        nullable=False,
        index=True,
    )

    requester: Optional["User"] = Relationship(back_populates="orders")
    project: Optional["Project"] = Relationship(back_populates="orders")
    items: list["OrderItem"] = Relationship(back_populates="order")


class OrderItem(SQLModel, table=True):
    """One line of a purchase order."""

    __tablename__ = "order_item"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="purchase_order.id", index=True, title="Order")
    sku: str = Field(index=True, max_length=40, title="SKU")
    description: str = Field(max_length=200)
    quantity: int = Field(ge=1)
    unit_price: Decimal = Field(max_digits=10, decimal_places=2, ge=0)

    order: Optional["Order"] = Relationship(back_populates="items")
