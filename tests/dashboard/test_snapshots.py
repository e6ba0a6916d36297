"""Widgets kept ahead (``refresh_seconds``): read once, kept in the database,
shown from there with their time; refreshed in the background when old, read
again while the request waits only when missing, too old or unreadable."""

import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from admin_app.auth.models import Grant, Role
from admin_app.auth.users import create_user
from admin_app.dashboard import Dashboard, Kpi, Ranking, TimeSeries, TopRows, Widget
from admin_app.dashboard.declared import Figure, Series, SeriesData, TableData
from admin_app.dashboard.snapshots import (
    STALE_FACTOR,
    DashboardSnapshot,
    decode,
    encode,
)
from admin_app.references import Reference
from models.tables import Order, User
from tests.conftest import ADMIN_PASSWORD, StatementLog, login
from tests.dashboard.conftest import signed_in
from tests.dashboard.shop import add_orders

WIDGETS = "/admin/dashboard/widgets"
AHEAD = 60


def twins(make: Callable[..., Widget]) -> tuple[Widget, Widget]:
    """A widget kept ahead, and the same read on each request ("… now")."""
    return make(refresh_seconds=AHEAD), make(now=True)


def latest(**kwargs: Any) -> TopRows:
    title = "Latest now" if kwargs.pop("now", False) else "Latest"
    columns = ["status", "created_at", "total"]
    order = [col(Order.created_at).desc()]
    return TopRows(title, Order, order, columns, cache_seconds=0, **kwargs)


def orders(**kwargs: Any) -> Kpi:
    title = "Orders now" if kwargs.pop("now", False) else "Orders"
    return Kpi(title, Order, cache_seconds=0, **kwargs)


def by_requester(**kwargs: Any) -> TimeSeries:
    title = "By requester now" if kwargs.pop("now", False) else "By requester"
    column = Order.created_at
    return TimeSeries(
        title, Order, column, by=Order.requester_id, cache_seconds=0, **kwargs
    )


def requesters(**kwargs: Any) -> Ranking:
    title = "Requesters now" if kwargs.pop("now", False) else "Requesters"
    return Ranking(title, Order, by=Order.requester_id, cache_seconds=0, **kwargs)


BOARD = Dashboard(
    *twins(orders), *twins(by_requester), *twins(requesters), *twins(latest)
)


