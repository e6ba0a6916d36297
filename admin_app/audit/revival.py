"""Rows brought back from the audit trail: a deleted row's recorded values
(JSON) turned back into column values, and what would keep them from being
inserted again, found before anything is written.

The trail keeps what JSON holds (:func:`admin_app.audit.entries.plain`): text
for date-times, UUIDs and decimals, an enum's value. :func:`revive` reads them
back by the column's type. :func:`conflicts` names a key or unique value taken
since and a foreign key to a row that is gone, so that a restore refuses with
words, not the database's error.
"""

import enum
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqladmin.i18n import gettext
from sqlalchemy import (
    Column,
    ForeignKeyConstraint,
    Index,
    Table,
    UniqueConstraint,
    select,
    tuple_,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

from admin_app.audit.entries import REDACTED
from admin_app.inspection import columns_of, humanize
from admin_app.moments import as_stored, zoned


class Unrestorable(Exception):
    """A row cannot be brought back; the message says why, for the user."""


@dataclass(frozen=True)
class Shape:
    """How a table's recorded values are named: by attribute (a model's) or by
    column key (a table without one)."""

    table: Table
    model: type | None
    # attribute name -> column
    columns: Mapping[str, Column[Any]]

    @classmethod
    def of(cls, table: Table, model: type | None) -> "Shape":
        if model is None:
            return cls(table, None, {str(c.key): c for c in table.c})
        mapper: Mapper[Any] = sa_inspect(model)
        return cls(
            table,
            model,
            {
                prop.key: prop.columns[0]
                for prop in mapper.column_attrs
                if isinstance(prop.columns[0], Column)
                and prop.columns[0].table is table
            },
        )

    def title(self, name: str) -> str:
        """The field's title, as forms show it (its ``title``, else its name)."""
        model = self.model
        if isinstance(model, type) and issubclass(model, SQLModel):
            for fact in columns_of(model):
                if fact.name == name:
                    return fact.title
        return humanize(name)

    def name_of(self, column: Column[Any]) -> str:
        for name, each in self.columns.items():
            if each is column:
                return name
        return str(column.key)


def _base_type(column: Column[Any]) -> Any:
    kind = column.type
    while isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    return kind


def revive(column: Column[Any], value: Any) -> Any:
    """``value`` as recorded in the trail, as ``column`` holds it; raises
    ValueError when it cannot be one."""
    if value is None:
        return None
    enum_class = getattr(column.type, "enum_class", None)
    if isinstance(enum_class, type) and issubclass(enum_class, enum.Enum):
        try:
            return enum_class(value)
        except ValueError:
            return enum_class[value]
    try:
        # The outer type's: an Interval decorates a date-time, yet holds durations.
        python = column.type.python_type
    except NotImplementedError:
        try:
            python = _base_type(column).python_type
        except NotImplementedError:
            return value
    if not isinstance(value, str):
        if python is Decimal and isinstance(value, int | float):
            return Decimal(str(value))
        return value
    try:
        if python is datetime:
            return as_stored(datetime.fromisoformat(value), bool(zoned(column)))
        if python is date:
            return date.fromisoformat(value)
        if python is time:
            return time.fromisoformat(value)
        if python is uuid.UUID:
            return uuid.UUID(value)
        if python is Decimal:
            return Decimal(value)
        if python is timedelta:
            return duration(value)
    except InvalidOperation:
        raise ValueError(value) from None
    return value


# str(timedelta): "18:00:00", "1 day, 0:30:00", "-2 days, 23:59:59.500000"
_DURATION = re.compile(r"(?:(-?\d+) days?, )?(\d+):(\d\d):(\d\d)(?:\.(\d{1,6}))?")


def duration(text: str) -> timedelta:
    """A duration as ``str(timedelta)`` wrote it; ValueError for anything else."""
    found = _DURATION.fullmatch(text.strip())
    if found is None:
        raise ValueError(text)
    days, hours, minutes, seconds, fraction = found.groups()
    return timedelta(
        days=int(days or 0),
        hours=int(hours),
        minutes=int(minutes),
        seconds=int(seconds),
        microseconds=int((fraction or "0").ljust(6, "0")),
    )


def redacted(changes: Mapping[str, Any]) -> set[str]:
    """The fields whose recorded values the trail hides."""
    return {
        name
        for name, change in changes.items()
        if isinstance(change, dict) and change.get("before") == REDACTED
    }


def is_required(column: Column[Any]) -> bool:
    """Whether an insert needs a value for ``column`` (nothing fills it in)."""
    return not (
        column.nullable
        or column.default is not None
        or column.server_default is not None
        or column.autoincrement is True
    )


def recorded_values(
    shape: Shape, changes: Mapping[str, Any], secrets: frozenset[str]
) -> tuple[dict[str, Any], list[str]]:
    """The columns' values a deleted row's entry recorded, by attribute name,
    and the hidden ones left out. Raises :class:`Unrestorable` for a hidden
    one that is required, or a value that is no longer one of its column."""
    values: dict[str, Any] = {}
    left_out: list[str] = []
    hidden = redacted(changes) | (set(changes) & secrets)
    for name, column in shape.columns.items():
        change = changes.get(name)
        if not isinstance(change, dict):
            continue
        if name in hidden:
            if is_required(column):
                raise Unrestorable(
                    gettext(
                        "Not restored: %(field)s is hidden in the audit trail, "
                        "and the row cannot be saved without it."
                    )
                    % {"field": shape.title(name)}
                )
            left_out.append(shape.title(name))
            continue
        try:
            values[name] = revive(column, change.get("before"))
        except (ValueError, KeyError, TypeError):
            raise Unrestorable(
                gettext("Not restored: the recorded %(field)s is no longer valid.")
                % {"field": shape.title(name)}
            ) from None
    return values, left_out


def by_column_key(shape: Shape, values: Mapping[str, Any]) -> dict[str, Any]:
    return {str(shape.columns[name].key): value for name, value in values.items()}


def _unique_sets(table: Table) -> list[list[Column[Any]]]:
    """The column sets whose values no two rows may share."""
    sets: list[list[Column[Any]]] = [list(table.primary_key.columns)]
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            sets.append(list(constraint.columns))
    for index in table.indexes:
        if isinstance(index, Index) and index.unique:
            sets.append([c for c in index.columns if isinstance(c, Column)])
    for column in table.c:
        if column.unique:
            sets.append([column])
    return [columns for columns in sets if columns]


def conflicts(
    session: Session,
    shape: Shape,
    rows: Sequence[Mapping[str, Any]],
    what: Callable[[int], str],
) -> str | None:
    """Why the rows of ``rows`` (values by attribute name, in the order they
    are to be inserted) cannot be inserted now: a key or a unique value taken,
    or a reference to a row that is gone. ``what(i)`` names row ``i`` in the
    message. None when nothing stands in the way. One query per unique set and
    per foreign key, whatever the number of rows (up to :data:`CHUNK` a query).
    """
    keyed = [by_column_key(shape, values) for values in rows]
    try:
        for position, columns in enumerate(_unique_sets(shape.table)):
            index = _first_found(session, columns, keyed)
            if index is None:
                continue
            if position == 0:
                return gettext("Not restored: %(what)s exists again.") % {
                    "what": what(index)
                }
            fields = ", ".join(shape.title(shape.name_of(c)) for c in columns)
            shown = ", ".join(str(keyed[index][str(c.key)]) for c in columns)
            return gettext(
                "Not restored: %(fields)s “%(value)s” of %(what)s is taken by "
                "another row since."
            ) % {"fields": fields, "value": shown, "what": what(index)}
        for constraint in shape.table.foreign_key_constraints:
            index = _first_missing(session, constraint, keyed)
            if index is None:
                continue
            local = [key.parent for key in constraint.elements]
            target = constraint.elements[0].column.table
            name = humanize(str(getattr(target, "name", ""))).lower()
            key = ";".join(str(keyed[index][str(c.key)]) for c in local)
            return gettext(
                "Not restored: %(what)s refers by %(field)s to %(target)s, "
                "which no longer exists."
            ) % {
                "what": what(index),
                "field": shape.title(shape.name_of(local[0])),
                "target": f"{name} #{key}",
            }
    except SQLAlchemyError:
        return gettext("Not restored: the recorded values no longer fit.")
    return None


# Rows looked up in one query, at most.
CHUNK = 500


def _values_of(
    row: Mapping[str, Any], columns: Sequence[Column[Any]]
) -> tuple[Any, ...] | None:
    values = tuple(row.get(str(c.key)) for c in columns)
    return None if any(value is None for value in values) else values


def _existing(
    session: Session, columns: Sequence[Column[Any]], wanted: list[tuple[Any, ...]]
) -> set[tuple[Any, ...]]:
    """Which of ``wanted`` (values of ``columns``) some row holds."""
    found: set[tuple[Any, ...]] = set()
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start : start + CHUNK]
        where = (
            columns[0].in_([values[0] for values in part])
            if len(columns) == 1
            else tuple_(*columns).in_(part)
        )
        found.update(
            tuple(row) for row in session.execute(select(*columns).where(where))
        )
    return found


