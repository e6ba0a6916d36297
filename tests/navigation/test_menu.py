"""The sidebar: the user's models in groups, then "Administration" (admin_app's
own tables) for admins only; icons inferred or the view's own; the current
page marked."""

from collections.abc import Callable, Iterator

import pytest
from sqladmin import ModelView
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin_app.auth.models import Grant, Role
from admin_app.auth.users import create_user
from admin_app.views.inferred import AutoModelView
from tests.conftest import login
from tests.navigation.pages import drawn
from tests.sample_models import Club, Tag

ADMINISTRATION = [
    "admin-user",
    "admin-session",
    "login-throttle",
    "grant",
    "audit-entry",
]
SAMPLES = ["club-tag-link", "membership", "tag", "club", "member"]
PASSWORD = "a long enough password"


def test_an_admin_sees_the_models_then_administration(client: TestClient) -> None:
    page = drawn(client.get("/admin/").text)
    assert page.groups == [
        ("Sample Models", SAMPLES),
        ("Administration", ADMINISTRATION),
    ]
    assert page.icons["member"] == "fa-solid fa-users"
    assert page.icons["tag"] == "fa-solid fa-tag"
    assert page.icons["club"] == ""  # nothing in its name suggests one
    # admin_app's own views keep the icons they set; the rest are inferred.
    assert page.icons["admin-user"] == "fa-solid fa-user-shield"
    assert page.icons["admin-session"] == "fa-solid fa-user-clock"
    assert page.icons["login-throttle"] == "fa-solid fa-hourglass-half"


@pytest.fixture
def editor(app: Starlette, engine: Engine) -> Iterator[TestClient]:
    """An editor who may not view tags (a grant row says so)."""
    with Session(engine) as session:
        create_user(session, "eddie", PASSWORD, Role.editor)
        session.add(Grant(role=Role.editor, model="tag", can_view=False))
        session.commit()
    with TestClient(app, follow_redirects=False) as client:
        login(client, "eddie", PASSWORD)
        yield client


def test_a_user_who_is_no_admin_has_no_administration_group(
    editor: TestClient,
) -> None:
    page = drawn(editor.get("/admin/club/list").text)
    assert page.groups == [
        ("Sample Models", ["club-tag-link", "membership", "club", "member"])
    ]
    assert "Administration" not in editor.get("/admin/club/list").text
    # Nor do the pages answer (the menu only follows the permissions).
    assert editor.get("/admin/admin-user/list").status_code == 403


def test_the_current_page_is_marked(client: TestClient, engine: Engine) -> None:
    with Session(engine) as session:
        club = Club(name="Chess")
        session.add(club)
        session.commit()
        key = club.id
    for path in (
        "/admin/club/list",
        f"/admin/club/details/{key}",
        "/admin/club/create",
    ):
        page = drawn(client.get(path).text)
        assert page.current == ["club"], path
    assert drawn(client.get("/admin/grant/list").text).current == ["grant"]
    assert drawn(client.get("/admin/").text).current == []
    assert drawn(client.get("/admin/account/password").text).current == []


class LeisureClubAdmin(AutoModelView, model=Club):
    category = "Leisure"
    icon = "fa-solid fa-chess"


class PlainTagAdmin(ModelView, model=Tag):
    """sqladmin's own view: no hooks, so the menu infers what it leaves unset."""


class GroupedTagAdmin(ModelView, model=Tag):
    category = "Leisure"
    icon = "fa-solid fa-hashtag"


def test_a_views_own_category_and_icon_win(
    client_with: Callable[..., TestClient],
) -> None:
    page = drawn(client_with(LeisureClubAdmin, GroupedTagAdmin).get("/admin/").text)
    assert page.groups == [
        ("Sample Models", ["club-tag-link", "membership", "member"]),
        ("Leisure", ["tag", "club"]),
        ("Administration", ADMINISTRATION),
    ]
    assert page.icons["club"] == "fa-solid fa-chess"
    assert page.icons["tag"] == "fa-solid fa-hashtag"


def test_a_plain_model_view_gets_the_default_group_and_icon(
    client_with: Callable[..., TestClient],
) -> None:
    page = drawn(client_with(PlainTagAdmin).get("/admin/").text)
    assert page.groups[0] == ("Sample Models", SAMPLES)
    assert page.icons["tag"] == "fa-solid fa-tag"
