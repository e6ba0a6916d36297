"""A widget that fails shows its own error while the others are read; widget
data is kept per widget and rights, and each widget reads a bounded number
of statements."""

import logging
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from admin_app.auth.models import Grant, Role
from admin_app.auth.users import create_user
from admin_app.dashboard import Dashboard, Kpi, Ranking, TimeSeries, TopRows
from models.tables import Order, OrderStatus, Team
from tests.conftest import ADMIN_PASSWORD, StatementLog, login
from tests.dashboard.conftest import signed_in
from tests.dashboard.shop import NOW, add_orders

WIDGETS = "/admin/dashboard/widgets"


def broken() -> object:
    raise RuntimeError("the warehouse is on fire")


BOARD = Dashboard(
    Kpi("Broken", Order, where=broken),
    Kpi("Kept", Order, cache_seconds=600),
    Kpi("Fresh", Order, cache_seconds=0),
    Kpi(
        "Open, capped",
        Order,
        where=col(Order.status).not_in([OrderStatus.shipped, OrderStatus.cancelled]),
        cap=2,
    ),
    Kpi("Total value", Order, "sum", column=Order.total, slug="value"),
    TimeSeries("Teams per month", Team, Team.created_at, every="month", periods=3),
    Ranking("Statuses", Order, by=Order.status),
    TimeSeries(
        "A past fortnight",
        Order,
        Order.created_at,
        periods=10,
        until=(NOW - timedelta(days=5)).date(),
    ),
    TimeSeries(
        "Orders by requester",
        Order,
        Order.created_at,
        every="week",
        periods=8,
        by=Order.requester_id,
    ),
    TimeSeries("Orders by project", Order, Order.created_at, by=Order.project_id),
    TopRows(
        "Latest orders",
        Order,
        order_by=[col(Order.created_at).desc()],
        columns=["status", "created_at"],
        limit=2,
    ),
)


