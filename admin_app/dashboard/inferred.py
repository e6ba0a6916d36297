"""The widgets every dashboard has without declaring any: a card per model the
user may view, the recent data changes, and for admins the failed sign-ins of
the last day and the migration status.

A model's card counts its rows as its list does (:mod:`admin_app.lists.counting`:
exact when small, the database's estimate when big) and, when its view names
a created-at column (``created_column``, inferred by
``AutoModelView.infer_created_column``: an indexed date or date-time), draws
its rows per day over 30 days and sums the last 7: two or three statements.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqladmin import ModelView
from sqladmin.i18n import lazy_gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from admin_app.audit.entries import FAILED_LOGIN, AuditEntry
from admin_app.dashboard.periods import bucket, last_periods, parse_day, since
from admin_app.dashboard.widget import Viewer, Widget
from admin_app.lists.counting import cap_of, count_rows
from admin_app.lists.trash import scoped

if TYPE_CHECKING:
    from admin_app.site import AdminSite

SPARK_DAYS = 30
NEW_DAYS = 7
SIGN_IN_HOURS = 24

# audit.history.recent_actions, asked for data changes only (no sign-ins).
RecentActions = Callable[["AdminSite", Request], Awaitable[list[Any]]]


@dataclass(frozen=True)
class Sources:
    """What the site hands the dashboard from other features: the latest
    audited changes (``audit.history.recent_actions``) and the migration
    status (``migrate.status``, bound to the settings)."""

    recent_actions: RecentActions | None = None
    migration_status: Callable[[], Any] | None = None


@dataclass(frozen=True)
class CardData:
    count: str
    new: int | None = None
    days: list[date] | None = None
    per_day: list[float] | None = None


def created_column(view: ModelView) -> Any:
    """The model's created-at attribute the view names, or None."""
    name = getattr(view, "created_column", None)
    return getattr(view.model, name) if isinstance(name, str) else None


class ModelCard(Widget):
    """A model's rows: how many, how many new in a week, and a sparkline."""

    kind = "model"
    width = "col-sm-6 col-lg-4 col-xxl-3"

    def __init__(self, view: ModelView) -> None:
        self.view = view
        self.title = str(view.name_plural)
        self.slug = f"model-{view.identity}"

    def allowed(self, viewer: Viewer) -> bool:
        request = viewer.request
        return bool(self.view.is_visible(request) and self.view.is_accessible(request))

    def per_user(self) -> bool:
        # A view that narrows its list per user counts per user.
        return type(self.view).list_query is not ModelView.list_query

    def read(self, session: Session, viewer: Viewer) -> CardData:
        view = self.view
        # The rows its list shows: a soft-deleting view's trash left out.
        stmt = scoped(view, viewer.request, view.list_query(viewer.request))
        counted = count_rows(
            session, view, stmt, narrowed=False, exact=False, cap=cap_of(view)
        )
        column = created_column(view)
        if column is None:
            return CardData(str(counted))
        days = last_periods(SPARK_DAYS, "day")
        dialect = session.get_bind().dialect.name
        day = bucket(column, "day", dialect)
        per_day_stmt = (
            stmt.with_only_columns(day, func.count(), maintain_column_froms=True)
            .where(column >= since(days[0], column))
            .group_by(day)
            .order_by(None)
        )
        found: dict[date, float] = {}
        for key, number in session.execute(per_day_stmt):
            parsed = parse_day(key)
            if parsed is not None:
                found[parsed] = float(number)
        per_day = [found.get(one, 0.0) for one in days]
        return CardData(str(counted), int(sum(per_day[-NEW_DAYS:])), days, per_day)


class RecentChanges(Widget):
    """The latest create, update, delete and revert entries on what the user
    may see, each naming its row (sign-ins are counted apart, for admins)."""

    kind = "changes"
    title = lazy_gettext("Recent changes")
    slug = "recent-changes"
    width = "col-12 col-xl-8"
    cache_seconds = 0  # each entry's time is shown in the user's own zone

    def __init__(self, recent_actions: RecentActions) -> None:
        self.recent_actions = recent_actions

    async def load(self, viewer: Viewer) -> Any:
        return await self.recent_actions(viewer.site, viewer.request)


class FailedSignIns(Widget):
    """Failed sign-ins in the last :data:`SIGN_IN_HOURS` hours: one figure."""

    kind = "figure"
    title = lazy_gettext("Failed sign-ins, last 24 hours")
    slug = "failed-sign-ins"
    width = "col-sm-6 col-xl-4"

    def allowed(self, viewer: Viewer) -> bool:
        return viewer.is_admin

    def read(self, session: Session, viewer: Viewer) -> int:
        after = datetime.now(UTC) - timedelta(hours=SIGN_IN_HOURS)
        stmt = select(func.count()).where(
            col(AuditEntry.action) == FAILED_LOGIN, col(AuditEntry.at) >= after
        )
        return int(session.scalar(stmt) or 0)


class Migrations(Widget):
    """Each migration branch's revision against its head, and whether the
    models drifted (``admin-app db check``). Reads only; never migrates."""

    kind = "migrations"
    title = lazy_gettext("Migrations")
    slug = "migrations"
    width = "col-sm-6 col-xl-4"
    cache_seconds = 300  # a drift check compares every table: not per page view

    def __init__(self, status: Callable[[], Any]) -> None:
        self.status = status

    def allowed(self, viewer: Viewer) -> bool:
        return viewer.is_admin

    async def load(self, viewer: Viewer) -> Any:
        return await run_in_threadpool(self.status)


def model_cards(views: list[Any]) -> list[Widget]:
    return [ModelCard(view) for view in views if isinstance(view, ModelView)]


def built_in(views: list[Any], sources: Sources) -> list[Widget]:
    """The inferred widgets after the model cards, in page order."""
    found: list[Widget] = []
    if sources.recent_actions is not None:
        found.append(RecentChanges(sources.recent_actions))
    found.append(FailedSignIns())
    if sources.migration_status is not None:
        found.append(Migrations(sources.migration_status))
    return found
