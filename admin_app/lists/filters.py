"""List filters sqladmin gets wrong or lacks, and what all of ours share.

Our filters read the query string themselves (:class:`ParamFilter`): one
filter may read several parameters (a range's ``_from`` and ``_to``) and a
parameter several times (the picks of a foreign-key filter). A value a person
typed that the filter cannot read raises :class:`FilterValueError`: the list
drops that filter and says so (:mod:`admin_app.lists.params`), where a
parameter no page produces stays a 400."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqladmin._types import _UNSET
from sqladmin.filters import get_column_obj
from sqladmin.i18n import lazy_gettext as _
from sqlalchemy import Select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import Date, DateTime, Integer, TypeDecorator
from starlette.datastructures import QueryParams

from admin_app.lists.matching import integer_term

BETWEEN_SEPARATOR = "/"  # ISO 8601's, for an interval
FROM, TO, OP = "_from", "_to", "_op"


class FilterValueError(ValueError):
    """A filter's value it cannot read; ``args[0]`` is the value."""


def whole_number(kind: Integer, text: str) -> int:
    """``text`` as a value of the integer column type ``kind``;
    FilterValueError when it is none (or out of the type's range)."""
    number = integer_term(kind, text)
    if number is None:
        raise FilterValueError(text)
    return number


@dataclass(frozen=True)
class Chip:
    """An active filter as the chip above the table shows it."""

    text: str
    # The query parameters (name, value) the chip's removal drops; a value of
    # None drops every value of that name.
    drops: tuple[tuple[str, str | None], ...]


def zone_of(view: Any) -> tzinfo:
    """The zone a view shows and reads date-times in (UTC for sqladmin's)."""
    zone = getattr(view, "display_timezone", None)
    found = zone() if callable(zone) else None
    return found if isinstance(found, tzinfo) else UTC


class ParamFilter:
    """Our filters' shape, beside sqladmin's (``template``, ``title``,
    ``parameter_name``, ``has_operator``, ``get_filtered_query``)."""

    has_operator = False
    default_value: Any = _UNSET
    template = ""
    operations: frozenset[str] = frozenset()  # the ``_op`` values it reads

    def __init__(self, column: Any, title: str | None = None) -> None:
        self.column = column
        self.parameter_name = str(getattr(column, "key", column))
        self.title = title or self.parameter_name.replace("_", " ").capitalize()

    def parameters(self) -> frozenset[str]:
        """The query parameters this filter reads."""
        name = self.parameter_name
        return frozenset({name, name + FROM, name + TO, name + OP})

    def repeatable(self) -> frozenset[str]:
        """The parameters it reads more than once."""
        return frozenset()

    def is_active(self, params: QueryParams) -> bool:
        return any(
            value.strip()
            for name in self.parameters() - {self.parameter_name + OP}
            for value in params.getlist(name)
        )

    def clauses(self, view: Any, params: QueryParams) -> list[ColumnElement[bool]]:
        """The WHERE clauses for ``params``; FilterValueError for a value it
        cannot read."""
        raise NotImplementedError

    def chips(
        self, view: Any, params: QueryParams, labels: Mapping[str, str] | None = None
    ) -> list[Chip]:
        """The chips of the values ``params`` give (``labels``: of picked keys)."""
        raise NotImplementedError

    def column_of(self, view: Any) -> Any:
        return get_column_obj(self.column, view.model)

    async def lookups(
        self, request: Any, model: Any, run_query: Any
    ) -> list[tuple[str, str]]:
        return []

    async def get_filtered_query(
        self, query: Select[Any], value: Any, model: Any
    ) -> Select[Any]:
        """sqladmin's API; lists apply ours by :meth:`clauses` instead."""
        return query


@dataclass(frozen=True)
class _Bound:
    """A filter value read for a column: a day, or a moment within one."""

    value: date | datetime
    whole_day: bool

    def day_after(self) -> date | datetime:
        return self.value + timedelta(days=1)


# Periods a date filter offers as links, ending with today (in the view's zone).
PRESETS = {
    "today": _("Today"),
    "last_7_days": _("Last 7 days"),
    "this_month": _("This month"),
    "this_year": _("This year"),
}
_OPERATION_TEXT = {
    "equals": _("on %(value)s"),
    "greater_than": _("after %(value)s"),
    "less_than": _("before %(value)s"),
    "between": _("between %(value)s"),
}


def preset_days(name: str, today: date) -> tuple[date, date]:
    """The first day of the period ``name`` and the day after its last."""
    if name == "today":
        return today, today + timedelta(days=1)
    if name == "last_7_days":
        return today - timedelta(days=6), today + timedelta(days=1)
    if name == "this_month":
        first = today.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return first, following
    if name == "this_year":
        return date(today.year, 1, 1), date(today.year + 1, 1, 1)
    raise FilterValueError(name)


