"""Which columns a database constraint name stands for.

A failed save names the constraint it broke the way the database knows it: the
name the model gave (as DDL renders it, naming conventions applied), the name
PostgreSQL or MariaDB/MySQL made up for an unnamed one, or a name only the
catalog knows (a migration named it differently).
"""

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import (
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.mysql.base import MySQLDialect
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.dialects.sqlite.base import SQLiteDialect
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import ColumnCollectionConstraint, Constraint

# PostgreSQL's NAMEDATALEN - 1: the longest identifier, in bytes.
_PG_MAX_NAME = 63

_PG_DEFAULT_LABELS: dict[type[Any], str] = {
    PrimaryKeyConstraint: "pkey",
    UniqueConstraint: "key",
    ForeignKeyConstraint: "fkey",
}

# The columns of a constraint, else of a unique index, the database names: for
# names the model does not know (a migration named it differently).
_MYSQL_CATALOG_QUERIES = (
    text(
        """
        SELECT column_name FROM information_schema.statistics
        WHERE table_schema = DATABASE() AND table_name = :table
        AND index_name = :name ORDER BY seq_in_index
        """
    ),
    text(
        """
        SELECT column_name FROM information_schema.key_column_usage
        WHERE table_schema = DATABASE() AND table_name = :table
        AND constraint_name = :name ORDER BY ordinal_position
        """
    ),
)
_CATALOG_QUERIES = (
    text(
        """
        SELECT a.attname FROM pg_constraint c
        JOIN pg_class t ON t.oid = c.conrelid
        JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, position) ON true
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
        WHERE c.conname = :name AND t.relname = :table AND pg_table_is_visible(t.oid)
        ORDER BY k.position
        """
    ),
    text(
        """
        SELECT a.attname FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, position)
            ON true
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
        WHERE i.relname = :name AND t.relname = :table AND pg_table_is_visible(t.oid)
        ORDER BY k.position
        """
    ),
)


def constraint_columns(
    table: Table, name: str, backend: str, session: Session | None = None
) -> list[str] | None:
    """Column names of ``table``'s constraint or index the database calls ``name``,
    found through the model's table, else (PostgreSQL and MariaDB/MySQL, with a
    usable ``session``) through the catalog."""
    item = find_constraint(table, name, backend)
    if isinstance(item, ColumnCollectionConstraint | Index):
        columns = [column.name for column in item.columns]
        return columns or None  # an index on expressions names no column
    if session is None:
        return None
    if backend == "postgresql":
        return _catalog_columns(session, _CATALOG_QUERIES, table.name, name)
    if backend == "mysql":
        return _catalog_columns(session, _MYSQL_CATALOG_QUERIES, table.name, name)
    return None


def find_constraint(table: Table, name: str, backend: str) -> Constraint | Index | None:
    """``table``'s constraint or index that ``backend`` knows as ``name``."""
    items: list[Constraint | Index] = [*table.constraints, *table.indexes]
    candidates = [(item, _database_names(item, backend)) for item in items]
    for position in range(10):
        for item, names in candidates:
            if len(names) > position and names[position] == name:
                return item
    return None


def foreign_key_on(table: Table, columns: Sequence[str]) -> ForeignKeyConstraint | None:
    """``table``'s one foreign key over exactly ``columns`` (MySQL names them in
    its refusal: found so whatever a migration named the constraint)."""
    wanted = list(columns)
    found = [
        constraint
        for constraint in table.foreign_key_constraints
        if [column.name for column in constraint.columns] == wanted
    ]
    return found[0] if len(found) == 1 else None


def constraint_order(constraint: ForeignKeyConstraint) -> tuple[str, ...]:
    """A sort key for foreign keys: their column names."""
    return tuple(column.name for column in constraint.columns)


def postgres_default_name(table: str, columns: Sequence[str], label: str) -> str:
    """The name PostgreSQL gives an unnamed constraint: its ``makeObjectName()``.

    ``table_col1_col2_label``, cut to 63 bytes by shortening the longer of the
    table part and the columns part first, at a character boundary.
    """
    first = table.encode()
    second = "_".join(columns).encode() if columns else None
    overhead = len(label.encode()) + 1 + (1 if second is not None else 0)
    available = _PG_MAX_NAME - overhead
    first_len, second_len = len(first), len(second or b"")
    while first_len + second_len > available:
        if first_len > second_len:
            first_len -= 1
        else:
            second_len -= 1
    parts = [first[:first_len].decode(errors="ignore")]
    if second is not None:
        parts.append(second[:second_len].decode(errors="ignore"))
    return "_".join([*parts, label])


@cache
def _dialect(backend: str) -> Dialect:
    if backend == "postgresql":
        return PGDialect()  # type: ignore[no-untyped-call]
    if backend == "mysql":
        return MySQLDialect()
    return SQLiteDialect()


def _mysql_default_names(item: Constraint | Index) -> tuple[str, ...]:
    """The names MariaDB/MySQL give an unnamed key: ``PRIMARY``; a unique key
    its first column's name (``_2``, ``_3`` on a clash); a foreign key
    ``<table>_ibfk_<n>``, numbered in the order CREATE TABLE lists them."""
    table = item.table
    if isinstance(item, PrimaryKeyConstraint):
        return ("PRIMARY",)
    if not isinstance(item, ColumnCollectionConstraint) or table is None:
        return ()
    if isinstance(item, UniqueConstraint) and item.columns:
        first = next(iter(item.columns)).name
        return (first, *(f"{first}_{n}" for n in range(2, 10)))
    if isinstance(item, ForeignKeyConstraint) and isinstance(table, Table):
        unnamed = [
            constraint
            for constraint in sorted(
                table.foreign_key_constraints, key=lambda c: c._creation_order
            )
            if constraint.name is None
        ]
        return (f"{table.name}_ibfk_{unnamed.index(item) + 1}",)
    return ()


def _database_names(item: Constraint | Index, backend: str) -> tuple[str, ...]:
    """Names the database may know ``item`` by, most likely first."""
    if backend == "mysql" and isinstance(item, PrimaryKeyConstraint):
        return ("PRIMARY",)  # whatever the model called it
    if item.name is not None:
        preparer = _dialect(backend).identifier_preparer
        try:
            # The name as DDL renders it: naming conventions applied, long
            # convention names cut the way SQLAlchemy cuts them.
            name = preparer.format_constraint(item, _alembic_quote=False)
        except (sa_exc.SQLAlchemyError, AssertionError):
            return ()
        return (name,) if name else ()
    if backend == "mysql":
        return _mysql_default_names(item)
    label = _PG_DEFAULT_LABELS.get(type(item))
    if backend != "postgresql" or label is None or item.table is None:
        return ()
    assert isinstance(item, ColumnCollectionConstraint)
    columns = [] if label == "pkey" else [column.name for column in item.columns]
    base = postgres_default_name(item.table.name, columns, label)
    # A clash with an existing name makes PostgreSQL retry with key1, key2, ...
    again = (
        postgres_default_name(item.table.name, columns, f"{label}{n}")
        for n in range(1, 10)
    )
    return (base, *again)


def _catalog_columns(
    session: Session, queries: Sequence[Any], table: str, name: str
) -> list[str] | None:
    for query in queries:
        try:
            rows = session.execute(query, {"name": name, "table": table})
            columns = [str(row[0]) for row in rows]
        except sa_exc.SQLAlchemyError:
            return None
        if columns:
            return columns
    return None
