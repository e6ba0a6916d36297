"""How many rows a list has, without counting a big table on every page view.

* **Unnarrowed list, big table**: the database's own statistics, shown as
  "≈ 1,234,567": PostgreSQL's ``pg_class.reltuples`` (kept by autovacuum and
  ANALYZE), SQLite's ``sqlite_stat1`` (kept by ANALYZE), MySQL/MariaDB's
  ``information_schema.TABLES.TABLE_ROWS`` (InnoDB keeps it roughly as rows
  are written, ANALYZE TABLE makes it exact again). Used only when they say
  the table holds at least the view's ``count_cap`` rows; a smaller or
  never-analysed table is counted as below.
* **Otherwise**: counted up to ``count_cap`` (default 10,000): the count reads
  at most ``count_cap + 1`` rows and shows "10,000+" past that.
* **Asked for** (``?count=exact``, the figure's link): an exact ``COUNT``.

A count never carries the list's ``ORDER BY``: it counts ``SELECT 1`` rows of
the list's ``FROM``/``WHERE`` (sqladmin wraps the whole ordered statement,
which makes SQLite sort every row to count them).
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqladmin import ModelView
from sqlalchemy import Select, func, literal_column, select, text
from sqlalchemy.orm import Session
from starlette.requests import Request

from admin_app.db import is_mysql
from admin_app.inspection import mapper_of

# Rows counted before a list says "10,000+"; a view's ``count_cap`` overrides.
DEFAULT_CAP = 10_000
EXACT_PARAM = "count"
EXACT_VALUE = "exact"


class Accuracy(StrEnum):
    EXACT = "exact"
    ESTIMATE = "estimate"  # the database's statistics
    AT_LEAST = "at_least"  # counting stopped at the cap


@dataclass(frozen=True)
class RowCount:
    """A list's size and how sure it is."""

    value: int
    accuracy: Accuracy = Accuracy.EXACT

    @property
    def exact(self) -> bool:
        return self.accuracy is Accuracy.EXACT

    def __str__(self) -> str:
        if self.accuracy is Accuracy.ESTIMATE:
            return f"≈ {self.value:,}"
        if self.accuracy is Accuracy.AT_LEAST:
            return f"{self.value:,}+"
        return f"{self.value:,}"


def cap_of(view: ModelView) -> int:
    """The view's ``count_cap`` (plain sqladmin views have none: the default)."""
    return int(getattr(view, "count_cap", DEFAULT_CAP))


def wants_exact(request: Request) -> bool:
    return request.query_params.get(EXACT_PARAM) == EXACT_VALUE


def counted_rows(stmt: Select[Any]) -> Select[Any]:
    """``stmt``'s rows as ``SELECT 1``, unordered: what a count needs."""
    return stmt.order_by(None).with_only_columns(
        literal_column("1"), maintain_column_froms=True
    )


def exact_count(session: Session, stmt: Select[Any]) -> RowCount:
    counted = select(func.count()).select_from(counted_rows(stmt).subquery())
    return RowCount(int(session.scalar(counted) or 0))


def capped_count(session: Session, stmt: Select[Any], cap: int) -> RowCount:
    """Rows of ``stmt``, counted up to ``cap`` (then "cap+")."""
    window = counted_rows(stmt).limit(cap + 1).subquery()
    found = int(session.scalar(select(func.count()).select_from(window)) or 0)
    if found > cap:
        return RowCount(cap, Accuracy.AT_LEAST)
    return RowCount(found)


def estimated_rows(session: Session, view: ModelView) -> int | None:
    """The table's row count from the database's statistics, if it keeps one."""
    table = mapper_of(view.model).local_table
    name = getattr(table, "name", None)
    if name is None:
        return None
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        schema = getattr(table, "schema", None)
        qualified = f'"{schema}"."{name}"' if schema else f'"{name}"'
        value = session.scalar(
            text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:name)"),
            {"name": qualified},
        )
        # -1: never vacuumed or analysed (PostgreSQL 14+).
        return int(value) if value is not None and value >= 0 else None
    if dialect == "sqlite":
        return _sqlite_estimate(session, name)
    if is_mysql(dialect):
        return _mysql_estimate(session, name, getattr(table, "schema", None))
    return None


def _mysql_estimate(session: Session, table: str, schema: str | None) -> int | None:
    """``TABLE_ROWS``: an estimate for InnoDB (NULL for views)."""
    value = session.scalar(
        text(
            "SELECT TABLE_ROWS FROM information_schema.TABLES"
            " WHERE TABLE_SCHEMA = COALESCE(:schema, DATABASE())"
            " AND TABLE_NAME = :table"
        ),
        {"schema": schema, "table": table},
    )
    return int(value) if value is not None else None


def _sqlite_estimate(session: Session, table: str) -> int | None:
    has_stats = session.scalar(
        text(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
        )
    )
    if not has_stats:
        return None
    # Each row's stat starts with the table's row count, whatever the index.
    stat = session.scalar(
        text("SELECT stat FROM sqlite_stat1 WHERE tbl = :table LIMIT 1"),
        {"table": table},
    )
    if not stat:
        return None
    head = str(stat).split(" ", 1)[0]
    return int(head) if head.isdigit() else None


def count_rows(
    session: Session,
    view: ModelView,
    stmt: Select[Any],
    *,
    narrowed: bool,
    exact: bool,
    cap: int,
) -> RowCount:
    """The strategy above, for the list ``stmt`` of ``view``."""
    if exact:
        return exact_count(session, stmt)
    if not narrowed and _whole_table(view):
        estimate = estimated_rows(session, view)
        if estimate is not None and estimate >= cap:
            return RowCount(estimate, Accuracy.ESTIMATE)
    return capped_count(session, stmt, cap)


def _whole_table(view: ModelView) -> bool:
    """Whether the view lists its whole table (a ``list_query`` may narrow it,
    and then the table's statistics say nothing of the list)."""
    return type(view).list_query is ModelView.list_query
