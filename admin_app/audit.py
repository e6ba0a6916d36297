"""The audit trail: who changed what, when, from what to what.

Entries are written in the same transaction as the change they record: if the
change rolls back, so does its entry; if the entry cannot be written, the
change does not happen.
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel


def utc_now() -> datetime:
    return datetime.now(UTC)


class AuditEntry(SQLModel, table=True):
    """One recorded action. Read-only in the admin."""

    __tablename__ = "admin_app_audit"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utc_now, index=True)
    # No foreign key: the trail outlives the users it names.
    user_id: int | None = Field(default=None, index=True)
    username: str = Field(default="", max_length=150)
    # create, update, delete, action:<name>, import, revert, login, logout,
    # login_failed
    action: str = Field(max_length=60, index=True)
    model: str | None = Field(default=None, max_length=100, index=True)
    pk: str | None = Field(default=None, max_length=200, index=True)
    # {"field": {"before": ..., "after": ...}}; sensitive fields redacted.
    changes: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    remote_addr: str | None = Field(default=None, max_length=64)

    def __str__(self) -> str:
        target = f" {self.model} {self.pk}" if self.model else ""
        return f"{self.action}{target} by {self.username or 'nobody'}"
