"""Keyset ("seek") paging: a list's Next and Previous links name the row the
page ends (``after=<key>``) or starts (``before=<key>``) at, and the next page
is read with ``WHERE (sort columns, key) > (that row's)`` instead of
``OFFSET``, so page 10,000 costs what page 1 costs.

The boundary row's sort values are read back by its key (one indexed lookup)
rather than carried in the URL: nothing to decode or trust, and a URL stays
short whatever the column types. When that row is gone, the page falls back
to its ``page`` number (offset). Numbered page links stay offset-based.

NULLs sort first in ascending order on SQLite and MySQL/MariaDB and last on
PostgreSQL; the conditions below follow the database's own placement, so that
a keyset page is exactly the offset page it replaces.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect, Select, and_, false, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from starlette import status
from starlette.exceptions import HTTPException
from starlette.requests import Request

from admin_app.db import is_mysql
from admin_app.keys import RowNotFound, row_clauses

AFTER = "after"
BEFORE = "before"


def nulls_low(dialect: Dialect) -> bool:
    """Whether ``dialect``'s database sorts NULL below every value: an
    ``ORDER BY`` without ``NULLS FIRST/LAST`` (which MySQL lacks) puts it
    where the database does, and the keyset conditions must agree."""
    # SQLite and MySQL put NULL before every value ascending; PostgreSQL after.
    return dialect.name == "sqlite" or is_mysql(dialect.name)


@dataclass(frozen=True)
class SortKey:
    """One column of a list's order."""

    column: Any
    descending: bool

    @property
    def nullable(self) -> bool:
        return bool(getattr(self.column.expression, "nullable", True))


@dataclass(frozen=True)
class Cursor:
    """Where a keyset page starts: after (or before) the row ``identifier``."""

    identifier: str
    backwards: bool


def cursor_of(request: Request) -> Cursor | None:
    after = request.query_params.get(AFTER)
    before = request.query_params.get(BEFORE)
    if after is not None and before is not None:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, "Give either 'after' or 'before', not both"
        )
    if after:
        return Cursor(after, backwards=False)
    if before:
        return Cursor(before, backwards=True)
    return None


def reverse(order: Sequence[SortKey]) -> list[SortKey]:
    return [SortKey(key.column, not key.descending) for key in order]


def boundary_values(
    session: Session, model: type[Any], order: Sequence[SortKey], identifier: str
) -> tuple[Any, ...] | None:
    """The sort values of the row ``identifier`` names, or None if it is gone
    (or the identifier cannot be a key)."""
    try:
        where = row_clauses(model, identifier)
    except RowNotFound:
        return None
    stmt = select(*(key.column for key in order)).where(*where).limit(1)
    row = session.execute(stmt).first()
    return None if row is None else tuple(row)


def seek(
    stmt: Select[Any],
    order: Sequence[SortKey],
    values: Sequence[Any],
    *,
    nulls_low: bool,
) -> Select[Any]:
    """``stmt`` reordered by ``order`` and narrowed to the rows strictly after
    ``values`` in that order. ``nulls_low``: NULL sorts before every value in
    ascending order (SQLite, MySQL) rather than after (PostgreSQL)."""
    condition = _after(order, values, nulls_low)
    clauses = [
        key.column.desc() if key.descending else key.column.asc() for key in order
    ]
    return stmt.order_by(None).where(condition).order_by(*clauses)


def _after(
    order: Sequence[SortKey], values: Sequence[Any], nulls_low: bool
) -> ColumnElement[bool]:
    branches: list[ColumnElement[bool]] = []
    for index, key in enumerate(order):
        later = _later(key, values[index], nulls_low)
        if later is None:
            continue
        same = [
            _same(k.column, v)
            for k, v in zip(order[:index], values[:index], strict=True)
        ]
        branches.append(and_(*same, later))
    condition = or_(*branches) if branches else false()
    lead, value = order[0], values[0]
    if value is not None and (not lead.nullable or _nulls_first(lead, nulls_low)):
        # Redundant, but a range an index on the leading column can start at
        # (a planner does not derive it from the OR above).
        start = lead.column <= value if lead.descending else lead.column >= value
        condition = and_(start, condition)
    return condition


def _nulls_first(key: SortKey, nulls_low: bool) -> bool:
    return nulls_low != key.descending


def _later(key: SortKey, value: Any, nulls_low: bool) -> ColumnElement[bool] | None:
    """Rows whose ``key`` column comes strictly after ``value``; None if none can."""
    column = key.column
    nulls_first = _nulls_first(key, nulls_low)
    if value is None:
        return column.is_not(None) if nulls_first else None
    strictly: ColumnElement[bool] = column < value if key.descending else column > value
    if key.nullable and not nulls_first:
        return or_(strictly, column.is_(None))
    return strictly


def _same(column: Any, value: Any) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value  # type: ignore[no-any-return]
