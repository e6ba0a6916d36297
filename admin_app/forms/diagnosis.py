"""What a database error says, read from SQLSTATE, SQLite's and MySQL's error
codes, never from message text.

PostgreSQL's SQLSTATE and diagnostic fields, SQLite's extended result codes and
MySQL's error numbers are the drivers' structured report of a failure, so a
translated server or a new driver version cannot change what a failure is taken
to be. MySQL names the key, constraint or column only inside its message: the
quoted identifier is read from there once the number has said what failed.
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
    # SQLSTATE, SQLite's extended result code name, or MySQL's error number
    code: str | None = None
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

# MariaDB's and MySQL's error numbers (mysqld_error.h), the same in every
# language the server speaks.
_MYSQL_PROBLEMS = {
    1062: Problem.UNIQUE,  # ER_DUP_ENTRY: "... for key 'name'"
    1022: Problem.UNIQUE,  # ER_DUP_KEY
    1586: Problem.UNIQUE,  # ER_DUP_ENTRY_WITH_KEY_NAME
    1451: Problem.FOREIGN_KEY,  # ER_ROW_IS_REFERENCED_2: still referred to
    1452: Problem.FOREIGN_KEY,  # ER_NO_REFERENCED_ROW_2: the target is missing
    1216: Problem.FOREIGN_KEY,  # ER_NO_REFERENCED_ROW (no names given)
    1217: Problem.FOREIGN_KEY,  # ER_ROW_IS_REFERENCED (no names given)
    1048: Problem.NOT_NULL,  # ER_BAD_NULL_ERROR: "Column 'c' cannot be null"
    1364: Problem.NOT_NULL,  # ER_NO_DEFAULT_FOR_FIELD: "Field 'c' doesn't ..."
    3819: Problem.CHECK,  # MySQL's ER_CHECK_CONSTRAINT_VIOLATED
    4025: Problem.CHECK,  # MariaDB's ER_CONSTRAINT_FAILED
    1406: Problem.DATA,  # ER_DATA_TOO_LONG: "... for column 'c' at row 1"
    1264: Problem.DATA,  # ER_WARN_DATA_OUT_OF_RANGE: "... for column 'c' ..."
    1265: Problem.DATA,  # WARN_DATA_TRUNCATED
    1292: Problem.DATA,  # ER_TRUNCATED_WRONG_VALUE (a date, a number)
    1366: Problem.DATA,  # ER_TRUNCATED_WRONG_VALUE_FOR_FIELD
    1367: Problem.DATA,  # ER_ILLEGAL_VALUE_FOR_TYPE
    1690: Problem.DATA,  # ER_DATA_OUT_OF_RANGE
}
# Where each error names its column or key: the first quoted name, or (a
# duplicate's key, after the value) the last one.
_MYSQL_FIRST_NAMED = {1048, 1364, 1406, 1264, 3819}
_QUOTED = re.compile(r"'((?:[^']|'')*)'")
# A duplicate's key ends the message; the value before it may hold quotes.
_LAST_QUOTED = re.compile(r"'([^']*)'\W*$")
_BACKQUOTED = re.compile(r"`((?:[^`]|``)*)`")
# 1451/1452: "(`db`.`table`, CONSTRAINT `name` FOREIGN KEY (`a`, `b`) REFERENCES"
_MYSQL_FOREIGN_KEY = re.compile(
    r"`(?P<table>(?:[^`]|``)+)`, CONSTRAINT `(?P<name>(?:[^`]|``)+)` "
    r"FOREIGN KEY \((?P<columns>[^)]*)\)"
)

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
    if _mysql_number(orig) is not None:  # first: PyMySQL has a (vague) sqlstate
        return _diagnose_mysql(orig)
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


def _mysql_number(orig: BaseException) -> int | None:
    """The error number PyMySQL and asyncmy put first in ``args``."""
    module = type(orig).__module__.partition(".")[0]
    if module not in ("pymysql", "asyncmy", "aiomysql", "MySQLdb"):
        return None
    number = orig.args[0] if orig.args else None
    return number if isinstance(number, int) else None


def _diagnose_mysql(orig: BaseException) -> Diagnosis:
    number = _mysql_number(orig)
    assert number is not None
    problem = _MYSQL_PROBLEMS.get(number, Problem.OTHER)
    message = str(orig.args[1]) if len(orig.args) > 1 else ""
    table, constraint, columns = _mysql_names(number, message)
    return Diagnosis(problem, "mysql", str(number), table, constraint, columns)


def _mysql_names(
    number: int, message: str
) -> tuple[str | None, str | None, tuple[str, ...]]:
    """The table, key or constraint, and columns error ``number`` names."""
    quoted = [_unquote(name, "'") for name in _QUOTED.findall(message)]
    if number in (1062, 1586):
        # MySQL 8 says 'table.key', MariaDB the bare 'key'; SQLAlchemy's names
        # hold no dot, so one splits them.
        last = _LAST_QUOTED.search(message)
        if last is None:
            return None, None, ()
        table, _, key = last[1].rpartition(".")
        return table or None, key, ()
    if number in (1451, 1452):
        match = _MYSQL_FOREIGN_KEY.search(message)
        if match is None:
            return None, None, ()
        found = _BACKQUOTED.findall(match["columns"])
        columns = tuple(_unquote(column, "`") for column in found)
        name = _unquote(match["name"], "`")
        return _unquote(match["table"], "`"), name, columns
    if number == 4025:  # "CONSTRAINT `name` failed for `db`.`table`"
        named = [_unquote(name, "`") for name in _BACKQUOTED.findall(message)]
        if not named:
            return None, None, ()
        return (named[-1] if len(named) > 1 else None), named[0], ()
    if number in _MYSQL_FIRST_NAMED and quoted:
        if _MYSQL_PROBLEMS[number] is Problem.CHECK:
            return None, quoted[0], ()
        return None, None, (quoted[0],)
    return None, None, ()


def _unquote(name: str, quote: str) -> str:
    return name.replace(quote * 2, quote)
