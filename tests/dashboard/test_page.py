"""The dashboard's frame and each widget at its own URL, on the demo's models
and its declared dashboard (models/widgets.py)."""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from admin_app.app import create_app
from admin_app.audit.entries import AuditEntry
from admin_app.auth.models import Grant, Role
from admin_app.auth.users import create_user
from admin_app.settings import Settings
from tests.conftest import ADMIN_PASSWORD, StatementLog, login, make_settings
from tests.csrf_helper import enable_csrf
from tests.dashboard.shop import add_orders

WIDGETS = "/admin/dashboard/widgets"


@pytest.fixture
def admin(settings: Settings, engine: Engine, admin_user: str) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


def body(client: TestClient, slug: str) -> str:
    response = client.get(f"{WIDGETS}/{slug}?fragment=1")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.text


def test_the_frame_lists_every_widget_and_reads_none_of_them(
    admin: TestClient, engine: Engine, statements: StatementLog
) -> None:
    add_orders(engine)
    statements.clear()
    page = admin.get("/admin/")
    assert page.status_code == 200
    slugs = re.findall(r'data-widget="([^"]+)"', page.text)
    assert slugs[:3] == ["orders-per-day", "open-orders", "top-requesters"]
    for slug in ("model-order", "model-team", "model-admin-user"):
        assert slug in slugs
    assert slugs[-3:] == ["recent-changes", "failed-sign-ins", "migrations"]
    # Without JavaScript, each box links to its widget's own page.
    assert f'href="http://testserver{WIDGETS}/open-orders"' in page.text
    assert "dashboard.js" in page.text and "dashboard.css" in page.text
    assert not [s for s in statements if "purchase_order" in s]
    # The session and its user, whatever the number of widgets.
    assert len(statements) <= 3, statements


def test_a_kpi_counts_the_rows_its_filter_holds(
    admin: TestClient, engine: Engine
) -> None:
    add_orders(engine)
    text = body(admin, "open-orders")
    # Three orders are neither shipped nor cancelled.
    assert re.search(r'data-role="kpi-value">3<', text)
    assert 'data-role="kpi-estimated"' not in text


def test_a_time_series_stacks_its_groups_by_day_with_a_table_for_screen_readers(
    admin: TestClient, engine: Engine
) -> None:
    add_orders(engine)
    text = body(admin, "orders-per-day")
    assert re.search(r'<svg[^>]+role="img"[^>]+aria-label="Orders per day: ', text)
    assert "total 3" in text  # the order of 40 days ago is left out
    legend = text.split('data-role="legend"')[1].split("</ul>")[0]
    assert "draft" in legend and "shipped" in legend and "approved" not in legend
    table = text.split('data-role="chart-data"')[1]
    assert table.count('<th scope="row">') == 30
    assert len(re.findall(r'class="dashboard-band-\d"', text)) >= 3


def test_a_ranking_names_and_links_its_rows(admin: TestClient, engine: Engine) -> None:
    ids = add_orders(engine)
    text = body(admin, "top-requesters")
    assert '<th scope="col">Requester</th>' in text
    rows = text.split('data-role="widget-row"')[1:]
    assert len(rows) == 2
    assert f'/admin/user/details/{ids["ada"]}">Ada Lovelace</a>' in rows[0]
    assert ">3<" in rows[0] and ">1<" in rows[1]


def test_a_model_card_counts_and_draws_the_new_rows_of_a_month(
    admin: TestClient, engine: Engine
) -> None:
    add_orders(engine)
    text = body(admin, "model-order")
    assert re.search(r'data-role="model-count">4<', text)
    assert "2 new in the last 7 days" in text
    assert re.search(r'<svg[^>]+role="img"[^>]+aria-label="New rows per day', text)
    assert "3 in all" in text
    # A model without an indexed created-at column: its count only.
    teams = body(admin, "model-team")
    assert re.search(r'data-role="model-count">0<', teams)
    assert "<svg" not in teams and 'data-role="model-new"' not in teams


def test_recent_changes_leave_sign_ins_to_their_own_figure(
    admin: TestClient,
    engine: Engine,
    settings: Settings,
) -> None:
    with Session(engine) as session:
        session.add(AuditEntry(action="update", model="team", pk="7"))
        session.add(AuditEntry(action="login_failed", username="nobody"))
        session.commit()
    # The admin's own sign-in and the failure above are not data changes.
    changes = body(admin, "recent-changes")
    rows = changes.split('data-role="recent-action"')[1:]
    assert len(rows) == 1 and "/admin/team/history/7" in rows[0]
    assert "login" not in changes
    with TestClient(create_app(settings), follow_redirects=False) as stranger:
        enable_csrf(stranger)
        stranger.post("/admin/login", data={"username": "boss", "password": "no"})
    assert re.search(r'data-role="figure-value">2<', body(admin, "failed-sign-ins"))


def test_migration_status_says_what_to_run_and_runs_nothing(
    admin: TestClient, engine: Engine, statements: StatementLog
) -> None:
    statements.clear()
    text = body(admin, "migrations")
    # The test database was made from the metadata: no revision recorded.
    branches = re.findall(r'data-branch="([^"]+)"', text)
    assert "admin_app" in branches
    assert "admin-app db upgrade" in text
    assert not [s for s in statements if re.match(r"\s*(CREATE|ALTER|INSERT)", s)]