@pytest.fixture
def app_for(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> Iterator[TestClient]:
    with signed_in(BOARD, database_url, tmp_path, admin_user) as client:
        yield client


def kpi(client: TestClient, slug: str) -> str:
    response = client.get(f"{WIDGETS}/{slug}?fragment=1")
    assert response.status_code == 200, response.text
    found = re.search(r'data-role="kpi-value">([^<]*)<', response.text)
    assert found is not None
    return found.group(1)


def test_a_failing_widget_shows_its_own_error_and_the_others_render(
    app_for: TestClient, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    add_orders(engine)
    with caplog.at_level(logging.ERROR, logger="admin_app.dashboard.routes"):
        failed = app_for.get(f"{WIDGETS}/broken?fragment=1")
    assert failed.status_code == 500
    assert 'data-role="widget-error"' in failed.text
    assert "warehouse" not in failed.text and "Traceback" not in failed.text
    assert "the warehouse is on fire" in caplog.text  # logged, with its traceback
    # As a page of its own, too, within the layout.
    page = app_for.get(f"{WIDGETS}/broken")
    assert page.status_code == 500 and "<html" in page.text
    assert kpi(app_for, "kept") == "4"
    assert app_for.get("/admin/").status_code == 200


def test_kept_data_is_shared_by_equal_rights_and_read_again_when_fresh(
    app_for: TestClient, engine: Engine, statements: StatementLog
) -> None:
    add_orders(engine)
    assert kpi(app_for, "kept") == "4"
    assert kpi(app_for, "fresh") == "4"
    add_orders_again(engine)
    statements.clear()
    assert kpi(app_for, "kept") == "4"  # kept for ten minutes
    assert not [s for s in statements if "purchase_order" in s]
    assert kpi(app_for, "fresh") == "5"
    # Another admin has the same rights: the same kept figure, not a new read.
    with Session(engine) as session:
        create_user(session, "other", ADMIN_PASSWORD, Role.admin)
    with TestClient(app_for.app, follow_redirects=False) as other:
        login(other, "other", ADMIN_PASSWORD)
        statements.clear()
        assert kpi(other, "kept") == "4"
        assert not [s for s in statements if "purchase_order" in s]
        # A viewer's rights differ: read for them.
        with Session(engine) as session:
            create_user(session, "reader", ADMIN_PASSWORD, Role.viewer)
        login(other, "reader", ADMIN_PASSWORD)
        assert kpi(other, "kept") == "5"


def add_orders_again(engine: Engine) -> None:
    with Session(engine) as session:
        requester = session.scalars(select(col(Order.requester_id))).first()
        session.add(
            Order(
                reference="PO-999999",
                requester_id=requester,
                status=OrderStatus.submitted,
            )
        )
        session.commit()


def test_each_widget_reads_a_bounded_number_of_statements(
    app_for: TestClient, engine: Engine, statements: StatementLog
) -> None:
    add_orders(engine)
    for slug, bound in (
        ("model-order", 3),  # count (an estimate first on PostgreSQL), per day
        ("value", 1),
        ("statuses", 1),
        ("teams-per-month", 1),
    ):
        statements.clear()
        assert app_for.get(f"{WIDGETS}/{slug}?fragment=1").status_code == 200
        own = [s for s in statements if re.search(r"purchase_order|\bteam\b", s)]
        assert 1 <= len(own) <= bound, (slug, own)


def test_other_aggregates_and_groups(app_for: TestClient, engine: Engine) -> None:
    add_orders(engine)
    assert kpi(app_for, "value") == "40"
    statuses = app_for.get(f"{WIDGETS}/statuses?fragment=1").text
    rows = statuses.split('data-role="widget-row"')[1:]
    assert "draft" in rows[0] and ">2<" in rows[0]  # draft: two orders
    assert '<th scope="col">Status</th>' in statuses
    assert "<a " not in statuses.split("<tbody>")[1]  # an enum names no row
    teams = app_for.get(f"{WIDGETS}/teams-per-month?fragment=1").text
    assert teams.count('<th scope="row">') == 3 and "total 0" in teams
    # Ten days up to five days ago: only the order of ten days ago.
    past = app_for.get(f"{WIDGETS}/a-past-fortnight?fragment=1").text
    assert past.count('<th scope="row">') == 10 and "total 1" in past


def test_top_rows_are_linked_with_their_cells(
    app_for: TestClient, engine: Engine
) -> None:
    add_orders(engine)
    text = app_for.get(f"{WIDGETS}/latest-orders?fragment=1").text
    assert re.findall(r'<th scope="col"[^>]*>([^<]+)<', text) == [
        "Order",
        "Status",
        "Created at",
    ]
    rows = text.split('data-role="widget-row"')[1:]
    assert len(rows) == 2
    assert re.search(r'href="http://testserver/admin/order/details/\d+">', rows[0])
    assert "PO-000000" in rows[0] and "PO-000001" in rows[1]
    assert "draft" in rows[0] and "shipped" in rows[1]
    newest = NOW - timedelta(hours=1)  # shown in the display zone, UTC
    assert newest.strftime("%Y-%m-%d %H:%M") in rows[0] and "UTC" in rows[0]


def test_a_series_by_foreign_key_names_rows_only_for_those_who_may_view_them(
    app_for: TestClient, engine: Engine
) -> None:
    ids = add_orders(engine)
    text = app_for.get(f"{WIDGETS}/orders-by-requester?fragment=1").text
    legend = text.split('data-role="legend"')[1].split("</ul>")[0]
    assert "Ada Lovelace" in legend and "Bob Babbage" in legend
    assert text.count('<th scope="row">') == 8
    with Session(engine) as session:
        create_user(session, "clerk", ADMIN_PASSWORD, Role.viewer)
        session.add(Grant(role=Role.viewer, model="user", can_view=False))
        session.commit()
    with TestClient(app_for.app, follow_redirects=False) as clerk:
        login(clerk, "clerk", ADMIN_PASSWORD)
        text = clerk.get(f"{WIDGETS}/orders-by-requester?fragment=1").text
        assert "Ada Lovelace" not in text and "Bob Babbage" not in text
        legend = text.split('data-role="legend"')[1].split("</ul>")[0]
        assert str(ids["ada"]) in legend


def test_a_count_past_its_cap_is_estimated_where_the_database_can(
    app_for: TestClient, engine: Engine
) -> None:
    add_orders(engine)
    text = app_for.get(f"{WIDGETS}/open-capped?fragment=1").text
    value = re.search(r'data-role="kpi-value">([^<]*)<', text)
    assert value is not None
    if engine.dialect.name == "postgresql":
        # The planner's guess for the filter (no statistics yet): any number.
        assert re.fullmatch(r"≈ [\d,]+", value.group(1))
        assert 'data-role="kpi-estimated"' in text
    else:
        assert value.group(1) == "2+"  # SQLite has no estimate for a filter
        assert 'data-role="kpi-estimated"' not in text


def test_a_series_by_an_empty_foreign_key_has_one_band_for_none(
    app_for: TestClient, engine: Engine
) -> None:
    add_orders(engine)  # charged to no project
    text = app_for.get(f"{WIDGETS}/orders-by-project?fragment=1").text
    headers = re.findall(r'<th scope="col">([^<]*)</th>', text)
    assert headers == ["Period", "(none)"]
    assert "total 3" in text


def test_a_widget_slug_that_names_nothing_is_not_found(app_for: TestClient) -> None:
    for slug in ("nothing", "..%2F..%2Fsecret", "BROKEN", "model-"):
        assert app_for.get(f"{WIDGETS}/{slug}").status_code == 404


def test_two_widgets_may_not_share_a_slug() -> None:
    with pytest.raises(ValueError, match="open-orders"):
        Dashboard(Kpi("Open orders", Order), Kpi("Open  orders!", Order))


def test_a_cache_setting_of_zero_turns_every_widget_cache_off() -> None:
    from admin_app.dashboard.routes import Board

    board = Board()
    kept, fresh = BOARD.widgets[1], BOARD.widgets[2]
    assert (
        board.seconds(kept),
        board.seconds(fresh),
        board.seconds(BOARD.widgets[0]),
    ) == (600, 0, 30)
    board.configure(cache_seconds=0)
    assert board.seconds(kept) == 0
