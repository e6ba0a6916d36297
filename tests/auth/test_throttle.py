"""Login throttling: failures counted in the database per normalised username
and per client address lock logins out with a 429 and Retry-After, the right
password included, and an unknown username costs the same work as a known one."""

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from sqlmodel import Session, SQLModel
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin_app.app import create_app
from admin_app.audit.entries import AuditEntry
from admin_app.auth import passwords, throttle
from admin_app.auth.models import LoginThrottle, Role
from admin_app.auth.users import create_user
from admin_app.db import make_sync_engine
from admin_app.settings import Settings
from tests.auth_flow import csrf_fields, post_login
from tests.conftest import ADMIN_PASSWORD, StatementLog, make_settings
from tests.postgres import database as postgres_database

WRONG = "not the password"
PEER = "10.1.2.3"


def client_from(app: Starlette, address: str = PEER) -> TestClient:
    """A client whose TCP peer address is ``address``."""
    return TestClient(app, follow_redirects=False, client=(address, 50000))


def counts(engine: Engine) -> dict[str, tuple[int, datetime | None]]:
    with Session(engine) as session:
        rows = session.scalars(select(LoginThrottle))
        return {row.key: (row.failures, row.locked_until) for row in rows}


def make_app(settings: Settings, **overrides: Any) -> Starlette:
    return create_app(settings.model_copy(update=overrides))


@pytest.fixture
def client(app: Starlette, admin_user: str) -> Iterator[TestClient]:
    with client_from(app) as client:
        yield client


def test_failures_lock_the_username_with_429_and_retry_after(
    client: TestClient, engine: Engine
) -> None:
    for attempt in range(1, 5):
        response = post_login(client, "boss", WRONG)
        assert response.status_code == 400, attempt
        assert "Invalid credentials" in response.text
    fifth = post_login(client, "boss", WRONG)
    assert fifth.status_code == 429
    assert 14 * 60 < int(fifth.headers["retry-after"]) <= 15 * 60
    assert "Too many failed logins. Try again in 15 minutes." in fifth.text
    failures, locked = counts(engine)["user:boss"]
    assert failures == 5 and locked is not None

    # The right password is refused while locked, and is not even checked.
    right = post_login(client, "boss", ADMIN_PASSWORD)
    assert right.status_code == 429 and "retry-after" in right.headers
    assert client.get("/admin/").status_code == 302
    assert counts(engine)["user:boss"][0] == 5  # refusals while locked don't count


def test_the_lock_ends_after_its_time_and_a_success_resets_the_count(
    client: TestClient, engine: Engine
) -> None:
    for _ in range(5):
        post_login(client, "boss", WRONG)
    assert post_login(client, "boss", ADMIN_PASSWORD).status_code == 429
    with Session(engine) as session:
        session.execute(
            update(LoginThrottle).values(
                locked_until=datetime.now(UTC) - timedelta(seconds=1)
            )
        )
        session.commit()
    assert post_login(client, "boss", ADMIN_PASSWORD).status_code == 302
    assert "user:boss" not in counts(engine)  # the username starts afresh
    assert counts(engine)[f"ip:{PEER}"][0] == 5  # the address does not


def test_a_success_resets_the_usernames_count(
    client: TestClient, engine: Engine
) -> None:
    for _ in range(4):
        post_login(client, "boss", WRONG)
    assert post_login(client, "boss", ADMIN_PASSWORD).status_code == 302
    for _ in range(4):
        assert post_login(client, "boss", WRONG).status_code == 400
    assert counts(engine)["user:boss"][0] == 4


def test_failures_outside_the_window_start_a_new_count(
    settings: Settings, engine: Engine, admin_user: str
) -> None:
    client = client_from(make_app(settings, login_failure_window=60))
    for _ in range(4):
        post_login(client, "boss", WRONG)
    with Session(engine) as session:
        session.execute(
            update(LoginThrottle).values(
                window_started_at=datetime.now(UTC) - timedelta(seconds=61)
            )
        )
        session.commit()
    assert post_login(client, "boss", WRONG).status_code == 400
    assert counts(engine)["user:boss"][0] == 1


def test_usernames_are_counted_normalised(client: TestClient, engine: Engine) -> None:
    for spelling in ("boss", " Boss", "BOSS ", "bOsS", "boss"):
        post_login(client, spelling, WRONG)
    assert counts(engine)["user:boss"][0] == 5
    assert post_login(client, "boss", ADMIN_PASSWORD).status_code == 429


