"""A user changes their own password: the old one first, the new one twice."""

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session, col
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin_app.audit.entries import REDACTED, AuditEntry
from admin_app.auth.models import Role
from admin_app.auth.passwords import verify_password
from admin_app.auth.users import create_user, find_user
from tests.conftest import login
from tests.csrf_helper import enable_csrf
from tests.html import field_errors

OLD = "the old password"
NEW = "a brand new password"
PAGE = "/admin/account/password"


@pytest.fixture
def viewer(app: Starlette, engine: Engine) -> Iterator[TestClient]:
    with Session(engine) as session:
        create_user(session, "reader", OLD, Role.viewer)
    with TestClient(app, follow_redirects=False) as client:
        login(client, "reader", OLD)
        yield client


def change(
    client: TestClient, old: str, new: str, again: str | None = None
) -> httpx.Response:
    return client.post(
        PAGE,
        data={
            "old_password": old,
            "new_password": new,
            "new_password_again": new if again is None else again,
        },
    )


def stored_hash(engine: Engine) -> str:
    with Session(engine) as session:
        user = find_user(session, "reader")
        assert user is not None
        return user.password_hash


def test_the_page_asks_for_the_old_password_and_the_new_one_twice(
    viewer: TestClient,
) -> None:
    page = viewer.get(PAGE)
    assert page.status_code == 200
    for name in ("old_password", "new_password", "new_password_again"):
        assert f'name="{name}" type="password"' in page.text
    # Linked from every page, for every role.
    assert PAGE in viewer.get("/admin/").text


def test_anonymous_users_are_sent_to_log_in(anonymous: TestClient) -> None:
    page = anonymous.get(PAGE)
    assert page.status_code == 302
    location = urlsplit(page.headers["location"])
    assert location.path == "/admin/login"
    assert parse_qs(location.query) == {"next": [PAGE]}  # and back here after
    # A POST with the (anonymous) session's CSRF token passes that check and
    # is sent to log in all the same.
    posted = change(anonymous, OLD, NEW)
    assert posted.status_code == 302
    assert urlsplit(posted.headers["location"]).path == "/admin/login"


def test_a_wrong_old_password_is_an_error_on_its_field(
    viewer: TestClient, engine: Engine
) -> None:
    before = stored_hash(engine)
    response = change(viewer, "not my password", NEW)
    assert response.status_code == 400
    assert field_errors(response.text) == {
        "old_password": ["Your old password was entered incorrectly."]
    }
    assert stored_hash(engine) == before


@pytest.mark.parametrize(
    ("old", "new", "again", "errors"),
    [
        ("", NEW, NEW, {"old_password": ["This field is required."]}),
        (
            OLD,
            NEW,
            "something else",
            {"new_password_again": ["The two new passwords differ."]},
        ),
        (
            OLD,
            "short",
            "short",
            {"new_password": ["Passwords are at least 8 characters."]},
        ),
        (
            "wrong password",
            "",
            "",
            {
                "old_password": ["Your old password was entered incorrectly."],
                "new_password": ["This field is required."],
                "new_password_again": ["This field is required."],
            },
        ),
    ],
)
def test_each_problem_is_told_next_to_its_field(
    viewer: TestClient,
    engine: Engine,
    old: str,
    new: str,
    again: str,
    errors: dict[str, list[str]],
) -> None:
    before = stored_hash(engine)
    response = change(viewer, old, new, again)
    assert response.status_code == 400
    assert field_errors(response.text) == errors
    assert stored_hash(engine) == before
    # Nothing typed is sent back.
    assert NEW not in response.text and OLD not in response.text


def test_a_new_password_replaces_the_old_one(
    viewer: TestClient, app: Starlette, engine: Engine
) -> None:
    with TestClient(app, follow_redirects=False) as elsewhere:
        login(elsewhere, "reader", OLD)
        response = change(viewer, OLD, NEW)
        assert response.status_code == 303
        assert response.headers["location"].endswith("/admin/")
        assert verify_password(stored_hash(engine), NEW)
        # This browser stays signed in; the user's other sessions end.
        assert viewer.get("/admin/club/list").status_code == 200
        assert elsewhere.get("/admin/club/list").status_code == 302

    with TestClient(app, follow_redirects=False) as fresh:
        enable_csrf(fresh)
        refused = fresh.post(
            "/admin/login", data={"username": "reader", "password": OLD}
        )
        assert refused.status_code == 400
        login(fresh, "reader", NEW)
        assert fresh.get("/admin/club/list").status_code == 200


def test_the_change_is_audited_without_the_hashes(
    viewer: TestClient, engine: Engine
) -> None:
    assert change(viewer, OLD, NEW).status_code == 303
    with Session(engine) as session:
        user = find_user(session, "reader")
        assert user is not None
        entry = session.scalars(
            select(AuditEntry).where(col(AuditEntry.action) == "update")
        ).one()
    assert (entry.username, entry.model, entry.pk) == (
        "reader",
        "admin-user",
        str(user.id),
    )
    assert entry.changes == {"password_hash": {"before": REDACTED, "after": REDACTED}}
