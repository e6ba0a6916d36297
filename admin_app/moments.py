"""Date-times stored as their columns keep them, whatever wrote them.

Real models stamp rows with naive values (``default_factory=datetime.utcnow``,
``onupdate=datetime.utcnow``, a hook's ``datetime.utcnow()``), and sqlmodel
(0.0.50 on) refuses a naive value for its aware ``UTCDateTime`` columns when
the row is flushed. Before each flush of the admin's sessions, every new or
changed row's date-times are put in the convention of their column: a naive
value in a column with a time zone is taken as UTC, an aware one is put in UTC
(SQLite and MariaDB/MySQL keep no zone: they store its wall time as it is);
an aware value in a column without one is stored as naive UTC. Column defaults
computed by Python (``default=``, ``onupdate=``) of such columns are computed
here for the same reason. Values typed into forms are already aware (or naive
for naive columns) and are left as they are.
"""

from datetime import UTC, datetime, time
from functools import cache
from typing import Any

from sqlalchemy import Column, DateTime, event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.types import TypeDecorator

_MISSING = object()


def zoned(column: Column[Any]) -> bool | None:
    """Whether ``column`` keeps a time zone (None: not a date-time column)."""
    kind = column.type
    while isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    return bool(kind.timezone) if isinstance(kind, DateTime) else None


def as_stored(value: Any, with_zone: bool) -> Any:
    """``value`` as a column with (or without) a time zone stores it."""
    if not isinstance(value, datetime):
        return value
    if with_zone and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    if with_zone and value.utcoffset():
        # SQLite and MariaDB/MySQL keep no zone: their drivers write the wall
        # time and drop the offset, so the instant is written in UTC.
        return value.astimezone(UTC)
    if not with_zone and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def shown_unchanged(posted: Any, stored: Any) -> bool:
    """Whether ``posted`` is what an input showing ``stored`` sends back
    unchanged: a date-time input shows seconds, a time input minutes, so a
    stamp like ``utcnow()`` never comes back whole."""
    if type(posted) is not type(stored):
        return False
    if isinstance(stored, datetime):
        return bool(posted == stored.replace(microsecond=0))
    if isinstance(stored, time):
        return bool(posted == stored.replace(second=0, microsecond=0))
    return False


def _python_default(default: Any) -> Any:
    """What a column's Python-side default (or onupdate) gives now, if it is a
    plain value or a callable that needs no statement context."""
    if default is None or not (default.is_scalar or default.is_callable):
        return _MISSING
    if default.is_scalar:
        return default.arg
    try:
        return default.arg(None)
    except Exception:  # it wants the statement's context: SQLAlchemy's job
        return _MISSING


@cache
def _date_time_columns(mapper: Mapper[Any]) -> list[tuple[str, Column[Any], bool]]:
    found = []
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        if isinstance(column, Column) and (with_zone := zoned(column)) is not None:
            found.append((attr.key, column, with_zone))
    return found


def store_as_columns_keep(row: Any, is_new: bool) -> None:
    """Put ``row``'s date-times about to be written (and the Python defaults
    its INSERT or UPDATE would compute) in the convention of their columns."""
    state = sa_inspect(row)
    for key, column, with_zone in _date_time_columns(state.mapper):
        value = state.dict.get(key)
        if is_new and value is None:
            value = _python_default(column.default)
        elif not is_new and not state.attrs[key].history.has_changes():
            value = _python_default(column.onupdate)
        if value is _MISSING or value is None:
            continue
        stored = as_stored(value, with_zone)
        if stored is not value:
            setattr(row, key, stored)


def _before_flush(session: Session, context: Any, instances: Any) -> None:
    for row in list(session.new):
        store_as_columns_keep(row, is_new=True)
    for row in list(session.dirty):
        if session.is_modified(row, include_collections=False):
            store_as_columns_keep(row, is_new=False)


def keep_column_conventions(session_class: type[Session]) -> None:
    """Normalise date-times before every flush of ``session_class``'s sessions."""
    event.listen(session_class, "before_flush", _before_flush)
