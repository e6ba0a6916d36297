"""List filters sqladmin gets wrong for some column types."""

from datetime import UTC, datetime
from typing import Any

from sqladmin.filters import OperationColumnFilter
from sqlalchemy.types import DateTime, TypeDecorator


class AwareDateTimeFilter(OperationColumnFilter):
    """Rows at, after or before a moment (ISO 8601, UTC unless it names its
    offset), for sqlmodel's aware datetime columns: sqladmin's own filter takes
    that type decorator for text and passes the string on (a 500)."""

    def get_operation_options(self, column_obj: Any) -> list[tuple[str, str]]:
        return [
            ("equals", "Equals"),
            ("greater_than", "Greater than"),
            ("less_than", "Less than"),
        ]

    def _convert_value_for_column(
        self, value: str, column_obj: Any, operation: str = "equals"
    ) -> Any:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def is_aware_datetime(column_type: Any) -> bool:
    """A type decorator over a timezone-aware DateTime (sqlmodel's UTCDateTime)."""
    impl = getattr(column_type, "impl", None)
    return (
        isinstance(column_type, TypeDecorator)
        and isinstance(impl, DateTime)
        and bool(impl.timezone)
    )
