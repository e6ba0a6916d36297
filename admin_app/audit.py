"""The audit trail: who changed what, when, from what to what.

Entries are written in the same transaction as the change they record: if the
change rolls back, so does its entry; if the entry cannot be written, the
change does not happen.
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy.orm import Session
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


REDACTED = "(hidden)"


def changed_values(
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    sensitive: set[str] | frozenset[str] = frozenset(),
) -> dict[str, dict[str, Any]]:
    """``{field: {"before": …, "after": …}}`` for each field whose value differs
    (all fields of a created or deleted row); sensitive ones say only that they
    changed. Values are made JSON-safe as text where JSON has no type for them."""
    before, after = before or {}, after or {}
    changes: dict[str, dict[str, Any]] = {}
    for name in dict.fromkeys([*before, *after]):
        old, new = before.get(name), after.get(name)
        if name in before and name in after and old == new:
            continue
        if name in sensitive:
            old = REDACTED if name in before else None
            new = REDACTED if name in after else None
        changes[name] = {"before": _plain(old), "after": _plain(new)}
    return changes


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict | list):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value") and hasattr(value, "name"):  # an enum member
        return value.value
    return str(value)


def record(
    session: Session,
    action: str,
    *,
    user: Any = None,
    model: str | None = None,
    pk: str | None = None,
    changes: dict[str, Any] | None = None,
    remote_addr: str | None = None,
) -> AuditEntry:
    """Add an entry to ``session``: it commits, or rolls back, with the change."""
    entry = AuditEntry(
        action=action,
        user_id=getattr(user, "id", None),
        username=str(getattr(user, "username", "") or ""),
        model=model,
        pk=pk,
        changes=changes,
        remote_addr=remote_addr,
    )
    session.add(entry)
    return entry
