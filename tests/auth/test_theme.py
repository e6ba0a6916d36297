"""A user's light/dark choice: stored with the user by the sidebar's toggle,
audited, CSRF-checked, and written on every page's <html>; a bad value is a 400
that changes nothing; the toggle sends the browser back only to a page of the
admin. The column, its default and migration a0004 on SQLite and PostgreSQL."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select, text
from sqlmodel import Session
from starlette.testclient import TestClient

from admin_app import migrate
from admin_app.audit.entries import AuditEntry
from admin_app.auth.models import AdminUser, Role, Theme
from admin_app.auth.users import create_user
from admin_app.db import make_sync_engine
from admin_app.settings import Settings
from tests.conftest import ADMIN_PASSWORD, login, make_settings

TOGGLE = "/admin/account/theme"
HTML_TAG = re.compile(r"<html[^>]*>")


@pytest.fixture
def client(app, admin_user: str) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


def stored(engine: Engine, username: str = "boss") -> Theme:
    with Session(engine) as session:
        user = session.scalars(select(AdminUser).where(AdminUser.username == username))
        return user.one().theme


def theme_entries(engine: Engine) -> list[AuditEntry]:
    with Session(engine) as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.model == "admin-user")
        ).all()
        return [e for e in entries if "theme" in (e.changes or {})]


def html_tag(page: str) -> str:
    match = HTML_TAG.search(page)
    assert match is not None
    return match.group(0)


def test_auto_leaves_the_theme_to_the_browsers_script(client: TestClient) -> None:
    page = client.get("/admin/").text
    assert html_tag(page) == '<html lang="en" data-admin-app-theme="auto">'
    # The blocking script in <head>, before the styles; the dark fixes after them.
    head = page.split("</head>")[0]
    assert head.index("/admin/app-statics/js/theme.js") < head.index("tabler.min.css")
    assert head.index("admin_app.css") < head.index("/admin/app-statics/css/theme.css")
    # The toggle: three buttons posting to the theme route, "auto" pressed.
    assert f'action="http://testserver{TOGGLE}"' in page
    pressed = re.findall(
        r'value="(\w+)" data-theme="\w+"\s+class="[^"]*"\s+aria-pressed="true"', page
    )
    assert pressed == ["auto"]


def test_the_login_page_follows_the_browser(app, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app) as anonymous:
        page = anonymous.get("/admin/login").text
    assert html_tag(page) == '<html lang="en" data-admin-app-theme="auto">'
    assert "/admin/app-statics/js/theme.js" in page.split("</head>")[0]
    assert 'data-admin-app="theme-toggle"' not in page


def test_the_statics_are_served(client: TestClient) -> None:
    script = client.get("/admin/app-statics/js/theme.js")
    assert script.status_code == 200 and "prefers-color-scheme: dark" in script.text
    styles = client.get("/admin/app-statics/css/theme.css")
    assert styles.status_code == 200 and ".select2-dropdown" in styles.text


def test_a_choice_is_stored_audited_and_drawn_on_every_page(
    client: TestClient,
    app,
    engine: Engine,  # type: ignore[no-untyped-def]
) -> None:
    back = "/admin/order/list?search=PO&page=2"
    chosen = client.post(TOGGLE, data={"theme": "dark", "next": back})
    assert chosen.status_code == 303
    assert chosen.headers["location"] == back
    assert stored(engine) is Theme.dark
    [entry] = theme_entries(engine)
    assert entry.action == "update"
    assert entry.changes == {"theme": {"before": "auto", "after": "dark"}}
    for path in ("/admin/", "/admin/account/time-zone", "/admin/admin-user/list"):
        tag = html_tag(client.get(path).text)
        assert (
            tag == '<html lang="en" data-admin-app-theme="dark" data-bs-theme="dark">'
        )

    # The toggle's script asks for JSON: the choice saved, no redirect.
    fetched = client.post(
        TOGGLE, data={"theme": "dark"}, headers={"Accept": "application/json"}
    )
    assert fetched.status_code == 200 and fetched.json() == {"theme": "dark"}

    # The same choice again writes nothing; light is written as light.
    client.post(TOGGLE, data={"theme": "dark"})
    assert len(theme_entries(engine)) == 1
    client.post(TOGGLE, data={"theme": "light"})
    assert stored(engine) is Theme.light
    assert 'data-bs-theme="light"' in html_tag(client.get("/admin/").text)
    assert len(theme_entries(engine)) == 2

    # Another user keeps their own.
    with Session(engine) as session:
        create_user(session, "other", ADMIN_PASSWORD, Role.viewer)
    with TestClient(app, follow_redirects=False) as other:
        login(other, "other", ADMIN_PASSWORD)
        tag = html_tag(other.get("/admin/").text)
        assert tag == '<html lang="en" data-admin-app-theme="auto">'
    assert stored(engine, "other") is Theme.auto


@pytest.mark.parametrize(
    "bad",
    [{"theme": "purple"}, {"theme": ""}, {}, {"theme": "x" * 5000}, {"theme": "Dark"}],
)
def test_a_bad_value_is_a_400_that_changes_nothing(
    client: TestClient, engine: Engine, bad: dict[str, str]
) -> None:
    refused = client.post(TOGGLE, data={**bad, "next": "/admin/"})
    assert refused.status_code == 400
    assert "Choose a theme: auto, light or dark." in refused.text
    assert "Traceback" not in refused.text
    assert stored(engine) is Theme.auto
    assert theme_entries(engine) == []


def test_the_csrf_token_is_required(client: TestClient, engine: Engine) -> None:
    client.csrf.enabled = False  # type: ignore[attr-defined]
    refused = client.post(TOGGLE, data={"theme": "dark"})
    assert refused.status_code == 403
    assert stored(engine) is Theme.auto
    assert theme_entries(engine) == []


def test_only_a_post_changes_it_and_only_when_signed_in(
    client: TestClient,
    app,
    engine: Engine,  # type: ignore[no-untyped-def]
) -> None:
    assert client.get(TOGGLE).status_code == 405
    client.post("/admin/logout")
    anonymous = client.post(TOGGLE, data={"theme": "dark"})
    assert anonymous.status_code == 302
    assert anonymous.headers["location"] == "http://testserver/admin/login"
    assert stored(engine) is Theme.auto


@pytest.mark.parametrize(
    "unsafe",
    [
        "//evil.example/admin/",
        "https://evil.example/admin/",
        "/\\evil.example",
        "/admin/%2e%2e/elsewhere",
        "/elsewhere",
        "admin/order/list",
        "",
    ],
)
def test_it_goes_back_only_to_a_page_of_the_admin(
    client: TestClient, engine: Engine, unsafe: str
) -> None:
    answer = client.post(TOGGLE, data={"theme": "dark", "next": unsafe})
    assert answer.status_code == 303
    assert answer.headers["location"] == "http://testserver/admin/"
    assert stored(engine) is Theme.dark


def test_the_column_defaults_to_auto_and_refuses_other_values(
    engine: Engine,
) -> None:
    # A row written without the column (by SQL, or before a0004): "auto".
    with Session(engine) as session:
        session.execute(
            insert(AdminUser.__table__).values(  # type: ignore[attr-defined]
                username="raw",
                password_hash="x",
                is_active=True,
                role="viewer",
                created_at=AdminUser(username="t", password_hash="x").created_at,
            )
        )
        session.commit()
    assert stored(engine, "raw") is Theme.auto
    with Session(engine) as session:
        user = session.scalars(
            select(AdminUser).where(AdminUser.username == "raw")
        ).one()
        user.theme = Theme.dark
        session.commit()
    assert stored(engine, "raw") is Theme.dark


def test_migration_a0004_gives_existing_users_auto(
    database_url: str, tmp_path: Path
) -> None:
    settings: Settings = make_settings(database_url, tmp_path, models=["models"])
    migrate.upgrade(settings, "a0003")
    engine = make_sync_engine(settings)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO admin_app_user (username, password_hash, is_active,"
                    " role, created_at) VALUES ('old', 'x', true, 'viewer',"
                    " CURRENT_TIMESTAMP)"
                )
            )
        migrate.upgrade(settings)
        assert stored(engine, "old") is Theme.auto
        migrate.downgrade(settings, "a0003")
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT * FROM admin_app_user")).mappings()
            assert "theme" not in rows.one()
    finally:
        engine.dispose()
