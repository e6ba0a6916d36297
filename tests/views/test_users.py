"""Admins manage users (create, reset a password, deactivate, set the role) and
grants on admin pages; password hashes never show."""

import itertools
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin_app.auth.models import AdminUser, Grant, Role
from admin_app.auth.passwords import verify_password
from admin_app.auth.users import create_user, find_user
from tests.conftest import login
from tests.csrf_helper import enable_csrf
from tests.html import field_errors, form_values, read_form

PASSWORD = "a long enough password"
NEW = "another long password"

Client = Callable[..., TestClient]


@pytest.fixture
def client_for(app: Starlette, engine: Engine) -> Iterator[Client]:
    numbers = itertools.count()
    with ExitStack() as stack:

        def make(role: Role, name: str | None = None) -> TestClient:
            name = name or f"{role.value}-{next(numbers)}"
            with Session(engine) as session:
                create_user(session, name, PASSWORD, role)
            client = stack.enter_context(TestClient(app, follow_redirects=False))
            login(client, name, PASSWORD)
            return client

        yield make


def user(engine: Engine, name: str) -> AdminUser:
    with Session(engine) as session:
        found = find_user(session, name)
        assert found is not None
        return found


def save(client: TestClient, url: str, **changes: str | None) -> httpx.Response:
    """Submit the form at ``url`` as loaded, with ``changes`` (None: unset)."""
    page = client.get(url)
    assert page.status_code == 200, page.text
    data = {**form_values(page.text), **changes}
    return client.post(url, data={k: v for k, v in data.items() if v is not None})


def can_log_in(app: Starlette, name: str, password: str) -> bool:
    with TestClient(app, follow_redirects=False) as client:
        enable_csrf(client)
        response = client.post(
            "/admin/login", data={"username": name, "password": password}
        )
        return response.status_code == 302


# Users


def test_an_admin_creates_a_user_who_can_log_in(
    client_for: Client, app: Starlette, engine: Engine
) -> None:
    admin = client_for(Role.admin)
    page = admin.get("/admin/admin-user/create")
    assert page.status_code == 200
    fields = read_form(page.text).values
    assert {"username", "role", "is_active", "password_hash"} <= set(fields)
    (password,) = re.findall(r'<input[^>]*name="password_hash"[^>]*>', page.text)
    assert 'type="password"' in password and 'value=""' in password
    response = admin.post(
        "/admin/admin-user/create",
        data={
            "username": "newbie",
            "role": "editor",
            "is_active": "y",
            "password_hash": PASSWORD,
        },
    )
    assert response.status_code == 302, response.text
    created = user(engine, "newbie")
    assert created.role is Role.editor and created.is_active
    assert created.password_hash != PASSWORD
    assert can_log_in(app, "newbie", PASSWORD)


@pytest.mark.parametrize(
    ("username", "password", "field", "message"),
    [
        (
            "two words",
            PASSWORD,
            "username",
            "Usernames are 1 to 150 letters, digits and @ . + - _ characters.",
        ),
        ("short", "short", "password_hash", "passwords are at least 8 characters"),
        ("", PASSWORD, "username", "This field is required."),
    ],
)
def test_a_user_the_admin_cannot_accept_is_refused_by_field(
    client_for: Client,
    engine: Engine,
    username: str,
    password: str,
    field: str,
    message: str,
) -> None:
    admin = client_for(Role.admin)
    response = admin.post(
        "/admin/admin-user/create",
        data={"username": username, "role": "viewer", "password_hash": password},
    )
    assert response.status_code == 400
    assert message in field_errors(response.text).get(field, []), response.text
    with Session(engine) as session:
        assert len(session.scalars(select(AdminUser)).all()) == 1


def test_a_taken_username_is_refused(client_for: Client) -> None:
    admin = client_for(Role.admin, "chief")
    response = admin.post(
        "/admin/admin-user/create",
        data={"username": "chief", "role": "viewer", "password_hash": PASSWORD},
    )
    assert response.status_code == 400
    assert field_errors(response.text).get("username"), response.text


def test_password_hashes_never_show(client_for: Client, engine: Engine) -> None:
    admin = client_for(Role.admin, "chief")
    client_for(Role.viewer, "reader")
    reader = user(engine, "reader")
    stored = reader.password_hash
    for url in (
        "/admin/admin-user/list",
        f"/admin/admin-user/details/{reader.id}",
        f"/admin/admin-user/edit/{reader.id}",
        "/admin/admin-user/export/csv",
        "/admin/admin-user/export/json",
    ):
        response = admin.get(url)
        assert response.status_code == 200, url
        assert stored not in response.text and "argon2" not in response.text, url
    edit = admin.get(f"/admin/admin-user/edit/{reader.id}").text
    assert "Set new password" in edit


