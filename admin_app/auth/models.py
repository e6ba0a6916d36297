"""admin_app's own user table, kept apart from any user table of the application."""

import enum
from datetime import UTC, datetime

from pydantic import field_validator
from sqladmin.i18n import gettext
from sqlalchemy import Connection, UniqueConstraint, delete, event, inspect
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import Mapper
from sqlmodel import Field, SQLModel, col

from admin_app.zones import zone_named


def utc_now() -> datetime:
    return datetime.now(UTC)


class Role(enum.StrEnum):
    """What an admin user may do (per-model grants refine it)."""

    viewer = "viewer"
    editor = "editor"
    admin = "admin"


class Theme(enum.StrEnum):
    """How a user's pages are drawn: as their system prefers, or always one way."""

    auto = "auto"
    light = "light"
    dark = "dark"


def role_column() -> SAEnum:
    # Stored as text, not a native PostgreSQL enum type that could clash with
    # an application's own type of the same name.
    return SAEnum(Role, name="admin_app_role", native_enum=False, length=16)


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
    role: Role = Field(default=Role.viewer, sa_type=role_column())
    created_at: datetime = Field(default_factory=utc_now)
    last_login: datetime | None = Field(
        default=None, sa_column_kwargs={"info": {"admin": {"read_only": True}}}
    )
    # Dates and times shown and typed in this zone (admin_app.zones); none:
    # the admin's ADMIN_TIMEZONE. Chosen on the account page.
    time_zone: str | None = Field(default=None, max_length=64)

    # Light or dark pages (data-bs-theme); "auto" follows the browser's
    # prefers-color-scheme. Chosen with the sidebar's toggle (auth.theme).
    theme: Theme = Field(
        default=Theme.auto,
        sa_type=SAEnum(Theme, name="admin_app_theme", native_enum=False, length=8),
        sa_column_kwargs={"server_default": Theme.auto.value},
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if not value:
            return None
        if zone_named(value) is None:
            raise ValueError(gettext("Unknown time zone: %(name)s") % {"name": value})
        return value

    def __str__(self) -> str:
        return self.username


class AdminSession(SQLModel, table=True):
    """A login: the cookie names it, so logging out (or an admin) can end it."""

    __tablename__ = "admin_app_session"

    # The SHA-256 of the token the cookie carries: a leaked table opens nothing.
    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(
        foreign_key="admin_app_user.id", index=True, ondelete="CASCADE"
    )
    created_at: datetime = Field(default_factory=utc_now)
    last_seen_at: datetime = Field(default_factory=utc_now)


@event.listens_for(AdminUser, "before_update")
def _end_sessions_on_new_credentials(
    mapper: Mapper[AdminUser], connection: Connection, user: AdminUser
) -> None:
    """A new password or a deactivation ends every login of that user, in the
    same transaction, whatever ORM code made the change (CLI, admin forms);
    a Core ``update(AdminUser)`` bypasses this and must call
    :func:`admin_app.auth.sessions.end_all` itself.
    A session added in the same flush survives: its insert comes after this
    (it refers to the user), which is how a user keeps the session they
    changed their own password in."""
    state = inspect(user)
    new_password = state.attrs.password_hash.history.has_changes()
    deactivated = state.attrs.is_active.history.has_changes() and not user.is_active
    if new_password or deactivated:
        connection.execute(
            delete(AdminSession).where(col(AdminSession.user_id) == user.id)
        )


class LoginThrottle(SQLModel, table=True):
    """Failed logins counted per normalised username and per client address,
    in the database so every worker process sees the same counts."""

    __tablename__ = "admin_app_throttle"

    key: str = Field(primary_key=True, max_length=300)
    failures: int = 0
    window_started_at: datetime = Field(default_factory=utc_now)
    locked_until: datetime | None = None


class Grant(SQLModel, table=True):
    """What a role may do with one model's rows; roles without a grant for a
    model get their defaults (see admin_app.security.permissions)."""

    __tablename__ = "admin_app_grant"
    __table_args__ = (UniqueConstraint("role", "model", name="uq_admin_app_grant"),)

    id: int | None = Field(default=None, primary_key=True)
    role: Role = Field(sa_type=role_column())
    # The view's identity, as in the admin's URLs ("order-item").
    model: str = Field(max_length=100)
    can_view: bool = True
    can_add: bool = False
    can_change: bool = False
    can_delete: bool = False
    can_export: bool = False
    # Rows from a file (admin_app.imports); migration a0005 (whose server
    # default fills the rows it finds).
    can_import: bool = False