@pytest.fixture
def client(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> Iterator[TestClient]:
    with signed_in(BOARD, database_url, tmp_path, admin_user) as client:
        yield client


def body(client: TestClient, slug: str) -> str:
    response = client.get(f"{WIDGETS}/{slug}?fragment=1")
    assert response.status_code == 200, response.text
    return response.text


def figures(text: str) -> str:
    """A body without its "Figures of" line: what a live read draws."""
    live = re.sub(r'<div[^>]*data-role="widget-kept-at".*?</div>', "", text)
    return re.sub(r"\s+", " ", live)


def snapshots(engine: Engine) -> dict[str, DashboardSnapshot]:
    with Session(engine) as session:
        return {s.widget: s for s in session.exec(select(DashboardSnapshot))}


def age_snapshots(engine: Engine, seconds: float) -> None:
    with Session(engine) as session:
        session.execute(
            update(DashboardSnapshot).values(
                computed_at=datetime.now(UTC) - timedelta(seconds=seconds)
            )
        )
        session.commit()


def test_kept_figures_are_the_live_ones_and_read_from_one_row(
    client: TestClient, engine: Engine, statements: StatementLog
) -> None:
    add_orders(engine)
    for slug in ("orders", "by-requester", "requesters", "latest"):
        first = body(client, slug)
        assert 'data-role="widget-kept-at"' in first
        live = figures(body(client, f"{slug}-now")).replace(" now", "")
        assert figures(first) == live
        statements.clear()
        again = body(client, slug)
        assert figures(again) == figures(first)
        assert not [s for s in statements if "purchase_order" in s], slug
        kept = [s for s in statements if "admin_app_dashboard_snapshot" in s]
        assert len(kept) == 1, kept
    assert set(snapshots(engine)) == {"orders", "by-requester", "requesters", "latest"}


def test_old_figures_are_shown_while_fresh_ones_are_read_behind(
    client: TestClient, engine: Engine
) -> None:
    add_orders(engine)
    assert "Figures of" in body(client, "orders")
    assert re.search(r'data-role="kpi-value">4<', body(client, "orders"))
    add_one_order(engine)
    age_snapshots(engine, AHEAD + 1)
    before = snapshots(engine)["orders"].computed_at
    # Older than its refresh time: still shown at once, then read again.
    assert re.search(r'data-role="kpi-value">4<', body(client, "orders"))
    deadline = time.monotonic() + 10
    while snapshots(engine)["orders"].computed_at == before:
        assert time.monotonic() < deadline, "the snapshot was not refreshed"
        time.sleep(0.05)
    assert re.search(r'data-role="kpi-value">5<', body(client, "orders"))


def test_figures_too_old_or_unreadable_are_read_while_the_request_waits(
    client: TestClient, engine: Engine
) -> None:
    add_orders(engine)
    body(client, "orders")
    add_one_order(engine)
    age_snapshots(engine, AHEAD * STALE_FACTOR + 1)
    assert re.search(r'data-role="kpi-value">5<', body(client, "orders"))
    # Figures naming a model this admin no longer serves: read again.
    body(client, "requesters")
    with Session(engine) as session:
        kept = session.exec(
            select(DashboardSnapshot).where(DashboardSnapshot.widget == "requesters")
        ).one()
        rows = kept.data["table"]["rows"]
        rows[0][0][0] = "gone.module.Requester"
        kept.data = {"table": {"headers": kept.data["table"]["headers"], "rows": rows}}
        session.add(kept)
        session.commit()
    text = body(client, "requesters")
    assert "Ada Lovelace" in text and "gone.module" not in text
    assert snapshots(engine)["requesters"].data["table"]["rows"][0][0][0] != (
        "gone.module.Requester"
    )


def test_figures_are_kept_per_audience(client: TestClient, engine: Engine) -> None:
    add_orders(engine)
    assert "Ada Lovelace" in body(client, "requesters")
    with Session(engine) as session:
        create_user(session, "clerk", ADMIN_PASSWORD, Role.viewer)
        session.add(Grant(role=Role.viewer, model="user", can_view=False))
        session.commit()
    with TestClient(client.app, follow_redirects=False) as clerk:
        login(clerk, "clerk", ADMIN_PASSWORD)
        assert "Ada Lovelace" not in body(clerk, "requesters")
    with Session(engine) as session:
        audiences = session.exec(
            select(DashboardSnapshot.audience).where(
                DashboardSnapshot.widget == "requesters"
            )
        ).all()
    assert len(set(audiences)) == 2


def test_a_failed_refresh_keeps_nothing_and_shows_its_error(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> None:
    def broken() -> object:
        raise RuntimeError("the warehouse is on fire")

    board = Dashboard(Kpi("Broken", Order, where=broken, refresh_seconds=AHEAD))
    with signed_in(board, database_url, tmp_path, admin_user) as client:
        failed = client.get(f"{WIDGETS}/broken?fragment=1")
    assert failed.status_code == 500 and 'data-role="widget-error"' in failed.text
    assert "warehouse" not in failed.text
    assert snapshots(engine) == {}


def test_every_kind_of_figure_survives_being_kept() -> None:
    models = {f"{User.__module__}.{User.__qualname__}": User}
    kept = [
        Figure("≈ 41,200", True),
        SeriesData(
            [date(2026, 12, 1), date(2026, 12, 2)],
            [Series("draft", [1.0, 0.0]), Series("Ada", [2.5, 3.0])],
            "day",
        ),
        TableData(
            ["User", "Orders", "When", "Total", "Gone"],
            [
                (
                    Reference(User, "7", "Ada"),
                    [
                        "12",
                        datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
                        Decimal("12.50"),
                        None,
                    ],
                ),
                (Reference(User, "8", None), [date(2026, 1, 2), 3, 1.5, True]),
            ],
        ),
    ]
    for data in kept:
        assert decode(encode(data), models) == data
    # A model no longer served, or figures of another shape: None, read again.
    assert decode(encode(kept[2]), {}) is None
    assert decode({"series": {"periods": ["not a day"]}}, models) is None
    with pytest.raises(TypeError):
        encode(object())


def add_one_order(engine: Engine) -> None:
    with Session(engine) as session:
        requester = session.scalars(select(col(Order.requester_id))).first()
        session.add(Order(reference="PO-999998", requester_id=requester))
        session.commit()


def test_snapshots_are_not_a_page_of_the_admin(client: TestClient) -> None:
    assert client.get("/admin/dashboard-snapshot/list").status_code == 404
    home = client.get("/admin/").text
    assert "dashboard-snapshot" not in home and "Dashboard Snapshot" not in home
