"""The widgets an ops team declares, in its models module or passed to
``mount_admin(dashboard=...)``::

    dashboard = Dashboard(
        TimeSeries("Orders per day", Order, Order.created_at, by=Order.status),
        Kpi("Open orders", Order, where=Order.status != OrderStatus.shipped),
        Ranking("Top requesters", Order, by=Order.requester_id),
    )

Each widget is shown to those who may view its model's rows (the model's view
grant), keeps its figures ``cache_seconds`` (default: the setting), and reads
one statement (a ranking or a series grouped by a foreign key: one more for
the labels).
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqladmin.i18n import gettext
from sqlalchemy import Select, func, literal_column, select, text
from sqlalchemy.exc import CompileError
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from admin_app.dashboard.periods import (
    Every,
    bucket,
    following,
    last_periods,
    parse_day,
    since,
)
from admin_app.dashboard.widget import Viewer, Where, Widget, resolved, slug_of
from admin_app.inspection import columns_of, humanize
from admin_app.keys import format_key
from admin_app.labels import row_label
from admin_app.lists.counting import Accuracy, RowCount, capped_count
from admin_app.references import Labels, Reference, referenced_model

Aggregate = Literal["count", "sum", "avg", "min", "max"]
# A count of more rows than this is estimated by the planner on PostgreSQL.
KPI_COUNT_CAP = 10_000


def _aggregate(aggregate: Aggregate, column: Any) -> Any:
    if aggregate == "count":
        return func.count() if column is None else func.count(column)
    if column is None:
        raise ValueError(f"{aggregate} needs a column")
    return getattr(func, aggregate)(column)


def _where(stmt: Select[Any], where: Where) -> Select[Any]:
    condition = resolved(where)
    return stmt if condition is None else stmt.where(condition)


def number_text(value: Any) -> str:
    """A figure as a card shows it: thousands separated, two decimals at most."""
    if value is None:
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    rounded = round(float(value), 2)
    return f"{rounded:,.0f}" if rounded.is_integer() else f"{rounded:,.2f}"


class _ModelWidget(Widget):
    model: type[SQLModel]

    def allowed(self, viewer: Viewer) -> bool:
        return viewer.may_view(self.model)

    def __post_init__(self) -> None:
        if not self.slug:
            self.slug = slug_of(self.title)


@dataclass(frozen=True)
class Figure:
    """A KPI's value: its text ("≈ 41,200", "10,000+") and whether it is
    the database's estimate."""

    text: str
    estimated: bool = False


@dataclass(eq=False)
class Kpi(_ModelWidget):
    """One figure: ``aggregate`` of ``column`` over the rows ``where`` holds.
    A count stops at ``cap`` rows and is then PostgreSQL's estimate ("≈ N";
    elsewhere "10,000+")."""

    title: str
    model: type[SQLModel]
    aggregate: Aggregate = "count"
    column: Any = None
    where: Where = None
    cap: int = KPI_COUNT_CAP
    cache_seconds: int | None = None
    refresh_seconds: int | None = None
    slug: str = ""
    width: str = "col-sm-6 col-xl-4"
    kind = "kpi"

    def read(self, session: Session, viewer: Viewer) -> Figure:
        if self.aggregate == "count":
            stmt = _where(
                select(literal_column("1")).select_from(self.model), self.where
            )
            counted = capped_count(session, stmt, self.cap)
            if not counted.exact:
                counted = planner_estimate(session, stmt) or counted
            return Figure(str(counted), counted.accuracy is Accuracy.ESTIMATE)
        stmt = _where(select(_aggregate(self.aggregate, self.column)), self.where)
        return Figure(number_text(session.scalar(stmt.select_from(self.model))))


