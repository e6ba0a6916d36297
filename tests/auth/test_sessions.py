"""Sessions: each login is a database row named by the cookie's random token,
so logging out, a new password, deactivation and expiry end it for good, and a
cookie that was planted, tampered with, signed elsewhere or is too old means
nobody is logged in."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, delete, func, select, update
from sqlmodel import Session, col
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from admin_app.app import create_app, mount_admin
from admin_app.audit.entries import AuditEntry
from admin_app.auth.backend import SESSION_COOKIE, TOKEN_KEY, AdminAuthBackend
from admin_app.auth.models import AdminSession, AdminUser, Role
from admin_app.auth.passwords import hash_password, needs_rehash
from admin_app.auth.sessions import token_id
from admin_app.auth.users import create_user, set_password
from admin_app.settings import Settings
from tests.auth_flow import (
    cookie_payload,
    cookie_token,
    post_login,
    post_logout,
    session_cookie,
    signed_cookie,
)
from tests.conftest import ADMIN_PASSWORD, TEST_SECRET, make_settings

PAGE = "/admin/"


def logged_in(app: Starlette, username: str = "boss") -> TestClient:
    client = TestClient(app, follow_redirects=False)
    response = post_login(client, username, ADMIN_PASSWORD)
    assert response.status_code == 302, response.text
    return client


def with_cookie(app: Starlette, cookie: str) -> TestClient:
    """A fresh client (another browser) holding only ``cookie``, stored where
    the admin's own Set-Cookie would put it (so a new one replaces it)."""
    client = TestClient(app, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, cookie, domain="testserver.local", path="/admin")
    return client


def is_anonymous(client: TestClient) -> bool:
    response = client.get(PAGE)
    assert response.status_code in (200, 302), response.text
    return response.status_code == 302


def sessions_of(engine: Engine, username: str) -> list[AdminSession]:
    with Session(engine) as session:
        query = (
            select(AdminSession)
            .join(AdminUser, col(AdminUser.id) == col(AdminSession.user_id))
            .where(col(AdminUser.username) == username)
        )
        return list(session.scalars(query))


def move_session(engine: Engine, token: str, **ago: timedelta) -> None:
    """Pretend the session began / was last seen ``ago`` in the past."""
    now = datetime.now(UTC)
    values = {name: now - delta for name, delta in ago.items()}
    with Session(engine) as session:
        session.execute(
            update(AdminSession)
            .where(col(AdminSession.id) == token_id(token))
            .values(values)
        )
        session.commit()


@pytest.fixture
def client(app: Starlette, admin_user: str) -> Iterator[TestClient]:
    with logged_in(app) as client:
        yield client


def test_the_cookie_holds_a_random_token_and_the_database_its_hash(
    client: TestClient, engine: Engine
) -> None:
    cookie = session_cookie(client)
    payload = cookie_payload(cookie)
    assert set(payload) <= {TOKEN_KEY, "csrf_token"}  # no user id, no role
    token = payload[TOKEN_KEY]
    assert len(token) >= 40
    (row,) = sessions_of(engine, "boss")
    assert row.id == token_id(token) and token not in row.id


def test_login_rotates_the_session_so_a_planted_cookie_is_worthless(
    app: Starlette, engine: Engine, admin_user: str
) -> None:
    with Session(engine) as session:
        create_user(session, "mallory", ADMIN_PASSWORD, Role.viewer)
    # Mallory logs in and plants her cookie in the victim's browser.
    planted = session_cookie(logged_in(app, "mallory"))
    victim = with_cookie(app, planted)
    assert not is_anonymous(victim)  # it is a valid session... of Mallory's
    assert post_login(victim, "boss", ADMIN_PASSWORD).status_code == 302
    fresh = session_cookie(victim)
    assert cookie_token(fresh) != cookie_token(planted)
    assert not is_anonymous(victim)
    # The planted cookie is ended by the login: Mallory holds nothing.
    assert is_anonymous(with_cookie(app, planted))
    assert [row.id for row in sessions_of(engine, "mallory")] == []
    assert [row.id for row in sessions_of(engine, "boss")] == [
        token_id(cookie_token(fresh))
    ]