def test_widgets_follow_the_models_view_grant(
    settings: Settings,
    engine: Engine,
    admin_user: str,
) -> None:
    with Session(engine) as session:
        create_user(session, "clerk", ADMIN_PASSWORD, Role.viewer)
        session.add(Grant(role=Role.viewer, model="order", can_view=False))
        session.commit()
    with TestClient(create_app(settings), follow_redirects=False) as clerk:
        login(clerk, "clerk", ADMIN_PASSWORD)
        page = clerk.get("/admin/").text
        slugs = re.findall(r'data-widget="([^"]+)"', page)
        assert "open-orders" not in slugs and "model-order" not in slugs
        assert "model-team" in slugs
        # Admins only: sign-ins, migrations, admin_app's own tables.
        assert "failed-sign-ins" not in slugs and "migrations" not in slugs
        assert "model-admin-user" not in slugs
        for slug in ("open-orders", "migrations", "failed-sign-ins"):
            assert clerk.get(f"{WIDGETS}/{slug}").status_code == 403
        assert clerk.get(f"{WIDGETS}/no-such-widget").status_code == 404


def test_a_widget_page_of_its_own_works_without_javascript(admin: TestClient) -> None:
    page = admin.get(f"{WIDGETS}/open-orders")
    assert page.status_code == 200
    assert "<html" in page.text and 'data-role="kpi-value"' in page.text
    fragment = admin.get(f"{WIDGETS}/open-orders?fragment=1").text
    assert "<html" not in fragment and 'data-role="kpi-value"' in fragment


def test_signed_out_visitors_are_sent_to_sign_in(anonymous: TestClient) -> None:
    response = anonymous.get(f"{WIDGETS}/open-orders")
    assert response.status_code in (302, 303)
    assert "/admin/login" in response.headers["location"]


def test_a_declared_dashboard_is_passed_to_create_app(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> None:
    from admin_app.dashboard import Dashboard, Kpi
    from models.tables import Team

    values = make_settings(database_url, tmp_path, models=["models"])
    board = Dashboard(Kpi("Teams", Team, cache_seconds=0))
    app = create_app(values, dashboard=board)
    with TestClient(app, follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        slugs = re.findall(r'data-widget="([^"]+)"', client.get("/admin/").text)
        assert "teams" in slugs and "open-orders" not in slugs


def migrations_box(
    settings: Settings, engine: Engine, admin_user: str, **status: bool
) -> str:
    """The migrations box as the admin sees it, its status the given one (the
    app's branch at head)."""
    from starlette.applications import Starlette

    from admin_app.app import mount_admin
    from admin_app.dashboard.inferred import Sources
    from admin_app.migrate import BranchState, MigrationStatus

    app = Starlette()
    site = mount_admin(app, engine=engine, settings=settings)
    drifted = status.pop("drifted", False)
    read = MigrationStatus([BranchState("app", "d0001", "d0001")], drifted, **status)
    site.board.configure(
        site.board.declared,
        sources=Sources(site.board.sources.recent_actions, lambda: read),
    )
    with TestClient(app, follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        return body(client, "migrations")


@pytest.mark.parametrize(
    ("drifted", "says"),
    [
        (True, 'data-role="migration-drift"'),
        (False, 'data-role="migration-ok"'),
    ],
)
def test_migrations_at_head_say_whether_the_models_drifted(
    settings: Settings, engine: Engine, admin_user: str, drifted: bool, says: str
) -> None:
    text = migrations_box(settings, engine, admin_user, drifted=drifted)
    assert says in text and "at head" in text
    assert ("db revision --autogenerate" in text) is drifted


@pytest.mark.parametrize("strict", [True, False])
def test_a_database_outside_strict_sql_mode_is_told_to_admins(
    settings: Settings, engine: Engine, admin_user: str, strict: bool
) -> None:
    text = migrations_box(settings, engine, admin_user, strict_sql=strict)
    assert ('data-role="sql-mode-warning"' in text) is not strict
    assert ("STRICT_TRANS_TABLES" in text) is not strict


def test_a_card_of_a_list_narrowed_per_user_is_counted_and_kept_per_user(
    settings: Settings, engine: Engine, admin_user: str
) -> None:
    from sqlmodel import col, select
    from starlette.applications import Starlette

    from admin_app.app import mount_admin
    from admin_app.views.inferred import AutoModelView
    from models.tables import Team

    class InitialTeams(AutoModelView, model=Team):
        """Teams named with the user's initial."""

        def list_query(self, request: Any) -> Any:
            initial = request.state.admin_user.username[:1].upper()
            return select(Team).where(col(Team.name).startswith(initial))

    with Session(engine) as session:
        session.add_all([Team(name=n) for n in ("Alpha", "Beta", "Bravo")])
        create_user(session, "alice", ADMIN_PASSWORD, Role.admin)
        session.commit()
    app = Starlette()
    mount_admin(app, engine=engine, settings=settings, views=[InitialTeams])
    counts = {}
    for name in (admin_user, "alice"):
        with TestClient(app, follow_redirects=False) as client:
            login(client, name, ADMIN_PASSWORD)
            text = body(client, "model-team")
            found = re.search(r'data-role="model-count">([^<]+)<', text)
            assert found is not None
            counts[name] = found.group(1)
    assert counts == {admin_user: "2", "alice": "1"}