def planner_estimate(session: Session, stmt: Select[Any]) -> RowCount | None:
    """PostgreSQL's estimate of ``stmt``'s rows (EXPLAIN, nothing read)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    try:
        # The declared condition's values, quoted by the dialect (EXPLAIN
        # takes no parameters); one it cannot write keeps the capped count.
        compiled = stmt.compile(
            dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}
        )
    except (CompileError, NotImplementedError):
        return None
    plan = session.scalar(text(f"EXPLAIN (FORMAT JSON) {compiled}"))
    try:
        rows = int(plan[0]["Plan"]["Plan Rows"])
    except (TypeError, KeyError, IndexError, ValueError):
        return None
    return RowCount(rows, Accuracy.ESTIMATE)


@dataclass(frozen=True)
class Series:
    """One stacked band of a chart: its label and a value per period."""

    label: str
    values: list[float]


@dataclass(frozen=True)
class SeriesData:
    periods: list[date]
    series: list[Series]
    every: Every

    @property
    def totals(self) -> list[float]:
        return [
            sum(values) for values in zip(*(s.values for s in self.series), strict=True)
        ] or [0.0 for _ in self.periods]


@dataclass(eq=False)
class TimeSeries(_ModelWidget):
    """``aggregate`` per day, week or month of ``column`` (a date or date-time,
    indexed: the last ``periods`` are read by range), stacked by ``by`` (an
    enum column or a foreign key) when given. The last period is today's,
    or the one holding ``until``."""

    title: str
    model: type[SQLModel]
    column: Any
    every: Every = "day"
    periods: int = 30
    aggregate: Aggregate = "count"
    value: Any = None
    by: Any = None
    where: Where = None
    until: date | None = None
    cache_seconds: int | None = None
    refresh_seconds: int | None = None
    slug: str = ""
    width: str = "col-12 col-xl-8"
    kind = "series"

    def read(self, session: Session, viewer: Viewer) -> SeriesData:
        dialect = session.get_bind().dialect.name
        starts = last_periods(self.periods, self.every, self.until)
        period = bucket(self.column, self.every, dialect).label("period")
        columns = [period, _aggregate(self.aggregate, self.value).label("value")]
        if self.by is not None:
            columns.insert(1, self.by)
        stmt = select(*columns).where(self.column >= since(starts[0], self.column))
        if self.until is not None:
            end = following(starts[-1], self.every)
            stmt = stmt.where(self.column < since(end, self.column))
        stmt = _where(stmt, self.where).group_by(*columns[:-1])
        found: dict[Any, dict[date, float]] = {}
        for row in session.execute(stmt):
            day = parse_day(row[0])
            group = row[1] if self.by is not None else None
            if day is not None:
                per_group = found.setdefault(group, {})
                per_group[day] = per_group.get(day, 0.0) + float(row[-1] or 0)
        labels = self._group_labels(session, viewer, list(found))
        series = [
            Series(labels[group], [found[group].get(day, 0.0) for day in starts])
            for group in sorted(found, key=lambda g: labels[g])
        ]
        return SeriesData(
            starts, series or [Series(self.title, [0.0] * len(starts))], self.every
        )

    def _group_labels(
        self, session: Session, viewer: Viewer, groups: list[Any]
    ) -> dict[Any, str]:
        target = _referenced(self.model, self.by)
        if target is None or not viewer.may_view(target):
            return {group: _group_text(group) for group in groups}
        labels = Labels()
        for group in groups:
            labels.want(target, group)
        labels.load(session)
        return {
            group: _group_text(group)
            if group is None
            else str(labels.get(target, group))
            for group in groups
        }


def _group_text(group: Any) -> str:
    if group is None:
        return gettext("(none)")
    return str(getattr(group, "value", group))


def _title_of(model: type[SQLModel], column: Any) -> str:
    """A column's title as forms show it ("Requester" for ``requester_id``)."""
    key = getattr(column, "key", None)
    titles = {fact.name: fact.title for fact in columns_of(model)}
    return titles.get(str(key)) or humanize(str(key))


def _referenced(model: type[SQLModel], column: Any) -> type[SQLModel] | None:
    key = getattr(column, "key", None)
    return referenced_model(model, key) if isinstance(key, str) else None


@dataclass(frozen=True)
class TableData:
    """A table's rows: each named (and linked) first, then its cells; the
    first header names the rows."""

    headers: list[str]
    rows: list[tuple[Reference, list[Any]]]


@dataclass(eq=False)
class TopRows(_ModelWidget):
    """The first ``limit`` rows of ``model`` in ``order_by`` order (``where``
    holds), each linked to its detail page, with ``columns`` beside it."""

    title: str
    model: type[SQLModel]
    order_by: Sequence[Any]
    columns: Sequence[str] = ()
    where: Where = None
    limit: int = 5
    cache_seconds: int | None = None
    refresh_seconds: int | None = None
    slug: str = ""
    kind = "table"

    def read(self, session: Session, viewer: Viewer) -> TableData:
        stmt = _where(select(self.model), self.where).order_by(*self.order_by)
        rows = []
        for row in session.scalars(stmt.limit(self.limit)):
            reference = Reference(self.model, format_key(row), row_label(row))
            rows.append((reference, [getattr(row, name) for name in self.columns]))
        names = [str(self.model.__name__), *(humanize(n) for n in self.columns)]
        return TableData(names, rows)


@dataclass(eq=False)
class Ranking(_ModelWidget):
    """The ``limit`` values of ``by`` (a foreign key or enum) with the largest
    ``aggregate``: "top requesters" is ``Ranking(..., Order, by=Order.requester_id)``.
    A foreign key's rows are named by label and linked."""

    title: str
    model: type[SQLModel]
    by: Any
    aggregate: Aggregate = "count"
    value: Any = None
    where: Where = None
    limit: int = 5
    heading: str = ""
    cache_seconds: int | None = None
    refresh_seconds: int | None = None
    slug: str = ""
    kind = "table"

    def read(self, session: Session, viewer: Viewer) -> TableData:
        measure = _aggregate(self.aggregate, self.value).label("measure")
        stmt = _where(select(self.by, measure), self.where)
        stmt = stmt.group_by(self.by).order_by(measure.desc()).limit(self.limit)
        found = list(session.execute(stmt))
        target = _referenced(self.model, self.by)
        if target is not None and not viewer.may_view(target):
            target = None  # its rows' labels are not this user's to read
        labels = Labels()
        if target is not None:
            for key, _ in found:
                labels.want(target, key)
            labels.load(session)
        rows = [
            (
                labels.get(target, key)
                if target is not None and key is not None
                else Reference(self.model, "", _group_text(key)),
                [number_text(measure)],
            )
            for key, measure in found
        ]
        measure_name = self.heading or self.aggregate.capitalize()
        return TableData([_title_of(self.model, self.by), measure_name], rows)


@dataclass(init=False)
class Dashboard:
    """The declared widgets, in the order the page shows them."""

    widgets: list[Widget] = field(default_factory=list)

    def __init__(self, *widgets: Widget) -> None:
        slugs = [widget.slug for widget in widgets]
        repeated = {slug for slug in slugs if slugs.count(slug) > 1}
        if repeated:
            raise ValueError(
                f"two dashboard widgets share the slug(s) {sorted(repeated)}"
            )
        self.widgets = list(widgets)

    def __iter__(self) -> Iterator[Widget]:
        return iter(self.widgets)