def test_logout_is_a_post_that_ends_the_session_everywhere(
    client: TestClient, app: Starlette, engine: Engine
) -> None:
    cookie = session_cookie(client)
    page = client.get(PAGE).text
    assert 'data-admin-app="logout"' in page and 'method="POST"' in page
    assert 'href="http://testserver/admin/logout"' not in page
    assert client.get("/admin/logout").status_code == 405
    assert not is_anonymous(client)  # a GET ended nothing

    response = post_logout(client)
    assert response.status_code == 302
    assert response.headers["location"].endswith("/admin/login")
    assert is_anonymous(client)
    # The old cookie, replayed from anywhere, is nobody's.
    assert is_anonymous(with_cookie(app, cookie))
    assert sessions_of(engine, "boss") == []
    with Session(engine) as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))
        assert list(actions) == ["login", "logout"]


def test_a_new_password_ends_every_session_of_that_user(
    client: TestClient, app: Starlette, engine: Engine
) -> None:
    other = logged_in(app)
    assert len(sessions_of(engine, "boss")) == 2
    with Session(engine) as session:
        set_password(session, "boss", "a brand new password")
    assert is_anonymous(client) and is_anonymous(other)
    assert sessions_of(engine, "boss") == []


def test_an_admin_setting_someone_elses_password_ends_their_sessions(
    client: TestClient, app: Starlette, engine: Engine
) -> None:
    with Session(engine) as session:
        create_user(session, "clerk", ADMIN_PASSWORD, Role.editor)
    clerk = logged_in(app, "clerk")
    with Session(engine) as session:  # as any code path does: an ORM update
        user = session.scalars(
            select(AdminUser).where(col(AdminUser.username) == "clerk")
        ).one()
        user.password_hash = hash_password("reset by an admin")
        session.commit()
    assert is_anonymous(clerk)
    assert not is_anonymous(client)  # the admin's own session is untouched


def test_deactivation_and_role_changes_count_from_the_next_request(
    settings: Settings, engine: Engine, admin_user: str
) -> None:
    outer = Starlette()
    site = mount_admin(outer, engine=engine, settings=settings)
    backend = site.authentication_backend
    assert isinstance(backend, AdminAuthBackend)

    async def whoami(request: Request) -> Response:
        user = await backend.current_user(request)
        return PlainTextResponse(user.role.value if user else "nobody")

    site.admin.router.routes.append(Route("/whoami", whoami))
    with logged_in(outer) as client:
        assert client.get("/admin/whoami").text == "admin"
        with Session(engine) as session:
            session.execute(
                update(AdminUser)
                .where(col(AdminUser.username) == "boss")
                .values(role=Role.viewer)
            )
            session.commit()
        assert client.get("/admin/whoami").text == "viewer"  # from the row

        with Session(engine) as session:
            user = session.scalars(select(AdminUser)).one()
            user.is_active = False
            session.commit()
        assert client.get("/admin/whoami").text == "nobody"
        assert is_anonymous(client)
        assert sessions_of(engine, "boss") == []  # ended, not just refused
        # Reactivated, the user logs in again; the old cookie stays dead.
        with Session(engine) as session:
            session.scalars(select(AdminUser)).one().is_active = True
            session.commit()
        assert client.get("/admin/whoami").text == "nobody"


def test_changing_ones_own_password_keeps_this_session_only(
    settings: Settings, engine: Engine, admin_user: str
) -> None:
    outer = Starlette()
    site = mount_admin(outer, engine=engine, settings=settings)
    backend = site.authentication_backend
    assert isinstance(backend, AdminAuthBackend)

    async def change_password(request: Request) -> Response:
        user = await backend.current_user(request)
        assert user is not None and user.id is not None
        with Session(engine) as session:
            row = session.get(AdminUser, user.id)
            assert row is not None
            row.password_hash = hash_password("my own new password")
            backend.keep_signed_in(request, session, user.id)
            session.commit()
        return PlainTextResponse("changed")

    site.admin.router.routes.append(Route("/change", change_password))
    with logged_in(outer) as here, logged_in(outer) as elsewhere:
        before = session_cookie(here)
        assert here.get("/admin/change").text == "changed"
        assert cookie_token(session_cookie(here)) != cookie_token(before)
        assert not is_anonymous(here)
        assert is_anonymous(elsewhere)
        assert is_anonymous(with_cookie(outer, before))
        assert len(sessions_of(engine, "boss")) == 1


