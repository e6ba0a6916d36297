"""Days, weeks and months as SQL groups them and as a chart's axis lists them.

A period is named by the date it starts on (``"2026-12-04"``; weeks start on
Monday, months on the 1st), in UTC, computed by the database in the GROUP BY
while the WHERE reads the date column's index by range.
"""

from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func, literal
from sqlalchemy.sql import ColumnElement

from admin_app.db import is_mysql
from admin_app.moments import zoned

Every = Literal["day", "week", "month"]
EVERY: tuple[Every, ...] = ("day", "week", "month")


class UnsupportedDatabase(Exception):
    """Periods are grouped on SQLite, PostgreSQL and MySQL/MariaDB only."""


def today() -> date:
    return datetime.now(UTC).date()


def period_start(day: date, every: Every) -> date:
    if every == "week":
        return day - timedelta(days=day.weekday())
    if every == "month":
        return day.replace(day=1)
    return day


def previous(start: date, every: Every) -> date:
    if every == "day":
        return start - timedelta(days=1)
    if every == "week":
        return start - timedelta(days=7)
    return (start - timedelta(days=1)).replace(day=1)


def following(start: date, every: Every) -> date:
    if every == "day":
        return start + timedelta(days=1)
    if every == "week":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def last_periods(count: int, every: Every, until: date | None = None) -> list[date]:
    """The starts of the ``count`` periods up to ``until`` (today), oldest first."""
    start = period_start(until or today(), every)
    starts = [start]
    for _ in range(count - 1):
        starts.append(previous(starts[-1], every))
    return starts[::-1]


def since(first: date, column: Any) -> datetime | date:
    """The bound of ``column >= bound`` from the first period on, as the
    column compares: a UTC moment for date-times, the date for dates."""
    if _is_moment(column):
        moment = datetime(first.year, first.month, first.day, tzinfo=UTC)
        return moment if _zoned(column) else moment.replace(tzinfo=None)
    return first


def bucket(column: Any, every: Every, dialect: str) -> ColumnElement[Any]:
    """The SQL naming the period a ``column`` value falls in, as ``YYYY-MM-DD``."""
    if dialect == "postgresql":
        value = column
        if _is_moment(column) and _zoned(column):
            value = func.timezone(literal("UTC"), column)
        truncated = func.date_trunc(literal(every), value)
        return func.to_char(truncated, literal("YYYY-MM-DD"))
    if dialect == "sqlite":
        if every == "week":
            return func.date(column, literal("-6 days"), literal("weekday 1"))
        if every == "month":
            return func.strftime(literal("%Y-%m-01"), column)
        return func.date(column)
    if is_mysql(dialect):
        # A date-time is a UTC wall time there (DATETIME keeps no zone).
        if every == "week":  # back to its Monday (WEEKDAY: Monday is 0)
            monday = func.subdate(func.date(column), func.weekday(column))
            return func.date_format(monday, literal("%Y-%m-%d"))
        if every == "month":
            return func.date_format(column, literal("%Y-%m-01"))
        return func.date_format(column, literal("%Y-%m-%d"))
    raise UnsupportedDatabase(dialect)


def parse_day(value: Any) -> date | None:
    """A bucket as the database returned it."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _is_moment(column: Any) -> bool:
    return zoned(getattr(column, "expression", column)) is not None


def _zoned(column: Any) -> bool:
    return bool(zoned(getattr(column, "expression", column)))
