"""Login throttling: failed logins counted in the database, per normalised
username and per client address, so every worker process sees one count.

Each failure is one atomic statement (an upsert: ``ON CONFLICT`` on SQLite and
PostgreSQL, ``ON DUPLICATE KEY UPDATE`` on MariaDB/MySQL), so two workers
counting at once cannot both read 4 and write 5.
"""

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqladmin.i18n import ngettext
from sqlalchemy import (
    ColumnElement,
    Executable,
    Table,
    and_,
    bindparam,
    case,
    delete,
    literal,
    or_,
    select,
)
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.orm import Session
from sqlmodel import col
from sqlmodel.sql.sqltypes import UTCDateTime

from admin_app.auth.models import LoginThrottle
from admin_app.db import is_mysql

# Keys are at most 300 characters; a longer username is keyed by its digest.
_MAX_NAME_KEY = 250
# Stale counts deleted by one login at most, a statement each: a backlog goes
# over a few logins.
PURGE_BATCH = 100


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Limits:
    """How many failures within ``window`` lock a key, and for how long."""

    per_username: int
    per_address: int
    window: timedelta
    lockout: timedelta


def normalise_username(username: str) -> str:
    return username.strip().casefold()


def username_key(username: str) -> str:
    name = normalise_username(username)
    if len(name) > _MAX_NAME_KEY:
        return "user#" + hashlib.sha256(name.encode()).hexdigest()
    return "user:" + name


def address_key(address: str) -> str:
    return "ip:" + address


def locked_until(
    session: Session, keys: Iterable[str], now: datetime | None = None
) -> datetime | None:
    """When the latest lock on any of ``keys`` ends; None when none is locked."""
    now = now or utc_now()
    query = select(col(LoginThrottle.locked_until)).where(
        col(LoginThrottle.key).in_(list(keys)),
        col(LoginThrottle.locked_until) > now,
    )
    ends = [end for end in session.scalars(query) if end is not None]
    return max(ends, default=None)


def record_failure(
    session: Session,
    limited: Iterable[tuple[str, int]],
    limits: Limits,
    now: datetime | None = None,
) -> datetime | None:
    """Count a failure against each ``(key, max_failures)``; returns when the
    lock it caused ends, if it locked any key."""
    now = now or utc_now()
    ends = [
        end
        # In key order, as counts are deleted (_delete_each): no deadlock.
        for key, maximum in sorted(limited)
        if (end := _count(session, key, maximum, limits, now)) is not None and end > now
    ]
    return max(ends, default=None)


def forget(session: Session, keys: Iterable[str]) -> None:
    """Clear the counts of ``keys`` (a username after a successful login):
    those there are read first, so a name with no count (most logins)
    writes nothing. On MariaDB (InnoDB, repeatable read) a DELETE of a key
    that is not there locks the gap it would be in, where other sessions'
    failures insert their counts."""
    read = select(col(LoginThrottle.key)).where(col(LoginThrottle.key).in_(list(keys)))
    _delete_each(session, list(session.scalars(read)))


def purge_stale(session: Session, limits: Limits, now: datetime | None = None) -> None:
    """Delete counts whose window and lock have both passed (run at each
    login), up to :data:`PURGE_BATCH` of them: read first, so that with none
    stale nothing is written, and each deleted by its key.

    On MariaDB a DELETE by a range of times scans the table and locks every
    gap in it, and failures at once insert their counts there: a success and
    a failure deadlocked (error 1213, a 500). A DELETE by a list of keys is
    no better on a small table (the optimizer scans it all). Each DELETE asks
    again whether its row is stale: a count that started over meanwhile stays."""
    now = now or utc_now()
    stale = and_(
        col(LoginThrottle.window_started_at) <= now - limits.window,
        or_(
            col(LoginThrottle.locked_until).is_(None),
            col(LoginThrottle.locked_until) <= now,
        ),
    )
    read = select(col(LoginThrottle.key)).where(stale).limit(PURGE_BATCH)
    _delete_each(session, list(session.scalars(read)), stale)


def _delete_each(
    session: Session, keys: list[str], *condition: ColumnElement[bool]
) -> None:
    """Delete the rows of ``keys`` one statement each (one round of
    executemany), so InnoDB locks those rows and no gap between them; in key
    order, the order a failure counts its keys in, so neither waits on the
    other while holding what the other waits for."""
    if not keys:
        return
    table: Table = LoginThrottle.__table__  # type: ignore[attr-defined]
    one = delete(table).where(table.c.key == bindparam("doomed"), *condition)
    session.execute(one, [{"doomed": key} for key in sorted(keys)])


