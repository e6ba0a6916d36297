"""What the database holds after a soak (and before it, for the deadlock
count): the edited orders' notes and their trail, the doomed customers left
and their delete entries, locks waited on and transactions left open."""

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, bindparam, select, text
from sqlmodel import col

from admin_app.audit.entries import AuditEntry
from benchmarks.shop import BenchCustomer, BenchOrder
from benchmarks.soak_checks import Update

ORDER_VIEW = "bench-order"
CUSTOMER_VIEW = "bench-customer"


def notes(engine: Engine, rows: Iterable[int]) -> dict[int, str | None]:
    statement = select(col(BenchOrder.id), col(BenchOrder.note)).where(
        col(BenchOrder.id).in_(list(rows))
    )
    with engine.connect() as connection:
        return {int(row or 0): note for row, note in connection.execute(statement)}


def _changes(value: Any) -> dict[str, Any]:
    if isinstance(value, str):  # a driver that hands JSON back as text
        value = json.loads(value)
    return value if isinstance(value, dict) else {}


def updates(engine: Engine, rows: Iterable[int]) -> list[Update]:
    """The ``update`` entries of the orders ``rows``."""
    statement = select(
        col(AuditEntry.id), col(AuditEntry.pk), col(AuditEntry.changes)
    ).where(
        col(AuditEntry.action) == "update",
        col(AuditEntry.model) == ORDER_VIEW,
        col(AuditEntry.pk).in_([str(row) for row in rows]),
    )
    found = []
    with engine.connect() as connection:
        for entry_id, pk, changes in connection.execute(statement):
            changed = _changes(changes)
            note = changed.get("note", {})
            found.append(
                Update(
                    int(entry_id),
                    int(pk),
                    note.get("before"),
                    note.get("after"),
                    frozenset(changed),
                )
            )
    return found


def remaining(engine: Engine, rows: Iterable[int]) -> set[int]:
    statement = select(col(BenchCustomer.id)).where(
        col(BenchCustomer.id).in_(bindparam("rows", expanding=True))
    )
    with engine.connect() as connection:
        return set(connection.scalars(statement, {"rows": list(rows)}))


def deletes(engine: Engine) -> Counter[int]:
    """Delete entries per customer."""
    statement = select(col(AuditEntry.pk)).where(
        col(AuditEntry.action) == "delete", col(AuditEntry.model) == CUSTOMER_VIEW
    )
    with engine.connect() as connection:
        return Counter(int(pk) for pk in connection.scalars(statement) if pk)


def deadlocks(engine: Engine) -> int:
    """Deadlocks the server has resolved: PostgreSQL's count for this
    database; MariaDB's is the whole server's (InnoDB keeps no other)."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            query = text(
                "SELECT deadlocks FROM pg_stat_database "
                "WHERE datname = current_database()"
            )
            return int(connection.execute(query).scalar_one())
        row = connection.execute(text("SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'"))
        found = row.first()
        return int(found[1]) if found else 0


@dataclass(frozen=True)
class Leftovers:
    """What a finished run must not leave behind in its database."""

    waiting_locks: int
    open_transactions: int
    # MariaDB: the latest deadlock InnoDB reports names this database.
    last_deadlock_here: bool = False


def leftovers(engine: Engine) -> Leftovers:
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            waiting = connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks l JOIN pg_database d "
                    "ON l.database = d.oid "
                    "WHERE d.datname = current_database() AND NOT l.granted"
                )
            ).scalar_one()
            idle = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() "
                    "AND state LIKE 'idle in transaction%'"
                )
            ).scalar_one()
            return Leftovers(int(waiting), int(idle))
        trx = connection.execute(
            text(
                "SELECT count(*), coalesce(sum(t.trx_state = 'LOCK WAIT'), 0) "
                "FROM information_schema.INNODB_TRX t "
                "JOIN information_schema.PROCESSLIST p "
                "ON p.ID = t.trx_mysql_thread_id "
                "WHERE p.DB = DATABASE() AND p.ID <> CONNECTION_ID()"
            )
        ).one()
        status = connection.execute(text("SHOW ENGINE INNODB STATUS")).one()[-1]
        name = connection.execute(text("SELECT DATABASE()")).scalar_one()
        section = str(status).partition("LATEST DETECTED DEADLOCK")[2]
        section = section.partition("\nTRANSACTIONS\n")[0]
        return Leftovers(int(trx[1]), int(trx[0]), f"`{name}`" in section)
