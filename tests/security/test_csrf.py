"""CSRF: every POST, PUT, PATCH and DELETE needs the session's token (form field
``csrf_token`` or header ``X-CSRF-Token``) and must not come from another site;
otherwise 403 and nothing is written. Custom actions act on POST only."""

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session, SQLModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.testclient import TestClient

from admin_app.app import create_app
from admin_app.auth.models import Role
from admin_app.auth.users import create_user
from admin_app.security.csrf import csrf_token, rotate_csrf_token, token_matches
from admin_app.settings import Settings
from tests.conftest import ADMIN_PASSWORD, login, make_settings
from tests.csrf_helper import enable_csrf, token_in
from tests.sample_models import Club

EVIL = "https://evil.example"
FORBIDDEN_WORDS = "Nothing was saved"


def count(engine: Engine, model: type[SQLModel] = Club) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def add_club(engine: Engine, name: str = "Chess") -> int:
    with Session(engine) as session:
        club = Club(name=name)
        session.add(club)
        session.commit()
        assert club.id is not None
        return club.id


def club_name(engine: Engine, pk: int) -> str | None:
    with Session(engine) as session:
        club = session.get(Club, pk)
        return None if club is None else club.name


def other_sessions_token(app: Starlette) -> str:
    """A valid token, but of another browser's session."""
    with TestClient(app) as stranger:
        token = token_in(stranger.get("/admin/login").text)
    assert token is not None
    return token


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path, models=["tests.action_views"])


@pytest.fixture
def site_app(settings: Settings, engine: Engine) -> Starlette:
    return create_app(settings)


