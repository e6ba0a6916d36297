"""The tests' PostgreSQL databases: a schema of its own per test, reused when it can be.

Each test gets a schema in a database this process shares, owned by a role of
the same name, whose default search path ("$user", then the dropped public)
puts it first: a hundredth of the cost of CREATE DATABASE, and the URL needs no
options (asyncpg takes none). Making the role, the schema and its tables, then
dropping them, still cost most of a PostgreSQL test's time; so a schema whose
tables are still exactly those ``create_tables`` made (tables, columns, indexes,
constraints, types and functions, read from the catalog) is emptied after its
test (its tables truncated, which also forgets their statistics, and its
sequences set back) and handed to the next test of this process that makes its
tables the same way (one using the ``engine`` fixture). A test never sees a row,
a sequence value or a table another test left.
"""

import atexit
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
from sqlalchemy import Engine

_shared_databases: dict[str, str] = {}
_parked: list[str] = []  # emptied schemas (and their roles), as create_tables made them
_made: dict[str, tuple[Any, ...]] = {}  # schema → its catalog's signature
_tables: dict[str, frozenset[str]] = {}  # schema → the tables create_tables made
_admins: dict[str, str] = {}  # schema → its database, as the server's superuser


def database(
    server: str, through: str | None = None, reusable: bool = False
) -> Iterator[str]:
    """A URL to an empty schema of the test's own. ``through``: the
    ``host:port`` the URL connects to instead (PgBouncer); ``reusable`` when
    the test makes its tables through :func:`note_tables_made`."""
    shared = _shared_database(server)
    admin = with_database(server, shared)
    if reusable and _parked:
        role = _parked.pop()
    else:
        role = f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'CREATE ROLE "{role}" LOGIN SUPERUSER')
            connection.execute(f'CREATE SCHEMA "{role}" AUTHORIZATION "{role}"')
    _admins[role] = admin
    base = psycopg.conninfo.conninfo_to_dict(server)
    host, port = base.get("host", "127.0.0.1"), base.get("port", "5432")
    if through is not None:
        host, port = through.rsplit(":", 1)
    try:
        yield f"postgresql+psycopg://{role}@{host}:{port}/{shared}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE usename = %s",
                (role,),
            )
            made = _made.pop(role, None)
            if made is not None and _emptied(connection, role, made):
                _made[role] = made
                _parked.append(role)
            else:
                _tables.pop(role, None)
                _admins.pop(role, None)
                connection.execute(f'DROP SCHEMA "{role}" CASCADE')
                connection.execute(f'DROP OWNED BY "{role}"')
                connection.execute(f'DROP ROLE "{role}"')


def holds_tables(engine: Engine, tables: frozenset[str]) -> bool:
    """Whether ``engine``'s schema is a reused one with exactly ``tables``."""
    return _tables.get(engine.url.username or "") == tables


def reused(engine: Engine) -> bool:
    """Whether ``engine``'s schema was another test's (made by other tables)."""
    return (engine.url.username or "") in _tables


def note_tables_made(engine: Engine, tables: frozenset[str]) -> None:
    """Remember the schema ``create_tables`` left, to know it again at the end."""
    role = engine.url.username
    if engine.dialect.name != "postgresql" or role not in _admins:
        return
    if _tables.get(role) != tables:
        _tables[role] = tables
        with psycopg.connect(_admins[role], autocommit=True) as connection:
            _made[role] = _signature(connection.cursor(), role)


def with_database(server: str, name: str) -> str:
    parts = psycopg.conninfo.conninfo_to_dict(server)
    parts.update(dbname=name)
    return psycopg.conninfo.make_conninfo(**parts)  # type: ignore[arg-type]


def _shared_database(server: str) -> str:
    """This process's database of per-test schemas: made once, dropped at exit.
    Its ``public`` schema is gone, so no test's name falls through to another's.
    Its commits do not wait for the WAL to reach the disk (``synchronous_commit
    = off``, for this throwaway database only): what a test checks is the same,
    and each commit's flush was a wait the suite spent thousands of times."""
    if server not in _shared_databases:
        name = f"admin_app_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
            connection.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        with psycopg.connect(with_database(server, name), autocommit=True) as c:
            c.execute("DROP SCHEMA public")
        _shared_databases[server] = name
        atexit.register(_drop_database, server, name)
    return _shared_databases[server]


def _drop_database(server: str, name: str) -> None:
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for role in _parked:
            connection.execute(f'DROP ROLE IF EXISTS "{role}"')


_CATALOG = (
    # relations (tables, indexes, sequences, views) and their columns
    "SELECT c.relname, c.relkind, a.attname, format_type(a.atttypid, a.atttypmod),"
    " a.attnotnull, pg_get_expr(d.adbin, d.adrelid)"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0"
    " AND NOT a.attisdropped"
    " LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum"
    " WHERE n.nspname = %s",
    "SELECT co.conname, co.contype, pg_get_constraintdef(co.oid)"
    " FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace"
    " WHERE n.nspname = %s",
    "SELECT t.typname, t.typtype, e.enumlabel FROM pg_type t"
    " JOIN pg_namespace n ON n.oid = t.typnamespace"
    " LEFT JOIN pg_enum e ON e.enumtypid = t.oid WHERE n.nspname = %s",
    "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
    " WHERE n.nspname = %s"
    " UNION ALL SELECT tg.tgname FROM pg_trigger tg JOIN pg_class c"
    " ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = %s AND NOT tg.tgisinternal",
)


def _signature(cursor: Any, schema: str) -> tuple[Any, ...]:
    # Names print qualified or not by the search path: read with one alone.
    cursor.execute(f'SET search_path TO "{schema}"')
    parts = []
    for query in _CATALOG:
        cursor.execute(query, (schema,) * query.count("%s"))
        parts.append(tuple(sorted(map(tuple, cursor.fetchall()), key=repr)))
    return tuple(parts)


def _emptied(connection: psycopg.Connection[Any], schema: str, made: Any) -> bool:
    """Empty ``schema`` if its catalog is still ``made``; False if it is not,
    or anything (a lock a test left, say) stands in the way: then it is
    dropped. Truncated, not deleted from: a table's statistics (what counts
    estimate from) go with its rows."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '5s'")
            if _signature(cursor, schema) != made:
                return False
            cursor.execute(
                "SELECT c.relname, c.reltuples FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = %s AND c.relkind = 'r'",
                (schema,),
            )
            tables = cursor.fetchall()
            quoted = {name: f'"{schema}"."{name}"' for name, _ in tables}
            cursor.execute(
                " UNION ALL ".join(
                    f"(SELECT %s FROM {quoted[name]} LIMIT 1)" for name, _ in tables
                ),
                [name for name, _ in tables],
            )
            filled = {row[0] for row in cursor.fetchall()}
            filled |= {name for name, estimate in tables if estimate > 0}
            if filled:
                names = ", ".join(quoted[name] for name in sorted(filled))
                cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            cursor.execute(
                "SELECT format('%%I.%%I', schemaname, sequencename) FROM pg_sequences"
                " WHERE schemaname = %s AND last_value IS NOT NULL",
                (schema,),
            )
            for (sequence,) in cursor.fetchall():
                cursor.execute("SELECT setval(%s, 1, false)", (sequence,))
        return True
    except psycopg.Error:
        return False
