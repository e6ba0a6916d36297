"""Every auto-registered view serves its pages to a logged-in user, and nothing to
an anonymous one; secrets never reach the HTML; nothing loads from the internet."""

import logging
import re
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin_app.app import mount_admin
from admin_app.settings import Settings
from tests.conftest import ADMIN_PASSWORD, login
from tests.engines import async_url, lax
from tests.sample_models import Club, ClubTagLink, Member, Membership, Tag, Tier

# Neither can occur by chance in a page: not in a UUID (hex), a token or a date.
SECRETS = ("s3cr3t-token-value", "zq-pin-7")
IDENTITIES = ("club-tag-link", "membership", "tag", "club", "member", "admin-user")


@pytest.fixture
def rows(engine: Engine) -> dict[str, str]:
    """One row in every sample table; returns each view's detail/edit key."""
    member_id = uuid.uuid4()
    with Session(engine) as session:
        club = Club(name="Chess <b>Club</b>", motto="x" * 300, founded=date(2001, 2, 3))
        tag = Tag(label="board-games")
        session.add_all([club, tag])
        session.flush()
        member = Member(
            id=member_id,
            email="ada@example.com",
            api_token=SECRETS[0],
            pin_code=SECRETS[1],
            tier=Tier.pro,
            balance=Decimal("12.50"),
            joined_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
            preferences={"theme": "dark"},
            club_id=club.id,
        )
        session.add(member)
        session.flush()
        session.add(ClubTagLink(club_id=club.id, tag_id=tag.id))
        session.add(Membership(club_id=club.id, member_id=member_id, is_training=True))
        session.commit()
        return {
            "club": str(club.id),
            "tag": str(tag.id),
            "member": str(member_id),
            "club-tag-link": f"{club.id};{tag.id}",
            "membership": f"{club.id};{member_id}",
            "admin-user": "1",
        }


@pytest.mark.parametrize("identity", IDENTITIES)
def test_every_page_of_every_view_serves_a_logged_in_user(
    client: TestClient, rows: dict[str, str], identity: str
) -> None:
    key = rows[identity]
    for path in ("list", f"details/{key}", f"edit/{key}", "create"):
        response = client.get(f"/admin/{identity}/{path}")
        assert response.status_code == 200, (path, response.text[:500])
        for secret in SECRETS:
            assert secret not in response.text, (identity, path)
        assert "argon2" not in response.text


@pytest.mark.parametrize("identity", IDENTITIES)
def test_anonymous_users_are_sent_to_the_login_page(
    anonymous: TestClient, rows: dict[str, str], identity: str
) -> None:
    key = rows[identity]
    for path in ("list", f"details/{key}", f"edit/{key}", "create", "export/csv"):
        response = anonymous.get(f"/admin/{identity}/{path}")
        assert response.status_code == 302, path
        # Back to the page asked for after logging in (admin_app.auth.redirects).
        location = httpx.URL(response.headers["location"])
        assert location.path == "/admin/login"
        assert location.params["next"] == f"/admin/{identity}/{path}"
    response = anonymous.post(f"/admin/{identity}/create", data={"name": "x"})
    assert response.status_code == 302
    lookup = anonymous.get(
        "/admin/club/ajax/lookup", params={"name": "tags", "term": "b"}
    )
    assert lookup.status_code == 302
    assert anonymous.get("/admin/").status_code == 302
    assert anonymous.get("/admin/login").status_code == 200


def test_sensitive_columns_are_absent_from_list_detail_form_and_export(
    client: TestClient, rows: dict[str, str]
) -> None:
    pages = [
        client.get("/admin/member/list").text,
        client.get(f"/admin/member/details/{rows['member']}").text,
        client.get(f"/admin/member/edit/{rows['member']}").text,
        client.get("/admin/member/create").text,
        client.get("/admin/member/export/csv").text,
        client.get("/admin/member/export/json").text,
    ]
    for page in pages:
        assert 'name="api_token"' not in page
        assert 'name="pin_code"' not in page
        assert "Api token" not in page and "Pin code" not in page
        for secret in SECRETS:
            assert secret not in page
    assert "ada@example.com" in pages[4]


def test_row_labels_escape_html_and_never_print_a_whole_row(
    client: TestClient, rows: dict[str, str]
) -> None:
    page = client.get(f"/admin/membership/details/{rows['membership']}").text
    assert "Club Chess &lt;b&gt;Club&lt;/b&gt;" in page  # Club defines __str__
    assert "ada@example.com" in page  # Member does not: its email labels it
    assert "<b>Club</b>" not in page


def test_long_text_is_cut_in_the_list_but_whole_on_the_detail_page(
    client: TestClient, rows: dict[str, str]
) -> None:
    assert "x" * 300 not in client.get("/admin/club/list").text
    assert "x" * 300 in client.get(f"/admin/club/details/{rows['club']}").text