@pytest.fixture
def client(site_app: Starlette, admin_user: str) -> Iterator[TestClient]:
    with TestClient(site_app, follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


def send_raw(
    client: TestClient, method: str, url: str, **kwargs: Any
) -> httpx.Response:
    """A request without the token the test client adds by itself."""
    client.csrf.enabled = False  # type: ignore[attr-defined]
    try:
        return client.request(method, url, **kwargs)
    finally:
        client.csrf.enabled = True  # type: ignore[attr-defined]


# Each way a forged request can look: what it sends besides the form.
Forgery = Callable[[TestClient, Starlette], dict[str, Any]]
FORGERIES: dict[str, Forgery] = {
    "missing": lambda client, app: {},
    "wrong": lambda client, app: {"headers": {"X-CSRF-Token": "x" * 86}},
    "empty": lambda client, app: {"headers": {"X-CSRF-Token": ""}},
    "foreign-session": lambda client, app: {
        "headers": {"X-CSRF-Token": other_sessions_token(app)}
    },
    "cross-origin": lambda client, app: {
        "headers": {"X-CSRF-Token": client.csrf.current(), "Origin": EVIL}  # type: ignore[attr-defined]
    },
    "cross-site-fetch": lambda client, app: {
        "headers": {
            "X-CSRF-Token": client.csrf.current(),  # type: ignore[attr-defined]
            "Sec-Fetch-Site": "cross-site",
        }
    },
    "null-origin": lambda client, app: {
        "headers": {"X-CSRF-Token": client.csrf.current(), "Origin": "null"}  # type: ignore[attr-defined]
    },
    "other-host": lambda client, app: {
        "headers": {
            "X-CSRF-Token": client.csrf.current(),  # type: ignore[attr-defined]
            "Origin": "http://testserver.evil.example",
        }
    },
}


def forged(
    client: TestClient, app: Starlette, kind: str, method: str, url: str, **kw: Any
) -> httpx.Response:
    extra = FORGERIES[kind](client, app)
    headers = {**kw.pop("headers", {}), **extra.get("headers", {})}
    response = send_raw(client, method, url, headers=headers, **kw)
    assert response.status_code == 403, response.text
    assert FORBIDDEN_WORDS in response.text
    return response


@pytest.mark.parametrize("kind", FORGERIES)
def test_a_forged_create_writes_nothing(
    client: TestClient, site_app: Starlette, engine: Engine, kind: str
) -> None:
    form = {"name": "Forged", "save": "Save"}
    forged(client, site_app, kind, "POST", "/admin/club/create", data=form)
    assert count(engine) == 0


@pytest.mark.parametrize("kind", FORGERIES)
def test_a_forged_edit_writes_nothing(
    client: TestClient, site_app: Starlette, engine: Engine, kind: str
) -> None:
    pk = add_club(engine)
    form = {"name": "Forged", "save": "Save"}
    forged(client, site_app, kind, "POST", f"/admin/club/edit/{pk}", data=form)
    assert club_name(engine, pk) == "Chess"


@pytest.mark.parametrize("kind", FORGERIES)
def test_a_forged_delete_deletes_nothing(
    client: TestClient, site_app: Starlette, engine: Engine, kind: str
) -> None:
    pk = add_club(engine)
    url = "/admin/club/delete"
    forged(client, site_app, kind, "POST", url, data={"pks": str(pk)})
    forged(client, site_app, kind, "DELETE", f"{url}?pks={pk}")
    assert count(engine) == 1


@pytest.mark.parametrize("kind", FORGERIES)
def test_a_forged_action_does_nothing(
    client: TestClient, site_app: Starlette, engine: Engine, kind: str
) -> None:
    pk = add_club(engine)
    forged(client, site_app, kind, "POST", f"/admin/club/action/shout?pks={pk}")
    assert club_name(engine, pk) == "Chess"


def test_a_wrong_or_foreign_form_field_writes_nothing(
    client: TestClient, site_app: Starlette, engine: Engine
) -> None:
    for token in ["garbage", other_sessions_token(site_app), ""]:
        form = {"name": "Forged", "save": "Save", "csrf_token": token}
        response = send_raw(client, "POST", "/admin/club/create", data=form)
        assert response.status_code == 403
        files = {key: (None, value) for key, value in form.items()}
        response = send_raw(client, "POST", "/admin/club/create", files=files)
        assert response.status_code == 403
    assert count(engine) == 0


@pytest.mark.parametrize("kind", FORGERIES)
def test_a_forged_login_logs_nobody_in(
    site_app: Starlette, admin_user: str, kind: str
) -> None:
    with TestClient(site_app, follow_redirects=False) as client:
        enable_csrf(client)
        form = {"username": admin_user, "password": ADMIN_PASSWORD}
        forged(client, site_app, kind, "POST", "/admin/login", data=form)
        assert client.get("/admin/").status_code == 302  # still anonymous


def test_a_forged_logout_keeps_the_session(client: TestClient) -> None:
    assert send_raw(client, "POST", "/admin/logout").status_code == 403
    assert client.get("/admin/").status_code == 200


def test_the_form_field_is_accepted_urlencoded_and_multipart(
    client: TestClient, engine: Engine
) -> None:
    token = client.csrf.current()  # type: ignore[attr-defined]
    plain = {"name": "Plain", "save": "Save", "csrf_token": token}
    assert send_raw(client, "POST", "/admin/club/create", data=plain).status_code == 302
    # Create and edit forms are multipart (enctype="multipart/form-data").
    files = {
        "name": (None, "Multi"),
        "save": (None, "Save"),
        "csrf_token": (None, token),
    }
    response = send_raw(client, "POST", "/admin/club/create", files=files)
    assert response.status_code == 302, response.text
    assert count(engine) == 2


@pytest.mark.parametrize("right", [True, False])
def test_a_leading_multipart_token_is_read_before_the_file(
    client: TestClient, right: bool
) -> None:
    """A file upload's token comes first: the check reads it and passes the
    file on unread; a wrong one is refused."""
    token = client.csrf.current() if right else "forged"  # type: ignore[attr-defined]
    files = {
        "csrf_token": (None, token),
        "file": ("clubs.csv", b"name\n" + b"Leading\n" * 30_000, "text/csv"),
    }
    response = send_raw(client, "POST", "/admin/club/import", files=files)
    assert response.status_code == (303 if right else 403), response.text[:300]


def test_the_header_is_accepted_and_same_origin_requests_pass(
    client: TestClient, engine: Engine
) -> None:
    headers = {
        "X-CSRF-Token": client.csrf.current(),  # type: ignore[attr-defined]
        "Origin": "http://testserver",
        "Sec-Fetch-Site": "same-origin",
    }
    form = {"name": "Header", "save": "Save"}
    response = send_raw(
        client, "POST", "/admin/club/create", data=form, headers=headers
    )
    assert response.status_code == 302, response.text
    pk = add_club(engine)
    response = send_raw(
        client, "DELETE", f"/admin/club/delete?pks={pk}", headers=headers
    )
    assert response.status_code == 200, response.text
    assert count(engine) == 1


def post_forms(html: str) -> list[str]:
    """Each POST form of a page, as its HTML."""
    forms = [chunk.split("</form>", 1)[0] for chunk in html.split("<form")[1:]]
    return [form for form in forms if re.search(r'method="post"', form, re.I)]


def test_every_post_form_carries_the_token(client: TestClient, engine: Engine) -> None:
    pk = add_club(engine)
    pages = [
        "/admin/",  # logout
        "/admin/club/list",  # the delete and import modals
        "/admin/club/create",
        f"/admin/club/edit/{pk}",
        f"/admin/club/details/{pk}",
        f"/admin/club/delete?pks={pk}",
        f"/admin/club/action/shout?pks={pk}",
    ]
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200, url
        forms = post_forms(page.text)
        assert forms, url
        for form in forms:
            assert 'name="csrf_token"' in form, (url, form[:200])
    with TestClient(client.app) as anonymous:
        (login_form,) = post_forms(anonymous.get("/admin/login").text)
        assert 'name="csrf_token"' in login_form


def test_login_page_makes_the_session_and_its_token(site_app: Starlette) -> None:
    with TestClient(site_app, follow_redirects=False) as client:
        page = client.get("/admin/login")
        assert page.status_code == 200
        assert token_in(page.text) is not None
        assert 'name="csrf_token"' in page.text
        assert client.cookies  # the session exists before anyone logs in


def test_static_files_and_redirects_make_no_session(site_app: Starlette) -> None:
    with TestClient(site_app, follow_redirects=False) as client:
        assert client.get("/admin/statics/css/main.css").status_code == 200
        assert client.get("/admin/").status_code == 302
        assert not client.cookies


def test_the_token_changes_at_login(
    site_app: Starlette, engine: Engine, admin_user: str
) -> None:
    with TestClient(site_app, follow_redirects=False) as client:
        before = token_in(client.get("/admin/login").text)
        login(client, admin_user, ADMIN_PASSWORD)
        form = {"name": "Stale", "save": "Save"}
        headers = {"X-CSRF-Token": before or ""}
        response = send_raw(
            client, "POST", "/admin/club/create", data=form, headers=headers
        )
        assert response.status_code == 403
        assert count(engine) == 0
        # The token the pages show now works.
        response = client.post("/admin/club/create", data=form)
        assert response.status_code == 302


def test_actions_act_on_post_only(client: TestClient, engine: Engine) -> None:
    pk = add_club(engine)
    url = f"/admin/club/action/shout?pks={pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert "Shout their names?" in page.text
    assert 'method="post"' in page.text
    assert club_name(engine, pk) == "Chess"  # a GET never acts
    assert client.head(url).status_code in (200, 405)
    assert club_name(engine, pk) == "Chess"
    response = client.post(url)
    assert response.status_code == 302
    assert club_name(engine, pk) == "CHESS"


def test_a_get_of_an_action_still_needs_a_login(
    site_app: Starlette, engine: Engine
) -> None:
    pk = add_club(engine)
    with TestClient(site_app, follow_redirects=False) as anonymous:
        response = anonymous.get(f"/admin/club/action/shout?pks={pk}")
        assert response.status_code == 302
        assert "/login" in response.headers["location"]


def test_the_pages_post_actions_with_the_token(
    client: TestClient, engine: Engine
) -> None:
    pk = add_club(engine)
    page = client.get(f"/admin/club/details/{pk}")
    assert "js/csrf.js" in page.text
    assert '<meta name="csrf-token"' in page.text


def test_trusted_origins_may_post(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> None:
    trusted = "https://admin.example.com"
    settings = make_settings(
        database_url,
        tmp_path,
        models=["tests.action_views"],
        csrf_trusted_origins=trusted,
    )
    app = create_app(settings)
    with TestClient(app, follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        form = {"name": "Proxied", "save": "Save"}
        response = client.post(
            "/admin/club/create", data=form, headers={"Origin": trusted}
        )
        assert response.status_code == 302, response.text
        response = client.post(
            "/admin/club/create",
            data={"name": "Evil", "save": "Save"},
            headers={"Origin": EVIL},
        )
        assert response.status_code == 403
    assert count(engine) == 1


def test_an_untrusted_origin_setting_is_refused(
    database_url: str, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="origin"):
        make_settings(database_url, tmp_path, csrf_trusted_origins="admin.example.com")


def test_tokens_are_masked_afresh_and_checked_in_constant_time() -> None:
    scope = {"type": "http", "session": {}}
    request = Request(scope)
    first, second = csrf_token(request), csrf_token(request)
    assert first != second  # a new pad each time (BREACH)
    session = scope["session"]
    assert isinstance(session, dict)
    assert token_matches(session, first) and token_matches(session, second)
    assert not token_matches(session, first[:-2] + "AA")
    assert not token_matches(session, session["csrf_token"])  # the bare secret
    assert not token_matches(session, "ü" * 86)
    assert not token_matches({}, first)
    rotate_csrf_token(session)
    assert not token_matches(session, first)


def test_a_user_the_action_refuses_gets_no_confirmation_either(
    site_app: Starlette, engine: Engine
) -> None:
    pk = add_club(engine)
    with Session(engine) as session:
        create_user(session, "watcher", ADMIN_PASSWORD, Role.viewer)
    with TestClient(site_app, follow_redirects=False) as viewer:
        login(viewer, "watcher", ADMIN_PASSWORD)
        url = f"/admin/club/action/shout?pks={pk}"
        assert viewer.get(url).status_code == 403
        assert viewer.post(url).status_code == 403
    assert club_name(engine, pk) == "Chess"


# In a real browser: the pages' own forms and scripts carry the token.


def test_browser_list_action_posts_with_the_token(page, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    pk = add_club(engine, "Rowing")
    add_club(engine, "Fencing")
    page.goto("/admin/club/list")
    page.locator("tr", has_text="Rowing").locator("input.select-box").check()
    page.click("#dropdownMenuButton")
    page.click("#action-customconfirm-shout")
    with page.expect_request(lambda r: "/action/shout" in r.url) as sent:
        page.click("#action-custom-modal-shout")
    assert sent.value.method == "POST"
    page.wait_for_url("**/admin/club/list")
    assert club_name(engine, pk) == "ROWING"
    assert club_name(engine, pk + 1) == "Fencing"


def test_browser_detail_action_posts_with_the_token(page, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    pk = add_club(engine, "LOUD")
    page.goto(f"/admin/club/details/{pk}")
    with page.expect_request(lambda r: "/action/whisper" in r.url) as sent:
        page.click("a:has-text('Whisper')")
    assert sent.value.method == "POST"
    page.wait_for_url("**/admin/club/list")
    assert club_name(engine, pk) == "loud"


def test_browser_confirmation_page_posts_without_scripts(  # type: ignore[no-untyped-def]
    page, engine: Engine
) -> None:
    pk = add_club(engine, "Quiet")
    page.goto(f"/admin/club/action/shout?pks={pk}")
    assert club_name(engine, pk) == "Quiet"
    page.click("[data-role=action-confirm]")
    page.wait_for_url("**/admin/club/list")
    assert club_name(engine, pk) == "QUIET"


def test_browser_upload_is_checked_by_its_leading_token(
    page, engine: Engine, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """An import's upload form puts its token first: the check reads it
    without holding the file (admin_app.security.csrf._leading_token)."""
    upload = tmp_path / "clubs.csv"
    upload.write_text("name,motto,founded\nImported,Hi,2020-01-01\n")
    page.goto("/admin/club/import")
    page.set_input_files("#import-file", str(upload))
    with page.expect_response(lambda r: r.url.endswith("/admin/club/import")) as got:
        page.click("#import-upload")
    # Past the CSRF check (a 403 otherwise): the preview comes.
    assert got.value.request.method == "POST"
    assert got.value.request.header_value("x-csrf-token") is None
    assert got.value.status == 303
    page.wait_for_selector('[data-admin-app="import-preview"]')