def test_an_idle_session_expires(
    client: TestClient, app: Starlette, engine: Engine
) -> None:
    token = cookie_token(session_cookie(client))
    # Idle for just under the limit (2 hours by default): still in.
    move_session(engine, token, last_seen_at=timedelta(hours=2) - timedelta(minutes=1))
    assert not is_anonymous(client)
    # The request above was seen: the clock starts again from now.
    (row,) = sessions_of(engine, "boss")
    assert datetime.now(UTC) - row.last_seen_at < timedelta(seconds=30)

    move_session(engine, token, last_seen_at=timedelta(hours=2, seconds=1))
    assert is_anonymous(client)
    assert sessions_of(engine, "boss") == []  # the dead row is deleted


def test_the_idle_limit_is_a_setting(
    settings: Settings, engine: Engine, admin_user: str
) -> None:
    app = create_app(settings.model_copy(update={"session_idle_timeout": 600}))
    client = logged_in(app)
    token = cookie_token(session_cookie(client))
    move_session(engine, token, last_seen_at=timedelta(minutes=9))
    assert not is_anonymous(client)
    move_session(engine, token, last_seen_at=timedelta(minutes=11))
    assert is_anonymous(client)


def test_a_busy_session_still_ends_at_its_absolute_age(
    client: TestClient, engine: Engine
) -> None:
    token = cookie_token(session_cookie(client))
    move_session(engine, token, created_at=timedelta(hours=11, minutes=59))
    assert not is_anonymous(client)
    move_session(engine, token, created_at=timedelta(hours=12, seconds=1))
    assert is_anonymous(client)
    assert sessions_of(engine, "boss") == []


def test_last_seen_is_written_at_most_once_a_minute(
    client: TestClient, engine: Engine, statements: list[str]
) -> None:
    statements.clear()
    for _ in range(3):
        assert not is_anonymous(client)
    writes = [sql for sql in statements if "UPDATE admin_app_session" in sql]
    reads = [sql for sql in statements if "FROM admin_app_session" in sql]
    assert writes == []
    assert len(reads) == 3  # one query a request: the session with its user
    assert all("JOIN admin_app_user" in sql for sql in reads)

    move_session(
        engine, cookie_token(session_cookie(client)), last_seen_at=timedelta(minutes=2)
    )
    statements.clear()
    assert not is_anonymous(client)
    assert not is_anonymous(client)
    writes = [sql for sql in statements if "UPDATE admin_app_session" in sql]
    assert len(writes) == 1


def test_a_login_clears_away_expired_sessions(
    app: Starlette, engine: Engine, admin_user: str
) -> None:
    stale = logged_in(app)
    move_session(
        engine, cookie_token(session_cookie(stale)), last_seen_at=timedelta(days=1)
    )
    logged_in(app)
    assert len(sessions_of(engine, "boss")) == 1


def test_a_login_deletes_no_session_when_none_is_expired_or_named(
    app: Starlette, engine: Engine, admin_user: str, statements: list[str]
) -> None:
    """A DELETE by a range of times, or of a key that is not there, locks
    gaps on MariaDB where other logins insert: logins at once deadlocked."""
    client = logged_in(app)
    with Session(engine) as session:  # its row ended elsewhere; the cookie stays
        session.execute(delete(AdminSession))
        session.commit()
    statements.clear()
    assert post_login(client, "boss", ADMIN_PASSWORD).status_code == 302

    assert not [sql for sql in statements if "DELETE FROM admin_app_session" in sql]
    assert len(sessions_of(engine, "boss")) == 1