class DateRangeFilter(ParamFilter):
    """Rows within a period (``_op=within``: today, last 7 days, this month,
    this year), from and to a day or a moment (``_from``, ``_to``: what the
    panel's calendars send), or (links and URLs made before) on, after,
    before or between (``2024-05-01``, ``2024-05-01T12:00``,
    ``2024-05-01/2024-05-31``), for date and datetime columns. A value without
    an offset is read in the view's display time zone.

    A day is a whole day: "after 2024-05-01" starts on the 2nd, "to
    2024-05-31" ends with the 31st. sqladmin's own operation filter has no
    range, and takes sqlmodel's aware datetime column for text (a 500)."""

    template = "sqladmin/filters/date_filter.html"
    operations = frozenset({*_OPERATION_TEXT, "within"})
    presets = PRESETS

    def input_type(self, view: Any) -> str:
        """The calendar the panel shows: a day, or a day and a time."""
        return "date" if _is_date_only(self.column_of(view)) else "datetime-local"

    def clauses(self, view: Any, params: QueryParams) -> list[ColumnElement[bool]]:
        column, zone, name = self.column_of(view), zone_of(view), self.parameter_name
        found: list[ColumnElement[bool]] = []
        text = params.get(name, "").strip()
        operation = params.get(name + OP, "")
        if text and operation == "within":
            found += self.period(column, text, zone)
        elif text and operation:
            found += self.operation_clauses(column, operation, text, zone)
        low, high = params.get(name + FROM, "").strip(), params.get(name + TO, "")
        if low:
            found.append(column >= self.bound(column, low, zone).value)
        if high.strip():
            bound = self.bound(column, high, zone)
            found.append(
                column < bound.day_after() if bound.whole_day else column <= bound.value
            )
        return found

    def period(self, column: Any, name: str, zone: tzinfo) -> list[ColumnElement[bool]]:
        first, end = preset_days(name, datetime.now(zone).date())
        if _is_date_only(column):
            return [column >= first, column < end]
        start = _stored(datetime.combine(first, time()), column, zone)
        stop = _stored(datetime.combine(end, time()), column, zone)
        return [column >= start, column < stop]

    def operation_clauses(
        self, column: Any, operation: str, text: str, zone: tzinfo = UTC
    ) -> list[ColumnElement[bool]]:
        """The WHERE clauses for ``operation`` on ``text``; FilterValueError
        when the text is not a date, a moment or (for "between") two of them."""
        if operation == "between":
            low_text, separator, high_text = text.partition(BETWEEN_SEPARATOR)
            if not separator:
                raise FilterValueError(text)
            low = self.bound(column, low_text, zone)
            high = self.bound(column, high_text, zone)
            top = column < high.day_after() if high.whole_day else column <= high.value
            return [column >= low.value, top]
        bound = self.bound(column, text, zone)
        if operation == "equals":
            if bound.whole_day and not _is_date_only(column):
                return [column >= bound.value, column < bound.day_after()]
            return [column == bound.value]
        if operation == "greater_than":
            if bound.whole_day and not _is_date_only(column):
                return [column >= bound.day_after()]
            return [column > bound.value]
        if operation == "less_than":
            return [column < bound.value]
        raise FilterValueError(operation)

    def bound(self, column: Any, text: str, zone: tzinfo = UTC) -> _Bound:
        text = text.strip()
        try:
            if _is_date_only(column):
                return _Bound(date.fromisoformat(text), whole_day=True)
            moment = datetime.fromisoformat(text)
            return _Bound(_stored(moment, column, zone), len(text) == len("2024-05-01"))
        except (ValueError, OverflowError):
            raise FilterValueError(text) from None

    def chips(
        self, view: Any, params: QueryParams, labels: Mapping[str, str] | None = None
    ) -> list[Chip]:
        name, found = self.parameter_name, []
        text = params.get(name, "").strip()
        operation = params.get(name + OP, "")
        pair = ((name, None), (name + OP, None))
        if text and operation == "within":
            found.append(Chip(f"{self.title}: {PRESETS.get(text, text)}", pair))
        elif text and operation in _OPERATION_TEXT:
            said = _OPERATION_TEXT[operation] % {"value": text}
            found.append(Chip(f"{self.title}: {said}", pair))
        for suffix, said in ((FROM, _("from %(value)s")), (TO, _("to %(value)s"))):
            value = params.get(name + suffix, "").strip()
            if value:
                text_of = said % {"value": value.replace("T", " ")}
                found.append(Chip(f"{self.title}: {text_of}", ((name + suffix, None),)))
        return found


def _stored(moment: datetime, column: Any, zone: tzinfo) -> datetime:
    """``moment`` as ``column`` holds it: UTC for a column with a time zone,
    the display zone's wall time for one without (naive moments are in it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if _is_aware(column):
        return moment.astimezone(UTC)
    return moment.astimezone(zone).replace(tzinfo=None)


def _column_type(column: Any) -> Any:
    kind = column.type
    return kind.impl if isinstance(kind, TypeDecorator) else kind


def _is_date_only(column: Any) -> bool:
    kind = _column_type(column)
    return isinstance(kind, Date) and not isinstance(kind, DateTime)


def _is_aware(column: Any) -> bool:
    kind = column.type
    return is_aware_datetime(kind) or (
        isinstance(kind, DateTime) and bool(kind.timezone)
    )


def is_aware_datetime(column_type: Any) -> bool:
    """A type decorator over a timezone-aware DateTime (sqlmodel's UTCDateTime)."""
    impl = getattr(column_type, "impl", None)
    return (
        isinstance(column_type, TypeDecorator)
        and isinstance(impl, DateTime)
        and bool(impl.timezone)
    )


def is_date_or_moment(column_type: Any) -> bool:
    """Columns :class:`DateRangeFilter` serves (not times of day)."""
    kind = column_type.impl if isinstance(column_type, TypeDecorator) else column_type
    return isinstance(kind, Date | DateTime)
