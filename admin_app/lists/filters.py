"""List filters sqladmin gets wrong or lacks for some column types."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqladmin.filters import OperationColumnFilter, get_column_obj
from sqlalchemy import Select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import Date, DateTime, TypeDecorator
from starlette.exceptions import HTTPException

BETWEEN_SEPARATOR = "/"  # ISO 8601's, for an interval


@dataclass(frozen=True)
class _Bound:
    """A filter value read for a column: a day, or a moment within one."""

    value: date | datetime
    whole_day: bool

    def day_after(self) -> date | datetime:
        return self.value + timedelta(days=1)


class DateRangeFilter(OperationColumnFilter):
    """Rows on a day, after or before a day or a moment, or between two
    (``2024-05-01``, ``2024-05-01T12:00``, ``2024-05-01/2024-05-31``), for date
    and datetime columns; aware columns (sqlmodel's) read values in UTC unless
    they name their offset.

    A day is a whole day: "after 2024-05-01" starts on the 2nd, "between
    2024-05-01/2024-05-31" ends with the 31st. sqladmin's own operation filter
    has no range, and takes sqlmodel's aware datetime column for text (a 500)."""

    placeholder = "2024-05-01, or from/to: 2024-05-01/2024-05-31"

    def get_operation_options(self, column_obj: Any) -> list[tuple[str, str]]:
        return [
            ("equals", "On"),
            ("greater_than", "After"),
            ("less_than", "Before"),
            ("between", "Between (from/to)"),
        ]

    def clauses(
        self, column: Any, operation: str, text: str
    ) -> list[ColumnElement[bool]]:
        """The WHERE clauses for ``operation`` on ``text``; ValueError when the
        text is not a date, a moment or (for "between") two of them."""
        if operation == "between":
            low_text, separator, high_text = text.partition(BETWEEN_SEPARATOR)
            if not separator:
                raise ValueError(text)
            low, high = self.bound(column, low_text), self.bound(column, high_text)
            top = column < high.day_after() if high.whole_day else column <= high.value
            return [column >= low.value, top]
        bound = self.bound(column, text)
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
        raise ValueError(operation)

    def bound(self, column: Any, text: str) -> _Bound:
        text = text.strip()
        if _is_date_only(column):
            return _Bound(date.fromisoformat(text), whole_day=True)
        moment = datetime.fromisoformat(text)
        whole_day = len(text) == len("2024-05-01")
        if _is_aware(column):
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
        elif moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        return _Bound(moment, whole_day)

    async def get_filtered_query(
        self, query: Select[Any], operation: str, value: Any, model: Any
    ) -> Select[Any]:
        text = str(value or "").strip()
        if not text or not operation:
            return query
        column = get_column_obj(self.column, model)
        try:
            return query.where(*self.clauses(column, operation, text))
        except ValueError:
            raise HTTPException(
                400, f"Invalid value for the filter {self.title!r}."
            ) from None


def _column_type(column: Any) -> Any:
    kind = column.type
    return kind.impl if isinstance(kind, TypeDecorator) else kind


def _is_date_only(column: Any) -> bool:
    kind = _column_type(column)
    return isinstance(kind, Date) and not isinstance(kind, DateTime)


def _is_aware(column: Any) -> bool:
    return is_aware_datetime(column.type)


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
