"""The own-password page is throttled as the login page is: each wrong old
password counts against the user's name and the client's address, and past
either limit the page answers 429 with Retry-After, the right password too,
and so does the login page."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin_app.app import create_app
from admin_app.auth.models import LoginThrottle, Role
from admin_app.auth.passwords import verify_password
from admin_app.auth.users import create_user, find_user
from admin_app.settings import Settings
from tests.auth_flow import post_login
from tests.conftest import login, make_settings
from tests.html import field_errors

OLD = "the old password"
NEW = "a brand new password"
WRONG = "not the old password"
PAGE = "/admin/account/password"
PEER = "10.9.8.7"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(
        database_url, tmp_path, login_max_failures=3, login_max_failures_per_ip=5
    )


@pytest.fixture
def app(settings: Settings, engine: Engine) -> Starlette:
    with Session(engine) as session:
        create_user(session, "reader", OLD, Role.viewer)
        create_user(session, "writer", OLD, Role.editor)
    return create_app(settings)


def signed_in(app: Starlette, username: str, peer: str = PEER) -> TestClient:
    client = TestClient(app, follow_redirects=False, client=(peer, 50000))
    login(client, username, OLD)
    return client


@pytest.fixture
def reader(app: Starlette) -> Iterator[TestClient]:
    with signed_in(app, "reader") as client:
        yield client


def change(client: TestClient, old: str) -> httpx.Response:
    data = {"old_password": old, "new_password": NEW, "new_password_again": NEW}
    return client.post(PAGE, data=data)


def failures(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {row.key: row.failures for row in session.scalars(select(LoginThrottle))}


def password_is(engine: Engine, username: str, password: str) -> bool:
    with Session(engine) as session:
        user = find_user(session, username)
        assert user is not None
        return verify_password(user.password_hash, password)


def test_wrong_old_passwords_count_against_the_username(
    reader: TestClient, engine: Engine
) -> None:
    for attempt in (1, 2):
        response = change(reader, WRONG)
        assert response.status_code == 400, attempt
        assert "retry-after" not in response.headers
    assert failures(engine) == {"user:reader": 2, f"ip:{PEER}": 2}
    third = change(reader, WRONG)
    assert third.status_code == 429
    assert 14 * 60 < int(third.headers["retry-after"]) <= 15 * 60
    message = "Too many failed logins. Try again in 15 minutes."
    assert field_errors(third.text)["old_password"] == [message]
    # Locked: the right old password is refused too, and not even counted.
    right = change(reader, OLD)
    assert right.status_code == 429 and "retry-after" in right.headers
    assert password_is(engine, "reader", OLD)
    assert failures(engine)["user:reader"] == 3
    # The same lock keeps the login page shut for that name, from anywhere.
    with TestClient(reader.app, follow_redirects=False) as elsewhere:
        assert post_login(elsewhere, "reader", OLD).status_code == 429


def test_wrong_old_passwords_count_against_the_address(
    app: Starlette, reader: TestClient, engine: Engine
) -> None:
    # Failed logins of other names from the same address, then the page.
    with TestClient(app, follow_redirects=False, client=(PEER, 50001)) as other:
        for name in ("ann", "bob", "cid"):
            assert post_login(other, name, WRONG).status_code == 400
    assert change(reader, WRONG).status_code == 400
    fifth = change(reader, WRONG)
    assert fifth.status_code == 429 and "retry-after" in fifth.headers
    assert failures(engine)[f"ip:{PEER}"] == 5
    # The address is locked out of the login page, whatever the name…
    with TestClient(app, follow_redirects=False, client=(PEER, 50002)) as third:
        assert post_login(third, "writer", OLD).status_code == 429
    # …another address is not (an untrusted X-Forwarded-For names none).
    with signed_in(app, "writer", peer="10.0.0.1") as writer:
        writer.headers["x-forwarded-for"] = PEER
        assert change(writer, OLD).status_code == 303


def test_the_right_old_password_changes_it_and_clears_the_names_count(
    reader: TestClient, engine: Engine
) -> None:
    assert change(reader, WRONG).status_code == 400
    assert change(reader, OLD).status_code == 303
    assert password_is(engine, "reader", NEW)
    assert "user:reader" not in failures(engine)
    assert failures(engine)[f"ip:{PEER}"] == 1  # the address's count stays