def test_the_limits_are_settings(
    settings: Settings, engine: Engine, admin_user: str
) -> None:
    app = make_app(settings, login_max_failures=2, login_lockout_minutes=1)
    client = client_from(app)
    assert post_login(client, "boss", WRONG).status_code == 400
    locked = post_login(client, "boss", WRONG)
    assert locked.status_code == 429
    assert 0 < int(locked.headers["retry-after"]) <= 60
    assert "Try again in 1 minute." in locked.text


def test_one_address_trying_many_usernames_is_locked_out(
    settings: Settings, engine: Engine, admin_user: str
) -> None:
    app = make_app(settings, login_max_failures_per_ip=3)
    sprayer = client_from(app, "198.51.100.7")
    for name in ("alice", "bob"):
        assert post_login(sprayer, name, WRONG).status_code == 400
    assert post_login(sprayer, "carol", WRONG).status_code == 429
    # Locked by address: the right password of another user, from there, too.
    assert post_login(sprayer, "boss", ADMIN_PASSWORD).status_code == 429
    assert counts(engine)["ip:198.51.100.7"][0] == 3
    # The same user from elsewhere is not locked: no username reached its limit.
    assert (
        post_login(client_from(app, "198.51.100.8"), "boss", ADMIN_PASSWORD).status_code
        == 302
    )


def forwarded_login(client: TestClient, forwarded_for: str) -> None:
    page = client.get("/admin/login")
    client.post(
        "/admin/login",
        data={"username": "boss", "password": WRONG} | csrf_fields(page.text),
        headers={"x-forwarded-for": forwarded_for},
    )


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(
    client: TestClient, engine: Engine
) -> None:
    for n in range(3):
        forwarded_login(client, f"203.0.113.{n}")
    keys = counts(engine)
    assert keys[f"ip:{PEER}"][0] == 3
    assert not [key for key in keys if key.startswith("ip:203.0.113.")]


def test_x_forwarded_for_from_a_trusted_proxy_names_the_client(
    settings: Settings, engine: Engine, admin_user: str
) -> None:
    app = make_app(settings, trusted_proxies=["10.0.0.0/8"])
    proxy = client_from(app, "10.0.0.5")
    forwarded_login(proxy, "203.0.113.9")
    # A client-sent hop left of the proxy's own is not believed.
    forwarded_login(proxy, "192.0.2.66, 203.0.113.9")
    # A chain of trusted proxies: the right-most untrusted hop is the client.
    forwarded_login(proxy, "203.0.113.9, 10.0.0.6")
    keys = counts(engine)
    assert keys["ip:203.0.113.9"][0] == 3
    assert "ip:10.0.0.5" not in keys and "ip:192.0.2.66" not in keys
    with Session(engine) as session:
        addresses = set(session.scalars(select(AuditEntry.remote_addr)))
    assert addresses == {"203.0.113.9"}


