"""Login sessions: the signed cookie carries a random token, the database a row
named by the token's SHA-256.

A row per login is what lets logging out, a new password or a deactivation end
a session in every worker process at once; the user is read with the row on
every request, so a changed role counts from the next click.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    bindparam,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session
from sqlmodel import col

from admin_app.auth.models import AdminSession, AdminUser

# Recording every request would turn each page view into a write.
TOUCH_INTERVAL = timedelta(minutes=1)
# Expired logins deleted by one login, at most: a backlog goes over a few.
PURGE_BATCH = 500


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Lifetimes:
    """How long a login lasts: ``absolute`` after it began, ``idle`` after the
    last request (counted to the minute, see :data:`TOUCH_INTERVAL`)."""

    idle: timedelta
    absolute: timedelta

    def expired(self, login: AdminSession, now: datetime) -> bool:
        return (
            now - login.created_at >= self.absolute
            or now - login.last_seen_at >= self.idle
        )


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_id(token: str) -> str:
    """The row id for ``token``: a stolen table names no usable cookie."""
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, user_id: int, now: datetime | None = None) -> str:
    """Add a login of ``user_id`` to ``session``; returns the cookie's token."""
    now = now or utc_now()
    token = new_token()
    session.add(
        AdminSession(
            id=token_id(token), user_id=user_id, created_at=now, last_seen_at=now
        )
    )
    return token


def find(
    session: Session, token: str, lifetimes: Lifetimes, now: datetime | None = None
) -> AdminUser | None:
    """The active user logged in by ``token``, in one query; an expired login
    is deleted on the way (and commits)."""
    now = now or utc_now()
    query = (
        select(AdminSession, AdminUser)
        .join(AdminUser, col(AdminSession.user_id) == col(AdminUser.id))
        .where(col(AdminSession.id) == token_id(token))
    )
    found = session.execute(query).first()
    if found is None:
        return None
    login, user = found
    if lifetimes.expired(login, now):
        _delete(session, col(AdminSession.id) == login.id)
        session.commit()
        return None
    if not user.is_active:
        return None
    if now - login.last_seen_at >= TOUCH_INTERVAL:
        session.execute(
            update(AdminSession)
            .where(col(AdminSession.id) == login.id)
            .values(last_seen_at=now)
        )
        session.commit()
    return user


def end(session: Session, token: str) -> AdminUser | None:
    """Delete the login ``token`` names; returns its user, if there was one."""
    query = (
        select(AdminUser)
        .join(AdminSession, col(AdminSession.user_id) == col(AdminUser.id))
        .where(col(AdminSession.id) == token_id(token))
    )
    user = session.scalars(query).first()
    if user is not None:  # else no row: deleting none locks a gap (see purge)
        _delete(session, col(AdminSession.id) == token_id(token))
    return user


def end_all(session: Session, user_id: int, keep: str | None = None) -> None:
    """Delete every login of ``user_id`` but the one whose token is ``keep``."""
    condition = col(AdminSession.user_id) == user_id
    if keep is not None:
        condition = and_(condition, col(AdminSession.id) != token_id(keep))
    _delete(session, condition)


def purge_expired(
    session: Session, lifetimes: Lifetimes, now: datetime | None = None
) -> None:
    """Delete the logins that can no longer be used (run at each login), up
    to :data:`PURGE_BATCH` of them: read first, then deleted by key, so that
    with none expired (most logins) nothing is written.

    On MariaDB (InnoDB, repeatable read) a DELETE locks the gaps around the
    rows it scans, and new logins insert into those gaps: a DELETE by a range
    of times made two logins at once deadlock (found by benchmarks/soak.py)."""
    now = now or utc_now()
    expired = (
        select(col(AdminSession.id))
        .where(
            or_(
                col(AdminSession.created_at) <= now - lifetimes.absolute,
                col(AdminSession.last_seen_at) <= now - lifetimes.idle,
            )
        )
        .limit(PURGE_BATCH)
    )
    found = sorted(session.scalars(expired))
    if found:
        # One statement a key (one round of executemany), in key order: an
        # ``IN`` list of many keys is read by a scan of a small table there,
        # which locks every gap (as the throttle's purge found).
        table: Table = AdminSession.__table__  # type: ignore[attr-defined]
        one = delete(table).where(table.c.id == bindparam("doomed"))
        session.execute(one, [{"doomed": key} for key in found])


def _delete(session: Session, condition: ColumnElement[bool]) -> None:
    # A Core DELETE: another worker may have removed the row already, which
    # the ORM's unit of work would take for a stale object.
    session.execute(delete(AdminSession).where(condition))
