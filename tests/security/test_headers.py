"""Every admin response forbids framing, sniffing, leaking its URL and running
anything inline or from elsewhere; pages (logged in, the login page, errors,
redirects) are never stored by a cache, static files may be."""

from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from admin_app.app import create_app
from tests.conftest import make_settings
from tests.sample_models import Club

SECURITY = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    # Nothing inline, nothing from elsewhere (tests/security/test_browser_csp.py: the
    # pages run under it); data: images are Tabler's CSS icons.
    "content-security-policy": "default-src 'self'; script-src 'self'; "
    "style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'",
}


def assert_secure(response: httpx.Response, *, stored: bool = False) -> None:
    for name, value in SECURITY.items():
        assert response.headers.get(name) == value, (response.url, name)
    cache = response.headers.get("cache-control", "")
    assert ("no-store" in cache) is not stored, (response.url, cache)


@pytest.fixture
def club_id(engine: Engine) -> int:
    with Session(engine) as session:
        club = Club(name="Chess")
        session.add(club)
        session.commit()
        assert club.id is not None
        return club.id


def test_logged_in_pages(client: TestClient, club_id: int) -> None:
    for url in [
        "/admin/",
        "/admin/club/list",
        f"/admin/club/details/{club_id}",
        f"/admin/club/edit/{club_id}",
        "/admin/club/create",
        f"/admin/club/delete?pks={club_id}",
        "/admin/club/export/csv",
        "/admin/club/ajax/lookup?name=tags&term=a",
    ]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.text[:300])
        assert_secure(response)


def test_answers_that_are_not_pages(client: TestClient, club_id: int) -> None:
    answers = {
        404: client.get("/admin/club/details/404404"),  # no such row
        400: client.get("/admin/club/list?sortBy=nope"),  # a bad parameter
        403: client.post(  # a forged CSRF token
            "/admin/club/create", data={"name": "Go"}, headers={"X-CSRF-Token": "x"}
        ),
        405: client.put("/admin/club/list"),
        302: client.post("/admin/club/create", data={"name": "Go", "save": "Save"}),
    }
    for status, response in answers.items():
        assert response.status_code == status, (status, response.text[:300])
        assert_secure(response)


def test_the_login_page_and_anonymous_redirects(anonymous: TestClient) -> None:
    page = anonymous.get("/admin/login")
    assert page.status_code == 200
    assert_secure(page)
    redirect = anonymous.get("/admin/club/list")
    assert redirect.status_code == 302
    assert_secure(redirect)


def test_static_files_may_be_cached(anonymous: TestClient) -> None:
    for url in ["/admin/statics/css/main.css", "/admin/app-statics/js/csrf.js"]:
        response = anonymous.get(url)
        assert response.status_code == 200, url
        assert_secure(response, stored=True)


def test_limit_refusals_carry_them_too(
    database_url: str, tmp_path: Path, engine: Engine
) -> None:
    settings = make_settings(database_url, tmp_path, max_body_bytes=1024)
    with TestClient(create_app(settings)) as client:
        response = client.post("/admin/login", content=b"x" * 5000)
        assert response.status_code == 413
        assert_secure(response)


def test_the_rest_of_the_app_is_left_alone(anonymous: TestClient) -> None:
    """The headers are the admin's: the app it is mounted in keeps its own."""
    response = anonymous.get("/healthz")
    assert response.status_code == 200
    assert "x-frame-options" not in response.headers
