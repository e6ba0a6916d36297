"""Breadcrumbs on every page kind, each step linked to a page that answers,
the page itself last and unlinked; and the environment label on every page
kind, the login page included."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqladmin import BaseView, expose
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.testclient import TestClient

from admin_app.app import create_app, mount_admin
from admin_app.settings import Settings
from tests.action_views import ClubAdmin as ActionClubAdmin
from tests.conftest import ADMIN_PASSWORD, login, make_settings
from tests.navigation.pages import drawn
from tests.sample_models import Club

HOME = ("Home", "http://testserver/admin/")
CLUBS = ("Clubs", "http://testserver/admin/club/list")


@pytest.fixture
def staged(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> Iterator[TestClient]:
    """An admin of the sample models labelled "staging", exports of more
    than no rows confirmed first; logged in."""
    settings = make_settings(
        database_url, tmp_path, environment="staging", export_get_max_rows=0
    )
    with TestClient(create_app(settings), follow_redirects=False) as client:
        page = client.get("/admin/login")
        assert drawn(page.text).environment == [("Environment: staging", "warning")]
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


@pytest.fixture
def club(engine: Engine) -> int:
    with Session(engine) as session:
        row = Club(name="Chess")
        session.add(row)
        session.commit()
        assert row.id is not None
        return row.id


def trails(key: int) -> dict[str, list[tuple[str, str | None]]]:
    """Page → its expected breadcrumbs."""
    details = ("Club Chess", f"http://testserver/admin/club/details/{key}")
    account = ("Your account", "http://testserver/admin/account/password")
    return {
        "/admin/": [("Home", None)],
        "/admin/dashboard/widgets/recent-changes": [HOME, ("Recent changes", None)],
        "/admin/club/list": [HOME, ("Clubs", None)],
        f"/admin/club/details/{key}": [HOME, CLUBS, ("Club Chess", None)],
        "/admin/club/create": [HOME, CLUBS, ("New", None)],
        f"/admin/club/edit/{key}": [HOME, CLUBS, details, ("Edit", None)],
        f"/admin/club/history/{key}": [HOME, CLUBS, details, ("History", None)],
        f"/admin/club/delete?pks={key}": [HOME, CLUBS, ("Delete", None)],
        "/admin/club/export/csv": [HOME, CLUBS, ("Export", None)],
        "/admin/account/password": [HOME, account, ("Password", None)],
        "/admin/account/time-zone": [HOME, account, ("Time zone", None)],
        "/admin/audit-entry/list": [
            HOME,
            ("Audit trail", None),
        ],
        "/admin/club/details/999999": [HOME, ("Error 404", None)],
        "/admin/no-such-model/list": [HOME, ("Error 404", None)],
    }


def test_every_page_kind_has_its_breadcrumbs_and_label(
    staged: TestClient, club: int
) -> None:
    for path, expected in trails(club).items():
        response = staged.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        page = drawn(response.text)
        assert page.crumbs == expected, path
        # The page itself, last, is the one marked current.
        assert page.crumb_current == [expected[-1][0]], path
        assert page.environment == [("Environment: staging", "warning")], path
        for _, url in expected[:-1]:
            assert url is not None
            assert staged.get(url).status_code == 200, (path, url)


def test_a_deleted_rows_history_is_named_by_its_key(
    staged: TestClient,
) -> None:
    page = drawn(staged.get("/admin/club/history/424242").text)
    assert page.crumbs == [
        HOME,
        CLUBS,
        ("424242", "http://testserver/admin/club/details/424242"),
        ("History", None),
    ]


def test_a_page_refused_says_so_in_its_trail(staged: TestClient, club: int) -> None:
    """The audit trail is read-only: its edit page is a 403, with a way home."""
    response = staged.get("/admin/audit-entry/create")
    assert response.status_code == 403
    assert drawn(response.text).crumbs == [HOME, ("Error 403", None)]


@pytest.mark.parametrize(
    ("setting", "tone"),
    [("production", "danger"), ("prod", "danger"), ("demo", "secondary")],
)
def test_the_label_shows_its_text_and_tone(
    setting: str, tone: str, database_url: str, tmp_path: Path, engine: Engine
) -> None:
    settings = make_settings(database_url, tmp_path, environment=setting)
    with TestClient(create_app(settings)) as client:
        page = client.get("/admin/login")
        assert drawn(page.text).environment == [(f"Environment: {setting}", tone)]
        assert f"admin-env-{tone}" in page.text


def test_no_setting_no_label(client: TestClient, anonymous: TestClient) -> None:
    assert drawn(anonymous.get("/admin/login").text).environment == []
    assert drawn(client.get("/admin/").text).environment == []
    assert 'data-admin-app="environment"' not in client.get("/admin/club/list").text


def test_an_actions_confirmation_ends_with_the_action(
    client_with: Callable[..., TestClient], club: int
) -> None:
    client = client_with(ActionClubAdmin)
    response = client.get(f"/admin/club/action/shout?pks={club}")
    assert response.status_code == 200
    assert drawn(response.text).crumbs == [HOME, CLUBS, ("Shout", None)]


class Reports(BaseView):
    """A custom page drawn in the layout."""

    name = "Reports"

    @expose("/reports", identity="reports")
    async def reports(self, request: Request) -> Response:
        return await self.templates.TemplateResponse(request, "sqladmin/layout.html")


def test_a_custom_page_is_named_by_its_view(
    settings: Settings, engine: Engine, admin_user: str
) -> None:
    app = Starlette()
    site = mount_admin(app, engine=engine, settings=settings)
    site.add_view(Reports)
    with TestClient(app, follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        page = drawn(client.get("/admin/reports").text)
    assert page.crumbs == [HOME, ("Reports", None)]
    # In the menu, in the group of its module, marked as the current page.
    assert ("Test Breadcrumbs", ["reports"]) in page.groups
    assert page.current == ["reports"]


def test_a_page_not_found_before_signing_in_has_its_trail_and_label(
    staged: TestClient,
) -> None:
    """Signed out: no menu to open, but the label and the way home."""
    staged.post("/admin/logout")
    assert staged.get("/admin/").status_code == 302  # signed out
    response = staged.get("/admin/no/such/page")
    assert response.status_code == 404
    page = drawn(response.text)
    assert page.crumbs == [HOME, ("Error 404", None)]
    assert page.environment == [("Environment: staging", "warning")]
    assert page.groups == []
    assert 'data-admin-app="navigation"' not in response.text