def _first_found(
    session: Session, columns: Sequence[Column[Any]], keyed: Sequence[Mapping[str, Any]]
) -> int | None:
    """The first row whose values of ``columns`` a row in the database holds."""
    wanted: dict[tuple[Any, ...], int] = {}
    for index, row in enumerate(keyed):
        values = _values_of(row, columns)
        if values is not None:
            wanted.setdefault(values, index)
    if not wanted:
        return None
    found = _existing(session, columns, list(wanted))
    hits = [index for values, index in wanted.items() if values in found]
    return min(hits) if hits else None


def _first_missing(
    session: Session,
    constraint: ForeignKeyConstraint,
    keyed: Sequence[Mapping[str, Any]],
) -> int | None:
    """The first row referring by ``constraint`` to a row that is not there:
    neither in the database nor (a tree's) earlier among ``keyed``."""
    local = [key.parent for key in constraint.elements]
    target = [key.column for key in constraint.elements]
    own = target[0].table is local[0].table
    wanted: dict[tuple[Any, ...], int] = {}
    earlier: set[tuple[Any, ...]] = set()
    for index, row in enumerate(keyed):
        values = _values_of(row, local)
        if values is not None and values not in earlier:
            wanted.setdefault(values, index)
        if own:
            mine = _values_of(row, target)
            if mine is not None:
                earlier.add(mine)
    if not wanted:
        return None
    found = _existing(session, target, list(wanted))
    missing = [index for values, index in wanted.items() if values not in found]
    return min(missing) if missing else None
