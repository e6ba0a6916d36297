"""admin_app's own user table, kept apart from any user table of the application."""

import enum
from datetime import UTC, datetime

from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel


def utc_now() -> datetime:
    return datetime.now(UTC)


class Role(enum.StrEnum):
    """What an admin user may do (per-model grants refine it)."""

    viewer = "viewer"
    editor = "editor"
    admin = "admin"


class AdminUser(SQLModel, table=True):
    """A person who may log in to the admin."""

    __tablename__ = "admin_app_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=150, unique=True, index=True, min_length=1)
    # Admin forms show a "set new password" input hashed by this, never the hash.
    password_hash: str = Field(
        max_length=255,
        sa_column_kwargs={
            "info": {"admin": {"hasher": "admin_app.auth.users:hash_new_password"}}
        },
    )
    is_active: bool = Field(default=True)
    # Stored as text, not a native PostgreSQL enum type that could clash with an
    # application's own type of the same name.
    role: Role = Field(
        default=Role.viewer,
        sa_type=SAEnum(Role, name="admin_app_role", native_enum=False, length=16),
    )
    created_at: datetime = Field(default_factory=utc_now)
    last_login: datetime | None = Field(
        default=None, sa_column_kwargs={"info": {"admin": {"read_only": True}}}
    )

    def __str__(self) -> str:
        return self.username