def test_a_tampered_cookie_is_anonymous(client: TestClient, app: Starlette) -> None:
    cookie = session_cookie(client)
    data, timestamp, signature = cookie.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    assert is_anonymous(with_cookie(app, f"{data}.{timestamp}.{flipped}"))
    # The payload swapped for another with the old signature: refused too.
    other = signed_cookie({TOKEN_KEY: "x" * 43}, TEST_SECRET).split(".")[0]
    assert is_anonymous(with_cookie(app, f"{other}.{timestamp}.{signature}"))
    assert not is_anonymous(with_cookie(app, cookie))  # the genuine one works


def test_a_cookie_signed_with_another_key_is_anonymous(
    client: TestClient, app: Starlette
) -> None:
    payload = cookie_payload(session_cookie(client))  # a live session's token
    assert not is_anonymous(with_cookie(app, signed_cookie(payload, TEST_SECRET)))
    foreign = signed_cookie(payload, "another-secret-key-" + "y" * 40)
    assert is_anonymous(with_cookie(app, foreign))


def test_an_expired_cookie_is_anonymous(client: TestClient, app: Starlette) -> None:
    payload = cookie_payload(session_cookie(client))
    twelve_hours = 12 * 3600
    young = signed_cookie(payload, TEST_SECRET, age=twelve_hours - 60)
    assert not is_anonymous(with_cookie(app, young))
    old = signed_cookie(payload, TEST_SECRET, age=twelve_hours + 60)
    assert is_anonymous(with_cookie(app, old))


def test_a_cookie_naming_no_session_is_anonymous(app: Starlette) -> None:
    for payload in ({TOKEN_KEY: "made-up"}, {TOKEN_KEY: 7}, {"user_id": 1}):
        assert is_anonymous(with_cookie(app, signed_cookie(payload, TEST_SECRET)))


def set_cookie_header(app: Starlette, scheme: str = "http") -> str:
    base_url = f"{scheme}://testserver"
    with TestClient(app, base_url=base_url, follow_redirects=False) as client:
        response = post_login(client, "boss", ADMIN_PASSWORD)
        assert response.status_code == 302
        (header,) = [
            value
            for value in response.headers.get_list("set-cookie")
            if value.startswith(SESSION_COOKIE + "=")
        ]
        return header.lower()


def test_the_cookie_is_httponly_lax_and_scoped_to_the_admin(
    app: Starlette, admin_user: str
) -> None:
    header = set_cookie_header(app)
    assert "httponly" in header
    assert "samesite=lax" in header
    assert "path=/admin;" in header
    assert f"max-age={12 * 3600}" in header
    assert "secure" not in header  # development: plain http works


@pytest.mark.parametrize(
    ("overrides", "secure"),
    [
        ({"env": "production", "allowed_hosts": "testserver"}, True),
        (
            {
                "env": "production",
                "allowed_hosts": "testserver",
                "cookie_secure": False,
            },
            False,
        ),
        ({"cookie_secure": True}, True),
    ],
)
def test_the_cookie_is_secure_in_production(
    database_url: str,
    tmp_path: Path,
    engine: Engine,
    admin_user: str,
    overrides: dict[str, object],
    secure: bool,
) -> None:
    settings = make_settings(database_url, tmp_path, **overrides)
    # Over HTTPS, as production runs: a browser sends a Secure cookie back only there.
    header = set_cookie_header(create_app(settings), scheme="https")
    assert ("; secure" in header) is secure


def test_a_failed_login_leaves_no_session(
    anonymous: TestClient, engine: Engine, admin_user: str
) -> None:
    assert post_login(anonymous, "boss", "wrong password").status_code == 400
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(AdminSession)) == 0


@pytest.mark.real_password_hashing
def test_a_rehash_at_login_keeps_the_users_other_sessions(
    app: Starlette, engine: Engine, admin_user: str
) -> None:
    """Same password, new argon2 parameters: not a password change."""
    first = logged_in(app)
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024).hash(ADMIN_PASSWORD)
    with Session(engine) as session:
        session.execute(update(AdminUser).values(password_hash=weak))
        session.commit()
    second = logged_in(app)
    with Session(engine) as session:
        stored = session.scalars(select(AdminUser.password_hash)).one()
    assert stored != weak and not needs_rehash(stored)
    assert not is_anonymous(first) and not is_anonymous(second)