def lock_message(retry_after: int) -> str:
    """The words a locked page says: how long the lock lasts, in minutes."""
    minutes = -(-retry_after // 60)
    return ngettext(
        "Too many failed logins. Try again in %(num)d minute.",
        "Too many failed logins. Try again in %(num)d minutes.",
        minutes,
    ) % {"num": minutes}


def retry_after(end: datetime, now: datetime | None = None) -> int:
    """Whole seconds until ``end``, at least 1 (for a Retry-After header)."""
    return max(1, math.ceil((end - (now or utc_now())).total_seconds()))


def _first_failure(
    key: str, maximum: int, limits: Limits, now: datetime
) -> dict[str, Any]:
    """The row a key's first failure inserts (every upsert's insert half)."""
    return {
        "key": key,
        "failures": 1,
        "window_started_at": now,
        "locked_until": now + limits.lockout if maximum <= 1 else None,
    }


def _count(
    session: Session, key: str, maximum: int, limits: Limits, now: datetime
) -> datetime | None:
    table: Table = LoginThrottle.__table__  # type: ignore[attr-defined]
    c = table.c
    stamp = literal(now, UTCDateTime())
    lock_end = literal(now + limits.lockout, UTCDateTime())
    # A new window starts once the old one is over, or its lock has ended.
    restart = or_(
        c.window_started_at <= now - limits.window,
        and_(c.locked_until.is_not(None), c.locked_until <= now),
    )
    failures = case((restart, 1), else_=c.failures + 1)
    changes = {
        "failures": failures,
        "window_started_at": case((restart, stamp), else_=c.window_started_at),
        "locked_until": case(
            (failures >= maximum, lock_end),
            (restart, literal(None, UTCDateTime())),
            else_=c.locked_until,
        ),
    }
    first = _first_failure(key, maximum, limits, now)
    dialect = session.get_bind().dialect.name
    upsert: Executable
    if dialect == "postgresql":
        pg = postgresql.insert(table).values(first)
        pg = pg.on_conflict_do_update(index_elements=[c.key], set_=changes)
        upsert = pg.returning(c.locked_until)
    elif dialect == "sqlite":
        lite = sqlite.insert(table).values(first)
        lite = lite.on_conflict_do_update(index_elements=[c.key], set_=changes)
        upsert = lite.returning(c.locked_until)
    elif is_mysql(dialect):
        return _count_on_duplicate_key(session, key, maximum, limits, now)
    else:
        return _count_locking(session, key, maximum, limits, now)
    end: datetime | None = session.execute(upsert).scalar_one()
    return end


def _count_on_duplicate_key(
    session: Session, key: str, maximum: int, limits: Limits, now: datetime
) -> datetime | None:
    """The upsert on MariaDB/MySQL. Their ``ON DUPLICATE KEY UPDATE`` sets
    columns left to right, each seeing those set before it: so the count goes
    first, and then a count of 1 says the window started over (a kept row
    counts at least 1: only a restart brings it back to 1)."""
    table: Table = LoginThrottle.__table__  # type: ignore[attr-defined]
    c = table.c
    restart = or_(
        c.window_started_at <= now - limits.window,
        and_(c.locked_until.is_not(None), c.locked_until <= now),
    )
    started_over = c.failures == 1
    changes = [
        ("failures", case((restart, 1), else_=c.failures + 1)),
        (
            "locked_until",
            case(
                (c.failures >= maximum, literal(now + limits.lockout, UTCDateTime())),
                (started_over, literal(None, UTCDateTime())),
                else_=c.locked_until,
            ),
        ),
        (
            "window_started_at",
            case(
                (started_over, literal(now, UTCDateTime())),
                else_=c.window_started_at,
            ),
        ),
    ]
    first = _first_failure(key, maximum, limits, now)
    upsert = mysql.insert(table).values(first).on_duplicate_key_update(changes)
    session.execute(upsert)
    # No RETURNING with it: the row is this transaction's (locked) until commit.
    end: datetime | None = session.execute(
        select(c.locked_until).where(c.key == key)
    ).scalar_one()
    return end


def _count_locking(
    session: Session, key: str, maximum: int, limits: Limits, now: datetime
) -> datetime | None:
    """The same count on a database without an upsert: lock the row, then
    write it (two first failures at once may collide; one then fails)."""
    row = session.scalars(
        select(LoginThrottle).where(col(LoginThrottle.key) == key).with_for_update()
    ).first()
    if row is None:
        row = LoginThrottle(key=key, failures=0, window_started_at=now)
        session.add(row)
    ended = row.locked_until is not None and row.locked_until <= now
    if row.window_started_at <= now - limits.window or ended:
        row.failures, row.window_started_at, row.locked_until = 0, now, None
    row.failures += 1
    if row.failures >= maximum:
        row.locked_until = now + limits.lockout
    session.flush()
    return row.locked_until