def test_resetting_a_password_ends_the_users_sessions(
    client_for: Client, app: Starlette, engine: Engine
) -> None:
    admin = client_for(Role.admin)
    reader = client_for(Role.viewer, "reader")
    assert reader.get("/admin/club/list").status_code == 200
    url = f"/admin/admin-user/edit/{user(engine, 'reader').id}"
    # Leaving the input empty keeps the password (and the sessions).
    assert save(admin, url).status_code == 302
    assert reader.get("/admin/club/list").status_code == 200
    assert save(admin, url, password_hash=NEW).status_code == 302
    assert verify_password(user(engine, "reader").password_hash, NEW)
    assert reader.get("/admin/club/list").status_code == 302
    assert not can_log_in(app, "reader", PASSWORD)
    assert can_log_in(app, "reader", NEW)


def test_deactivating_a_user_logs_them_out(
    client_for: Client, app: Starlette, engine: Engine
) -> None:
    admin = client_for(Role.admin)
    reader = client_for(Role.viewer, "reader")
    url = f"/admin/admin-user/edit/{user(engine, 'reader').id}"
    assert save(admin, url, is_active=None).status_code == 302
    assert not user(engine, "reader").is_active
    assert reader.get("/admin/club/list").status_code == 302
    assert not can_log_in(app, "reader", PASSWORD)


def test_admins_cannot_lock_themselves_out(client_for: Client, engine: Engine) -> None:
    admin = client_for(Role.admin, "chief")
    me = user(engine, "chief")
    url = f"/admin/admin-user/edit/{me.id}"
    response = save(admin, url, role="editor")
    assert response.status_code == 400
    assert field_errors(response.text)["role"] == [
        "You cannot take the admin role from yourself."
    ]
    response = save(admin, url, is_active=None)
    assert response.status_code == 400
    assert field_errors(response.text)["is_active"] == [
        "You cannot deactivate yourself."
    ]
    assert (
        admin.post("/admin/admin-user/delete", data={"pks": me.id}).status_code == 403
    )
    after = user(engine, "chief")
    assert after.role is Role.admin and after.is_active
    # Another admin's account is theirs to change.
    client_for(Role.admin, "deputy")
    deputy = user(engine, "deputy")
    response = admin.post("/admin/admin-user/delete", data={"pks": deputy.id})
    assert response.status_code == 303
    with Session(engine) as session:
        assert session.get(AdminUser, deputy.id) is None


# Grants


def test_grants_name_a_registered_view_and_a_role(
    client_for: Client, engine: Engine
) -> None:
    admin = client_for(Role.admin)
    page = admin.get("/admin/grant/create")
    assert page.status_code == 200
    form = page.text.split('name="model"', 1)[1].split("</select>", 1)[0]
    for identity in ("club", "tag", "member", "membership"):
        assert f'value="{identity}"' in form, identity
    for identity in ("admin-user", "grant", "admin-session", "audit-entry"):
        assert f'value="{identity}"' not in form, identity

    refused = admin.post(
        "/admin/grant/create",
        data={"role": "editor", "model": "admin-user", "can_view": "y"},
    )
    assert refused.status_code == 400
    assert field_errors(refused.text)["model"] == ["Not a valid choice."]


def test_a_grant_made_on_the_page_applies_and_is_unique(
    client_for: Client, engine: Engine
) -> None:
    admin = client_for(Role.admin)
    viewer = client_for(Role.viewer)
    assert viewer.get("/admin/club/export/csv").status_code == 403
    data = {"role": "viewer", "model": "club", "can_view": "y", "can_export": "y"}
    response = admin.post("/admin/grant/create", data=data)
    assert response.status_code == 302, response.text
    assert viewer.get("/admin/club/export/csv").status_code == 200
    again = admin.post("/admin/grant/create", data=data)
    assert again.status_code == 400
    with Session(engine) as session:
        assert len(session.scalars(select(Grant)).all()) == 1


def test_editing_a_grant_shows_its_view_selected(
    client_for: Client, engine: Engine
) -> None:
    with Session(engine) as session:
        row = Grant(role=Role.editor, model="tag", can_view=True)
        session.add(row)
        session.commit()
        grant_id = row.id
    admin = client_for(Role.admin)
    page = admin.get(f"/admin/grant/edit/{grant_id}")
    assert form_values(page.text)["model"] == "tag"
    response = save(admin, f"/admin/grant/edit/{grant_id}", can_delete="y")
    assert response.status_code == 302, response.text
    with Session(engine) as session:
        found = session.get(Grant, grant_id)
        assert found is not None and found.can_delete