def test_trusted_proxies_must_be_addresses(database_url: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not an IP address or network"):
        make_settings(database_url, tmp_path, trusted_proxies="10.0.0.0/8, proxy.lan")
    settings = make_settings(database_url, tmp_path, trusted_proxies="10.0.0.0/8, ::1")
    assert settings.trusted_proxies == ["10.0.0.0/8", "::1"]


def test_unknown_and_inactive_users_cost_one_hash_verification_too(
    client: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(engine) as session:
        gone = create_user(session, "gone", ADMIN_PASSWORD, Role.viewer)
        gone.is_active = False
        session.commit()
        gone_hash = gone.password_hash
    checked: list[str] = []
    real = passwords.verify_password

    def spy(password_hash: str, password: str) -> bool:
        checked.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", spy)
    assert post_login(client, "nobody-here", WRONG).status_code == 400
    assert post_login(client, "", WRONG).status_code == 400
    assert post_login(client, "gone", ADMIN_PASSWORD).status_code == 400
    assert checked == [passwords.dummy_hash(), passwords.dummy_hash(), gone_hash]
    # Unknown names are counted like known ones: locking reveals nothing.
    assert counts(engine)["user:nobody-here"][0] == 1


def test_failed_logins_are_audited_with_the_name_tried(
    client: TestClient, engine: Engine
) -> None:
    post_login(client, "boss", WRONG)
    post_login(client, "nobody-" + "x" * 300, WRONG)
    with Session(engine) as session:
        entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [entry.action for entry in entries] == ["login_failed", "login_failed"]
    assert entries[0].username == "boss" and entries[0].user_id is not None
    assert entries[1].username == ("nobody-" + "x" * 300)[:150]
    assert entries[1].user_id is None
    assert {entry.remote_addr for entry in entries} == {PEER}


def test_long_usernames_are_keyed_by_digest(client: TestClient, engine: Engine) -> None:
    post_login(client, "y" * 5000, WRONG)
    (key,) = [key for key in counts(engine) if key.startswith("user")]
    assert key.startswith("user#") and len(key) <= 300


LIMITS = throttle.Limits(
    per_username=5,
    per_address=20,
    window=timedelta(minutes=15),
    lockout=timedelta(minutes=15),
)


def use_row_locking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Count as on a database without an upsert (neither SQLite nor PostgreSQL)."""
    monkeypatch.setattr(
        throttle,
        "_count",
        lambda s, key, most, limits, now: throttle._count_locking(
            s, key, most, limits, now
        ),
    )


def count_concurrently(engine: Engine) -> int:
    """8 threads (as workers would) each counting 5 failures of one key."""
    with Session(engine) as session:  # the row exists: no race to create it
        throttle.record_failure(session, [("user:race", 100)], LIMITS)
        session.commit()
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def fail_logins() -> None:
        try:
            start.wait()
            for _ in range(5):
                with Session(engine) as session:
                    throttle.record_failure(session, [("user:race", 100)], LIMITS)
                    session.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=fail_logins) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return counts(engine)["user:race"][0]


def test_concurrent_failures_are_all_counted(engine: Engine) -> None:
    """Workers failing at once each add one: one atomic upsert, never a
    read-then-write that loses a count."""
    assert count_concurrently(engine) == 1 + 8 * 5


@pytest.fixture
def postgres_engine(postgres_server: str, tmp_path: Path) -> Iterator[Engine]:
    for url in postgres_database(postgres_server):
        engine = make_sync_engine(make_settings(url, tmp_path))
        SQLModel.metadata.create_all(engine)
        yield engine
        engine.dispose()


def test_the_row_locking_fallback_counts_concurrent_failures_too(
    postgres_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SELECT … FOR UPDATE, where the database has no upsert (PostgreSQL
    standing in: SQLite takes the upsert and has no row locks)."""
    use_row_locking(monkeypatch)
    assert count_concurrently(postgres_engine) == 1 + 8 * 5


@pytest.mark.parametrize("locking", [False, True], ids=["upsert", "select-for-update"])
def test_the_count_locks_at_the_limit(
    engine: Engine, locking: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if locking:
        use_row_locking(monkeypatch)
    now = datetime.now(UTC)
    if engine.dialect.name in ("mysql", "mariadb"):
        # MariaDB's DATETIME keeps whole seconds (it drops the fraction).
        now = now.replace(microsecond=0)
    with Session(engine) as session:
        ends = [
            throttle.record_failure(session, [("k", 3)], LIMITS, now) for _ in range(3)
        ]
        session.commit()
        assert ends[:2] == [None, None] and ends[2] == now + LIMITS.lockout
        assert throttle.locked_until(session, ["k", "other"], now) == ends[2]
        later = now + LIMITS.lockout + timedelta(seconds=1)
        assert throttle.locked_until(session, ["k"], later) is None
        # After the lock, counting starts over.
        assert throttle.record_failure(session, [("k", 3)], LIMITS, later) is None
        session.commit()
    assert counts(engine)["k"][0] == 1


@pytest.mark.parametrize("database_url", ["mariadb"], indirect=True)
def test_mariadb_counts_with_one_upsert(
    engine: Engine, statements: StatementLog
) -> None:
    """INSERT … ON DUPLICATE KEY UPDATE, then the row read back (no RETURNING
    there): never a SELECT … FOR UPDATE, whose first failures could collide."""
    now = datetime.now(UTC).replace(microsecond=0)
    with Session(engine) as session:
        for _ in range(2):
            throttle.record_failure(session, [("k", 5)], LIMITS, now)
        session.commit()
    upserts = [s for s in statements if "ON DUPLICATE KEY UPDATE" in s]
    assert len(upserts) == 2
    assert not [s for s in statements if "FOR UPDATE" in s.replace("KEY UPDATE", "")]
    assert counts(engine)["k"][0] == 2


def test_failed_and_successful_logins_at_once_all_count(
    app: Starlette, engine: Engine
) -> None:
    """20 clients at once, half failing and half signing in, while stale
    counts wait to be purged: on MariaDB a DELETE by a range of times (the
    purge) or of a key not there (a success forgetting its name) locked the
    gaps other failures insert their counts into, and logins deadlocked (a
    500). Every answer is the right one and every failure is counted."""
    ago = datetime.now(UTC) - timedelta(days=1)
    with Session(engine) as session:
        for i in range(10):
            create_user(session, f"ok{i}", ADMIN_PASSWORD, Role.viewer)
        for i in range(30):  # stale counts, spread among the live keys
            for key in (f"ip:10.8.{i}.1", f"user:ok{i}-old", f"user:no{i}-old"):
                session.add(LoginThrottle(key=key, failures=3, window_started_at=ago))
        for i in range(0, 10, 2):  # half the successes have a count to forget
            session.add(LoginThrottle(key=f"user:ok{i}", failures=2))
        session.commit()
    attempts = 3
    start = threading.Barrier(20)
    answers: list[tuple[str, int]] = []
    errors: list[BaseException] = []

    def sign_in(name: str, password: str, address: str, times: int) -> None:
        client = TestClient(
            app,
            follow_redirects=False,
            client=(address, 50000),
            raise_server_exceptions=False,
        )
        try:
            start.wait()
            for _ in range(times):
                response = post_login(client, name, password)
                answers.append((password, response.status_code))
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(
            target=sign_in, args=(f"no{i}", WRONG, f"10.7.{i}.1", attempts)
        )
        for i in range(10)
    ] + [
        threading.Thread(
            target=sign_in, args=(f"ok{i}", ADMIN_PASSWORD, f"10.6.{i}.1", 1)
        )
        for i in range(10)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(answers) == sorted(
        [(WRONG, 400)] * 10 * attempts + [(ADMIN_PASSWORD, 302)] * 10
    )
    found = counts(engine)
    assert {key: failures for key, (failures, _) in found.items()} == {
        key: attempts for i in range(10) for key in (f"user:no{i}", f"ip:10.7.{i}.1")
    }
    with Session(engine) as session:
        actions = [entry.action for entry in session.scalars(select(AuditEntry))]
    assert sorted(actions) == ["login"] * 10 + ["login_failed"] * 10 * attempts


def test_a_login_deletes_no_count_when_none_is_stale_or_named(
    client: TestClient, engine: Engine, statements: StatementLog
) -> None:
    """A DELETE by a range of times, or of a key not there, locks gaps on
    MariaDB where failures insert their counts: only rows read are deleted."""
    assert post_login(client, "someone", WRONG).status_code == 400
    statements.clear()
    assert post_login(client, "boss", ADMIN_PASSWORD).status_code == 302
    assert not [sql for sql in statements if "DELETE FROM admin_app_throttle" in sql]
    assert counts(engine)["user:someone"][0] == 1


def test_the_purge_deletes_stale_counts_by_key_a_batch_at_a_time(
    engine: Engine, statements: StatementLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(throttle, "PURGE_BATCH", 3)
    now = datetime.now(UTC).replace(microsecond=0)
    ago = now - LIMITS.window - timedelta(minutes=1)
    with Session(engine) as session:
        for key in ("ip:a", "ip:b", "user:c", "user:d"):
            session.add(LoginThrottle(key=key, failures=2, window_started_at=ago))
        session.add(LoginThrottle(key="user:fresh", failures=2, window_started_at=now))
        session.add(
            LoginThrottle(
                key="user:locked",
                failures=5,
                window_started_at=ago,
                locked_until=now + timedelta(minutes=1),
            )
        )
        session.commit()
        statements.clear()
        throttle.purge_stale(session, LIMITS, now)
        session.commit()
    unquoted = [sql.replace("`", "").replace('"', "") for sql in statements]
    deletes = [sql for sql in unquoted if sql.startswith("DELETE")]
    assert deletes  # each by its key, never by a range of times alone
    assert all("WHERE admin_app_throttle.key = " in sql for sql in deletes)
    assert len(counts(engine)) == 3  # 3 of the 4 stale counts went
    with Session(engine) as session:
        throttle.purge_stale(session, LIMITS, now)
        session.commit()
    assert sorted(counts(engine)) == ["user:fresh", "user:locked"]


def test_the_purge_keeps_a_count_that_started_over_meanwhile(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read stale, then counted again by another login before the DELETE."""
    now = datetime.now(UTC).replace(microsecond=0)
    ago = now - LIMITS.window - timedelta(minutes=1)
    with Session(engine) as session:
        session.add(LoginThrottle(key="user:back", failures=2, window_started_at=ago))
        session.commit()
    real = throttle._delete_each

    def counted_meanwhile(session: Session, keys: list[str], *condition: Any) -> None:
        with Session(engine) as other:
            throttle.record_failure(other, [("user:back", 5)], LIMITS, now)
            other.commit()
        real(session, keys, *condition)

    monkeypatch.setattr(throttle, "_delete_each", counted_meanwhile)
    with Session(engine) as session:
        throttle.purge_stale(session, LIMITS, now)
        session.commit()
    assert counts(engine)["user:back"] == (1, None)
