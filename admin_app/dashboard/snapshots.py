"""Figures kept ahead of time, for widgets too costly to read on each request.

Grouping 80,000 orders by customer costs PostgreSQL 35-50 ms whatever the
index: the aggregate itself is the work. A widget declared with
``refresh_seconds`` is read in the background instead and its figures are kept
in ``admin_app_dashboard_snapshot``, like a materialized view refreshed on
demand: shared by every worker, kept across restarts. A request reads the
snapshot (one statement); one older than ``refresh_seconds`` is still shown,
with its time, while this process reads fresh figures for the next request.
Only a missing snapshot, or one older than ``STALE_FACTOR`` refresh periods,
is read while the request waits.

Snapshots are kept per audience (the rights of whoever asked, as the
per-process cache), since a ranking names another model's rows only for those
who may view them.
"""

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy import JSON
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel

from admin_app.dashboard.declared import Figure, Series, SeriesData, TableData
from admin_app.dashboard.widget import Viewer, Widget
from admin_app.db import run_in_session
from admin_app.references import Reference

logger = logging.getLogger(__name__)

# A snapshot older than this many refresh periods is read again before it is
# shown: a dashboard nobody opened overnight does not show last night's figures.
STALE_FACTOR = 10


class DashboardSnapshot(SQLModel, table=True):
    """A widget's last figures for one audience, and when they were read."""

    __tablename__ = "admin_app_dashboard_snapshot"

    widget: str = Field(primary_key=True, max_length=100)
    # A digest of the rights the figures were read with (and the user, for a
    # widget whose figures differ per user).
    audience: str = Field(primary_key=True, max_length=64)
    computed_at: datetime
    data: dict[str, Any] = Field(sa_type=JSON)


@dataclass(frozen=True)
class Kept:
    """A widget's figures and, when they come from a snapshot, their time."""

    data: Any
    at: datetime | None = None


def audience_of(widget: Widget, viewer: Viewer, user_id: int | None) -> str:
    """Equal for requests that may share the widget's figures."""
    who = (viewer.rights_key, user_id if widget.per_user() else None)
    return hashlib.sha256(repr(who).encode()).hexdigest()[:64]


class Snapshots:
    """Reads and refreshes the kept figures of a site's widgets."""

    def __init__(self) -> None:
        self._refreshing: dict[tuple[str, str], asyncio.Task[Kept]] = {}

    async def read(self, widget: Widget, viewer: Viewer, user_id: int | None) -> Kept:
        refresh = widget.refresh_seconds or 0
        audience = audience_of(widget, viewer, user_id)
        maker = viewer.site.session_maker
        found = await run_in_session(maker, partial(_find, widget.slug, audience))
        if found is not None:
            data = decode(found.data, _models(viewer))
            age = (datetime.now(UTC) - found.computed_at).total_seconds()
            if data is not None and age < refresh * STALE_FACTOR:
                if age >= refresh:
                    self._start(widget, viewer, audience)
                return Kept(data, found.computed_at)
        return await self._start(widget, viewer, audience)

    def _start(
        self, widget: Widget, viewer: Viewer, audience: str
    ) -> "asyncio.Task[Kept]":
        """One refresh per widget and audience at a time in this process."""
        key = (widget.slug, audience)
        running = self._refreshing.get(key)
        if running is not None:
            return running
        task = asyncio.ensure_future(self._refresh(widget, viewer, audience))
        self._refreshing[key] = task
        task.add_done_callback(partial(self._done, key))
        return task

    def _done(self, key: tuple[str, str], task: "asyncio.Task[Kept]") -> None:
        self._refreshing.pop(key, None)
        if not task.cancelled() and task.exception() is not None:
            logger.error(
                "dashboard widget %r failed to refresh",
                key[0],
                exc_info=task.exception(),
            )

    async def _refresh(self, widget: Widget, viewer: Viewer, audience: str) -> Kept:
        data = await widget.load(viewer)
        at = datetime.now(UTC)
        snapshot = DashboardSnapshot(
            widget=widget.slug, audience=audience, computed_at=at, data=encode(data)
        )
        await run_in_session(viewer.site.session_maker, partial(_store, snapshot))
        return Kept(data, at)


def _find(slug: str, audience: str, session: Session) -> DashboardSnapshot | None:
    return session.get(DashboardSnapshot, (slug, audience))


def _store(snapshot: DashboardSnapshot, session: Session) -> None:
    try:
        session.merge(snapshot)
        session.commit()
    except IntegrityError:
        # Another worker stored the same snapshot first: theirs is as fresh.
        session.rollback()


def _models(viewer: Viewer) -> dict[str, type[Any]]:
    return {
        _model_name(view.model): view.model
        for view in viewer.site.views
        if hasattr(view, "model")
    }


def _model_name(model: type[Any]) -> str:
    return f"{model.__module__}.{model.__qualname__}"


# The figures as JSON: plain values as they are, the rest tagged.


def encode(data: Any) -> dict[str, Any]:
    if isinstance(data, Figure):
        return {"figure": [data.text, data.estimated]}
    if isinstance(data, SeriesData):
        return {
            "series": {
                "periods": [day.isoformat() for day in data.periods],
                "every": data.every,
                "bands": [[s.label, s.values] for s in data.series],
            }
        }
    if isinstance(data, TableData):
        rows = [
            [[_model_name(ref.model), ref.key, ref.label], [_cell(c) for c in cells]]
            for ref, cells in data.rows
        ]
        return {"table": {"headers": data.headers, "rows": rows}}
    raise TypeError(f"a {type(data).__name__} cannot be kept ahead")


def decode(kept: dict[str, Any], models: dict[str, type[Any]]) -> Any:
    """The figures ``encode`` kept; None when they name a model no longer
    served (they are read again)."""
    try:
        if "figure" in kept:
            text, estimated = kept["figure"]
            return Figure(str(text), bool(estimated))
        if "series" in kept:
            series = kept["series"]
            return SeriesData(
                [date.fromisoformat(day) for day in series["periods"]],
                [
                    Series(label, [float(v) for v in values])
                    for label, values in series["bands"]
                ],
                series["every"],
            )
        table = kept["table"]
        rows = [
            (Reference(models[model], key, label), [_uncell(c) for c in cells])
            for (model, key, label), cells in table["rows"]
        ]
        return TableData(list(table["headers"]), rows)
    except (KeyError, TypeError, ValueError):
        return None


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    return str(getattr(value, "value", value))


def _uncell(value: Any) -> Any:
    if isinstance(value, dict):
        if "datetime" in value:
            return datetime.fromisoformat(value["datetime"])
        if "date" in value:
            return date.fromisoformat(value["date"])
        if "decimal" in value:
            return Decimal(value["decimal"])
    return value
