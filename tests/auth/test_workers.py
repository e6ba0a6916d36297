"""A real ``admin-app serve --workers 2``: login failures counted by either
worker lock the account for both, and a logout served by one worker ends the
session for every later request, whichever worker serves it.

Each request goes on a fresh connection, so the kernel spreads them over both
workers; which worker serves which is not ours to pick, so the assertions are
about the shared state (the database) and the answers, not about workers.
"""

import html
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from admin_app.auth.backend import SESSION_COOKIE
from admin_app.auth.models import AdminSession, LoginThrottle
from tests.auth_flow import csrf_fields, post_login, post_logout
from tests.browser import free_port
from tests.conftest import ADMIN_PASSWORD, REPO, TEST_SECRET
from tests.listing_pages import link, row_keys
from tests.sample_models import Tag

pytestmark = pytest.mark.slow
WORKERS = 2


class Server:
    def __init__(self, url: str, log: Path) -> None:
        self.url = url
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def client(self) -> httpx.Client:
        """A client that opens a new connection for every request."""
        return httpx.Client(
            base_url=self.url,
            follow_redirects=False,
            timeout=10,
            limits=httpx.Limits(max_keepalive_connections=0),
        )


@pytest.fixture
def server(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> Iterator[Server]:
    port = free_port()
    base = {k: v for k, v in os.environ.items() if not k.startswith("ADMIN_")}
    env = base | {
        "ADMIN_DATABASE_URL": database_url,
        "ADMIN_SECRET_KEY": TEST_SECRET,
        "ADMIN_SECRET_KEY_FILE": str(tmp_path / "secret"),
        "ADMIN_MODELS": "tests.sample_models",
    }
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "admin_app", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(WORKERS)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its workers too are ours to stop
        )
    served = Server(f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + 60
        # Every worker says so once its app is up.
        while served.output().count("Application startup complete") < WORKERS:
            assert process.poll() is None, served.output()
            assert time.monotonic() < deadline, served.output()
            time.sleep(0.1)
        yield served
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def throttle_counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {row.key: row.failures for row in session.scalars(select(LoginThrottle))}


def live_sessions(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(AdminSession)) or 0


def test_failures_counted_by_every_worker_lock_the_account(
    server: Server, engine: Engine
) -> None:
    with server.client() as client:
        codes = [post_login(client, "boss", "wrong").status_code for _ in range(5)]
        assert codes == [400, 400, 400, 400, 429], server.output()
        assert throttle_counts(engine)["user:boss"] == 5
        # Whichever worker answers now, the right password is refused.
        for _ in range(4):
            response = post_login(client, "boss", ADMIN_PASSWORD)
            assert response.status_code == 429
            assert int(response.headers["retry-after"]) > 0
        assert live_sessions(engine) == 0
        assert client.get("/admin/").status_code == 302


def test_logout_in_one_request_ends_the_session_for_all_workers(
    server: Server, engine: Engine
) -> None:
    with server.client() as client:
        assert post_login(client, "boss", ADMIN_PASSWORD).status_code == 302
        cookie = client.cookies[SESSION_COOKIE]
        for _ in range(6):
            assert client.get("/admin/").status_code == 200
        assert client.get("/admin/logout").status_code == 405
        assert client.get("/admin/").status_code == 200
        assert post_logout(client).status_code == 302
        assert live_sessions(engine) == 0

    with server.client() as replay:
        replay.cookies.set(SESSION_COOKIE, cookie)
        for _ in range(10):
            response = replay.get("/admin/tag/list")
            assert response.status_code == 302
            assert httpx.URL(response.headers["location"]).path == "/admin/login"


def test_cookie_flags_and_next_over_real_http(server: Server) -> None:
    with server.client() as client:
        response = client.get("/admin/tag/list?page=1")
        assert response.status_code == 302
        location = httpx.URL(response.headers["location"])
        assert location.path == "/admin/login"
        assert location.params["next"] == "/admin/tag/list?page=1"

        page = client.get(location)
        data = {
            "username": "boss",
            "password": ADMIN_PASSWORD,
            "next": "/admin/tag/list?page=1",
        }
        login = client.post("/admin/login", data=data | csrf_fields(page.text))
        assert login.status_code == 302
        assert login.headers["location"] == "/admin/tag/list?page=1"
        (cookie,) = [
            value
            for value in login.headers.get_list("set-cookie")
            if value.startswith(SESSION_COOKIE + "=")
        ]
        flags = [flag.strip().lower() for flag in cookie.split(";")[1:]]
        assert {"httponly", "samesite=lax", "path=/admin"} <= set(flags)
        assert "secure" not in flags  # development, plain http
        assert client.get(login.headers["location"]).status_code == 200

        # The login gave the session a new CSRF token: the page's is void now.
        page = client.get("/admin/login")
        evil = client.post(
            "/admin/login",
            data=data | {"next": "//evil.example/"} | csrf_fields(page.text),
        )
        assert evil.status_code == 302
        assert evil.headers["location"] == f"{server.url}/admin/"


def test_list_pages_and_saves_work_whichever_worker_serves_them(
    server: Server, engine: Engine
) -> None:
    with Session(engine) as session:
        session.add_all(Tag(label=f"tag {n:03}") for n in range(60))
        session.commit()
    with server.client() as client:
        assert post_login(client, "boss", ADMIN_PASSWORD).status_code == 302
        seen: list[str] = []
        url: str | None = "/admin/tag/list?pageSize=25&sortBy=label"
        while url is not None:
            page = client.get(url)
            assert page.status_code == 200, server.output()
            seen += row_keys(page.text)
            url = link(page.text, "next")
        assert len(seen) == len(set(seen)) == 60
        # A form read from one worker posts to another: the CSRF token and the
        # edit's signed snapshot hold in both.
        for key in seen[:4]:
            form = client.get(f"/admin/tag/edit/{key}")
            assert form.status_code == 200
            data = csrf_fields(form.text) | _hidden_fields(form.text)
            data["label"] = f"renamed {key}"
            saved = client.post(f"/admin/tag/edit/{key}", data=data)
            assert saved.status_code == 302, saved.text[:500]
    with Session(engine) as session:
        renamed = session.scalars(select(Tag).where(Tag.label.startswith("renamed")))
        assert len(list(renamed)) == 4


def _hidden_fields(page: str) -> dict[str, str]:
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
    return {name: html.unescape(value) for name, value in fields}
