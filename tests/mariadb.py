"""The tests' MariaDB databases: one of its own per test, and reused when it can be.

Creating a database's tables costs InnoDB a file each, about a fifth of a second
for the suite's usual set, on almost every test. So a database whose tables are
still exactly those ``create_tables`` made (same tables, columns, indexes and
constraints, read from ``information_schema`` in four queries; no test makes
triggers or routines, whose tables are slow to read) is emptied after
its test and handed to the next test of this process that creates the tables the
same way (it uses the ``engine`` fixture): the rows deleted, the auto-increment
counters set back to 1. Anything else is dropped, as before. A test never sees a
row, a counter or a table another test left.
"""

import uuid
from collections.abc import Iterator
from typing import Any

import pymysql
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

_parked: list[str] = []  # emptied databases, their tables as create_tables made them
_made: dict[str, tuple[Any, ...]] = {}  # database → its schema's signature
_tables: dict[str, frozenset[str]] = {}  # database → the tables create_tables made


def connect(server: str) -> "pymysql.connections.Connection[Any]":
    parsed = make_url(server)
    return pymysql.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 3306,
        user=parsed.username or "root",
        password=parsed.password or "",
        autocommit=True,
        connect_timeout=3,
    )


def database(server: str, reusable: bool) -> Iterator[str]:
    """A database with no rows of the test's own; ``reusable`` when the test
    makes its tables through :func:`note_tables_made` (the ``engine`` fixture),
    so that one of the same tables, emptied, serves as well as a new one."""
    connection = connect(server)
    name = _parked.pop() if reusable and _parked else f"t_{uuid.uuid4().hex[:16]}"
    try:
        if name not in _made:
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        url = make_url(server).set(
            drivername="mysql+pymysql", database=name, query={"charset": "utf8mb4"}
        )
        yield url.render_as_string(hide_password=False)
    finally:
        connection.ping(reconnect=True)
        made = _made.pop(name, None)
        if made is not None and _emptied(connection, name, made):
            _made[name] = made
            _parked.append(name)
        else:
            _tables.pop(name, None)
            with connection.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        connection.close()


def holds_tables(engine: Engine, tables: frozenset[str]) -> bool:
    """Whether ``engine``'s database is a reused one with exactly ``tables``."""
    return _tables.get(engine.url.database or "") == tables


def note_tables_made(engine: Engine, tables: frozenset[str]) -> None:
    """Remember the schema ``create_tables`` left, to know it again at the end."""
    name = engine.url.database
    if engine.dialect.name == "mysql" and name and _tables.get(name) != tables:
        _tables[name] = tables
        connection = engine.raw_connection()
        try:
            _made[name] = _signature(connection.cursor(), name)
        finally:
            connection.close()


def drop_parked(server: str) -> None:
    """At the end of the process: the databases kept for reuse."""
    if not _parked:
        return
    connection = connect(server)
    with connection.cursor() as cursor:
        for name in _parked:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
    connection.close()
    _parked.clear()


def _signature(cursor: Any, name: str) -> tuple[Any, ...]:
    parts = []
    for query in (
        "SELECT table_name, column_name, column_type, is_nullable, column_default"
        " FROM information_schema.COLUMNS WHERE table_schema = %s",
        "SELECT table_name, index_name, column_name, non_unique"
        " FROM information_schema.STATISTICS WHERE table_schema = %s",
        "SELECT table_name, constraint_name, constraint_type"
        " FROM information_schema.TABLE_CONSTRAINTS WHERE table_schema = %s",
        "SELECT table_name, table_type FROM information_schema.TABLES"
        " WHERE table_schema = %s",
    ):
        cursor.execute(query, (name,))
        parts.append(tuple(sorted(map(tuple, cursor.fetchall()), key=repr)))
    return tuple(parts)


def _emptied(connection: Any, name: str, made: tuple[Any, ...]) -> bool:
    """Empty ``name`` if its schema is still ``made``; False if it is not, or
    anything (a lock a test left, say) stands in the way: then it is dropped."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET SESSION lock_wait_timeout = 5")
            cursor.execute("SET SESSION innodb_lock_wait_timeout = 5")
            if _signature(cursor, name) != made:
                return False
            tables = [row[0] for row in made[3]]
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT %s FROM (SELECT 1 FROM `{name}`.`{table}` LIMIT 1) AS t{i}"
                    for i, table in enumerate(tables)
                ),
                tables,
            )
            filled = {row[0] for row in cursor.fetchall()}
            cursor.execute(
                "SELECT table_name FROM information_schema.TABLES"
                " WHERE table_schema = %s AND auto_increment > 1",
                (name,),
            )
            counted = {row[0] for row in cursor.fetchall()}
            cursor.execute("SET SESSION foreign_key_checks = 0")
            for table in filled:
                cursor.execute(f"DELETE FROM `{name}`.`{table}`")
            for table in counted:
                cursor.execute(f"ALTER TABLE `{name}`.`{table}` AUTO_INCREMENT = 1")
            cursor.execute("SET SESSION foreign_key_checks = 1")
        return True
    except pymysql.MySQLError:
        return False