def test_relations_are_pickers_that_search_without_loading_the_table(
    client: TestClient, rows: dict[str, str]
) -> None:
    form = client.get(f"/admin/club/edit/{rows['club']}").text
    assert 'data-role="select2-ajax"' in form
    assert "board-games" in form  # the current selection is labelled
    found = client.get(
        "/admin/club/ajax/lookup", params={"name": "tags", "term": "board"}
    ).json()
    assert found == {
        "results": [{"id": rows["tag"], "text": "board-games"}],
        "pagination": {"more": False},
    }


def test_pages_load_nothing_from_the_internet(
    client: TestClient, rows: dict[str, str]
) -> None:
    external = re.compile(
        r"""(?:src|href|action)\s*=\s*["'](?:https?:)?//(?!testserver)"""
    )
    for path in ("/admin/", "/admin/member/list", "/admin/club/create", "/admin/login"):
        page = client.get(path).text
        assert not external.search(page), path
        assert "/admin/statics/" in page
    css = client.get("/admin/statics/css/tabler.min.css").text
    assert not re.search(r"url\((?!['\"]?data:)['\"]?(?:https?:)?//", css)
    assert not re.search(r"@import\s+url\(['\"]?https?:", css)


def test_dashboard_lists_every_registered_model(client: TestClient) -> None:
    page = client.get("/admin/").text
    assert 'data-admin-app="dashboard"' in page
    for identity in IDENTITIES:
        assert f"/admin/{identity}/list" in page


def test_logout_ends_the_session(client: TestClient) -> None:
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/logout").status_code == 405  # POST only
    assert client.get("/admin/").status_code == 200
    client.post("/admin/logout")
    assert client.get("/admin/").status_code == 302


def test_a_wrong_password_is_refused_without_detail(
    anonymous: TestClient, admin_user: str
) -> None:
    response = anonymous.post(
        "/admin/login", data={"username": admin_user, "password": "wrong"}
    )
    assert response.status_code == 400
    assert "Invalid credentials" in response.text
    unknown = anonymous.post(
        "/admin/login", data={"username": "nobody", "password": "x"}
    )
    assert unknown.status_code == 400


def test_mounting_into_a_fastapi_app_leaves_its_routes_middleware_and_lifespan(
    settings: Settings, engine: Engine, admin_user: str
) -> None:
    events: list[str] = []

    from collections.abc import AsyncIterator
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        events.append("startup")
        yield
        events.append("shutdown")

    api = FastAPI(lifespan=lifespan)

    @api.get("/api/ping")
    def ping() -> dict[str, str]:
        return {"pong": "yes"}

    @api.middleware("http")
    async def tag_responses(request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        response.headers["x-app"] = "mine"
        return response

    mount_admin(
        api,
        engine=engine,
        models="tests.sample_models",
        path="/backoffice",
        settings=settings,
    )
    with TestClient(api, follow_redirects=False) as client:
        assert events == ["startup"]
        assert client.get("/api/ping").json() == {"pong": "yes"}
        assert client.get("/api/ping").headers["x-app"] == "mine"
        assert "set-cookie" not in client.get("/api/ping").headers
        assert (
            client.get("/backoffice/").headers["location"].endswith("/backoffice/login")
        )
        login(client, admin_user, ADMIN_PASSWORD, base="/backoffice")
        assert client.get("/backoffice/member/list").status_code == 200
    assert events == ["startup", "shutdown"]


def test_standalone_app_redirects_home_and_answers_health(app: Starlette) -> None:
    with TestClient(app, follow_redirects=False) as client:
        assert client.get("/").headers["location"] == "/admin/"
        assert client.get("/healthz").text == "ok"


def test_the_admin_runs_on_an_async_engine_too(
    settings: Settings, rows: dict[str, str], admin_user: str
) -> None:
    from admin_app.app import create_app

    async_settings = settings.model_copy(
        update={"database_url": async_url(settings.database_url)}
    )
    with TestClient(create_app(async_settings), follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        assert "ada@example.com" in client.get("/admin/member/list").text
        assert client.get(f"/admin/club/edit/{rows['club']}").status_code == 200


@pytest.mark.parametrize("database_url", ["mariadb"], indirect=True)
@pytest.mark.parametrize("asynchronous", [False, True])
def test_a_mariadb_outside_strict_sql_mode_is_logged_as_the_app_starts(
    settings: Settings, caplog: pytest.LogCaptureFixture, asynchronous: bool
) -> None:
    from admin_app.app import create_app

    url = lax(settings.database_url)
    lax_settings = settings.model_copy(
        update={"database_url": async_url(url) if asynchronous else url}
    )
    with caplog.at_level(logging.WARNING, logger="admin_app.db"):
        with TestClient(create_app(settings)):
            pass
        assert not caplog.records
        with TestClient(create_app(lax_settings)):
            pass
    [record] = caplog.records
    assert "STRICT_TRANS_TABLES" in record.getMessage()
