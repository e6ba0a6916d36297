"""What a database error says, read from SQLSTATE / SQLite error codes, never from
message text.

PostgreSQL's SQLSTATE and diagnostic fields and SQLite's extended result codes are
the drivers' structured report of a failure, so a translated server or a new
driver version cannot change what a failure is taken to be.
"""

import enum
import re
from dataclasses import dataclass

from sqlalchemy import exc as sa_exc


class Problem(enum.Enum):
    """What kind of rule a failed save broke."""

    UNIQUE = "unique"
    FOREIGN_KEY = "foreign key"
    NOT_NULL = "not null"
    CHECK = "check"
    DATA = "data"
    OTHER = "other"


@dataclass(frozen=True)
class Diagnosis:
    """What the database said went wrong, from its structured fields only."""

    problem: Problem
    backend: str | None = None
    code: str | None = None  # SQLSTATE, or SQLite's extended result code name
    table: str | None = None
    constraint: str | None = None
    columns: tuple[str, ...] = ()  # column names, where the database gives them


_PG_PROBLEMS = {
    "23505": Problem.UNIQUE,
    "23503": Problem.FOREIGN_KEY,
    "23001": Problem.FOREIGN_KEY,  # restrict_violation: the row is still referred to
    "23502": Problem.NOT_NULL,
    "23514": Problem.CHECK,
    "23P01": Problem.CHECK,  # exclusion_violation: a named rule, told like a check
}

_SQLITE_PROBLEMS = {
    "SQLITE_CONSTRAINT_UNIQUE": Problem.UNIQUE,
    "SQLITE_CONSTRAINT_PRIMARYKEY": Problem.UNIQUE,
    "SQLITE_CONSTRAINT_ROWID": Problem.UNIQUE,
    "SQLITE_CONSTRAINT_FOREIGNKEY": Problem.FOREIGN_KEY,
    "SQLITE_CONSTRAINT_NOTNULL": Problem.NOT_NULL,
    "SQLITE_CONSTRAINT_CHECK": Problem.CHECK,
    "SQLITE_CONSTRAINT_DATATYPE": Problem.DATA,
    "SQLITE_TOOBIG": Problem.DATA,
    "SQLITE_MISMATCH": Problem.DATA,
}

# SQLite's "UNIQUE constraint failed: index 'name'" for indexes on expressions.
_SQLITE_INDEX_TAIL = re.compile(r"index '(?P<name>[^']+)'")


def diagnose(error: sa_exc.DBAPIError) -> Diagnosis:
    """Read the driver's structured fields: SQLSTATE and diagnostics, or SQLite's
    extended result code and the fixed ``table.column`` list it ends with."""
    orig = error.orig
    if orig is None:
        return Diagnosis(Problem.OTHER)
    sqlite_code = getattr(orig, "sqlite_errorname", None)
    if isinstance(sqlite_code, str):
        return _diagnose_sqlite(orig, sqlite_code)
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if isinstance(sqlstate, str):
        return _diagnose_postgres(orig, sqlstate)
    if isinstance(error, sa_exc.DataError):
        # psycopg refuses some values (a NUL byte in text) before they reach the
        # server, so there is no SQLSTATE; the exception class still says "data".
        return Diagnosis(Problem.DATA)
    return Diagnosis(Problem.OTHER)


def _diagnose_postgres(orig: BaseException, sqlstate: str) -> Diagnosis:
    problem = _PG_PROBLEMS.get(sqlstate)
    if problem is None:
        problem = Problem.DATA if sqlstate.startswith("22") else Problem.OTHER
    column = _pg_field(orig, "column_name")
    return Diagnosis(
        problem,
        backend="postgresql",
        code=sqlstate,
        table=_pg_field(orig, "table_name"),
        constraint=_pg_field(orig, "constraint_name"),
        columns=(column,) if column else (),
    )


def _pg_field(orig: BaseException, name: str) -> str | None:
    """A diagnostic field: psycopg keeps them in ``.diag``; asyncpg's exception,
    which SQLAlchemy's adaptor wraps, has them as attributes."""
    for holder in (getattr(orig, "diag", None), orig.__cause__, orig):
        value = getattr(holder, name, None)
        if isinstance(value, str) and value:
            return value
    return None


def _diagnose_sqlite(orig: BaseException, code: str) -> Diagnosis:
    problem = _SQLITE_PROBLEMS.get(code, Problem.OTHER)
    diagnosis = Diagnosis(problem, backend="sqlite", code=code)
    if problem not in (Problem.UNIQUE, Problem.NOT_NULL, Problem.CHECK):
        return diagnosis
    # SQLite's constraint messages end in a fixed format after ": " (a list of
    # "table.column", "index 'name'", or a CHECK constraint's name).
    _, found, tail = str(orig).partition(": ")
    if not found or not tail:
        return diagnosis
    if problem is Problem.CHECK:
        return Diagnosis(problem, "sqlite", code, constraint=tail.strip())
    if match := _SQLITE_INDEX_TAIL.fullmatch(tail.strip()):
        return Diagnosis(problem, "sqlite", code, constraint=match["name"])
    pairs = [item.strip().rpartition(".") for item in tail.split(",")]
    tables = {table for table, _, _ in pairs}
    if len(tables) != 1 or not all(column for _, _, column in pairs):
        return diagnosis
    columns = tuple(column for _, _, column in pairs)
    return Diagnosis(problem, "sqlite", code, table=tables.pop(), columns=columns)
