"""``next`` after login: back to the admin page asked for, and never anywhere
a browser could read as another site."""

from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin_app.app import mount_admin
from admin_app.auth.redirects import MAX_NEXT_LENGTH, safe_next
from admin_app.settings import Settings
from tests.auth_flow import csrf_fields, post_login
from tests.conftest import ADMIN_PASSWORD

REFUSED = [
    "",
    "//evil.example",
    "///evil.example",
    "////evil.example/admin/",
    "/\\evil.example",
    "\\\\evil.example",
    "/admin/\\..\\..\\evil",
    "https://evil.example/admin/",
    "http:/admin/",
    "javascript:alert(1)",
    "JavaScript:alert(1)//admin/",
    "data:text/html,<script>alert(1)</script>",
    "/\t/evil.example",
    "/admin/\nSet-Cookie: x=y",
    "/admin/\r\n",
    "/admin/\x00",
    "/admin/\x7f",
    "admin/club/list",
    "evil.example",
    "/admin" + "/x" * MAX_NEXT_LENGTH,
    "/",
    "/elsewhere",
    "/administrator/list",
    "/admin/../elsewhere",
    "/admin/%2e%2e/elsewhere",
    "/admin/%2E%2E/elsewhere",
    "/admin/./club/list",
]
ACCEPTED = [
    "/admin",
    "/admin/",
    "/admin/club/list",
    "/admin/club/list?page=2&sortBy=name",
    "/admin/club/details/1#top",
    "/admin/member/edit/2b1c%2F3",
    "/admin/search?q=http://x",
]


@pytest.mark.parametrize("value", REFUSED)
def test_unsafe_next_values_are_refused(value: str) -> None:
    assert safe_next(value, "/admin") is None


@pytest.mark.parametrize("value", ACCEPTED)
def test_paths_inside_the_admin_are_accepted(value: str) -> None:
    assert safe_next(value, "/admin") == value


def test_the_admin_mounted_at_the_root_accepts_any_plain_path() -> None:
    assert safe_next("/club/list", "/") == "/club/list"
    assert safe_next("//evil", "/") is None
    assert safe_next("/a/../../b", "/") is None


@pytest.fixture
def anonymous(app: Starlette, admin_user: str) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as client:
        yield client


def login_with(client: TestClient, next_value: str | None) -> httpx.Response:
    extra = {} if next_value is None else {"next": next_value}
    response = post_login(client, "boss", ADMIN_PASSWORD, **extra)
    assert response.status_code == 302, response.text
    return response


def test_an_anonymous_visit_goes_to_login_and_back(anonymous: TestClient) -> None:
    page = "/admin/club/list?page=1&search=chess"
    response = anonymous.get(page)
    assert response.status_code == 302
    location = httpx.URL(response.headers["location"])
    assert location.path == "/admin/login"
    assert location.params["next"] == page

    login_page = anonymous.get(str(location))
    assert f'name="next" value="{page.replace("&", "&amp;")}"' in login_page.text
    assert login_with(anonymous, page).headers["location"] == page
    assert anonymous.get(page).status_code == 200


def test_the_dashboard_and_posts_need_no_next(anonymous: TestClient) -> None:
    assert anonymous.get("/admin/").headers["location"].endswith("/admin/login")
    # A form posted after the session ended is not replayed as a GET.
    token = csrf_fields(anonymous.get("/admin/login").text)
    response = anonymous.post("/admin/tag/create", data={"label": "x"} | token)
    assert response.status_code == 302
    assert response.headers["location"].endswith("/admin/login")


@pytest.mark.parametrize("value", REFUSED[:20])
def test_an_unsafe_next_falls_back_to_the_dashboard(
    anonymous: TestClient, value: str
) -> None:
    page = anonymous.get("/admin/login", params={"next": value})
    assert 'name="next"' not in page.text
    location = login_with(anonymous, value).headers["location"]
    assert location == "http://testserver/admin/"


@pytest.mark.parametrize("page", ["/admin/login", "/admin/logout?x=1"])
def test_next_never_points_at_login_or_logout(anonymous: TestClient, page: str) -> None:
    assert login_with(anonymous, page).headers["location"] == "http://testserver/admin/"


def test_no_next_goes_to_the_dashboard(anonymous: TestClient) -> None:
    assert login_with(anonymous, None).headers["location"] == "http://testserver/admin/"


def test_a_failed_login_keeps_next_for_the_next_try(anonymous: TestClient) -> None:
    response = post_login(anonymous, "boss", "wrong", next="/admin/tag/list")
    assert response.status_code == 400
    assert 'name="next" value="/admin/tag/list"' in response.text


def test_next_is_escaped_in_the_login_form(anonymous: TestClient) -> None:
    value = '/admin/"><svg onload=alert(1)>'
    page = anonymous.get("/admin/login?next=" + quote(value)).text
    assert "<svg" not in page
    assert 'value="/admin/&#34;&gt;&lt;svg onload=alert(1)&gt;"' in page


def test_next_follows_the_mount_point(
    settings: Settings, engine: Engine, admin_user: str
) -> None:
    outer = Starlette()
    mount_admin(outer, engine=engine, settings=settings, path="/backoffice")
    with TestClient(outer, follow_redirects=False) as client:
        response = client.get("/backoffice/tag/list")
        assert httpx.URL(response.headers["location"]).params["next"] == (
            "/backoffice/tag/list"
        )
        # A path of another app on the same site is not the admin's to send to.
        login = post_login(
            client, "boss", ADMIN_PASSWORD, base="/backoffice", next="/admin/tag/list"
        )
        assert login.headers["location"] == "http://testserver/backoffice/"
        login = post_login(
            client,
            "boss",
            ADMIN_PASSWORD,
            base="/backoffice",
            next="/backoffice/tag/list",
        )
        assert login.headers["location"] == "/backoffice/tag/list"
