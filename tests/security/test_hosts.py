"""The admin answers only at its allowed host names (``ADMIN_ALLOWED_HOSTS``):
another ``Host`` gets a plain 400, so no URL or redirect it builds can point
elsewhere. A trusted proxy's ``X-Forwarded-Host`` and ``X-Forwarded-Proto`` are
the request's host and scheme; anybody else's are ignored. Over HTTPS in
production every answer carries ``Strict-Transport-Security``."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from admin_app.app import create_app, mount_admin
from admin_app.security.hosts import host_allowed, host_name
from admin_app.settings import DEVELOPMENT_HOSTS, Settings
from tests.auth_flow import post_login
from tests.conftest import ADMIN_PASSWORD, REPO, TEST_SECRET, make_settings

EVIL = "evil.example"
HSTS = "strict-transport-security"


def no_db_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings for answers that read no database (refusals, anonymous redirects)."""
    return make_settings(f"sqlite:///{tmp_path / 'unused.db'}", tmp_path, **overrides)


def client(
    settings: Settings, base_url: str = "http://testserver", peer: str = "testclient"
) -> TestClient:
    return TestClient(
        create_app(settings),
        base_url=base_url,
        follow_redirects=False,
        client=(peer, 50000),
    )


@pytest.fixture
def anonymous_at(tmp_path: Path) -> Iterator[TestClient]:
    """An anonymous client of an admin served at admin.example.com only."""
    settings = no_db_settings(tmp_path, allowed_hosts="admin.example.com")
    with client(settings, "http://admin.example.com") as found:
        yield found


def assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "400 Bad Request" in response.text
    assert "not served at that host" in response.text
    assert "Traceback" not in response.text
    assert "location" not in response.headers
    assert "set-cookie" not in response.headers
    assert response.headers["x-frame-options"] == "DENY"  # still the admin's answer


def test_a_request_for_another_host_gets_a_plain_400(
    anonymous_at: TestClient,
) -> None:
    for path in ("/admin/login", "/admin/club/list", "/admin/statics/css/main.css"):
        assert_refused(anonymous_at.get(path, headers={"Host": EVIL}))
    assert_refused(anonymous_at.post("/admin/login", headers={"Host": EVIL}))
    for host in ("", "admin.example.com.evil.example", "admin.example.com@evil", " "):
        assert_refused(anonymous_at.get("/admin/login", headers={"Host": host}))


def test_the_allowed_host_is_served(anonymous_at: TestClient) -> None:
    page = anonymous_at.get("/admin/login")
    assert page.status_code == 200
    assert 'name="username"' in page.text
    # With a port, in capitals, with the final dot: the same host name.
    for host in ("admin.example.com:8443", "ADMIN.Example.com", "admin.example.com."):
        assert anonymous_at.get("/admin/login", headers={"Host": host}).is_success


def test_the_login_redirect_goes_to_the_allowed_host(anonymous_at: TestClient) -> None:
    response = anonymous_at.get("/admin/club/list")
    assert response.status_code == 302
    assert response.headers["location"].startswith(
        "http://admin.example.com/admin/login?next="
    )


def test_a_logged_in_user_at_an_allowed_host_works(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> None:
    settings = make_settings(
        database_url, tmp_path, allowed_hosts="admin.example.com, .example.org"
    )
    for base_url in ("http://admin.example.com", "https://shop.example.org"):
        with client(settings, base_url) as browser:
            assert post_login(browser, "boss", ADMIN_PASSWORD).status_code == 302
            page = browser.get("/admin/club/list")
            assert page.status_code == 200
            assert f'href="{base_url}/admin/club/create"' in page.text
            assert_refused(browser.get("/admin/club/list", headers={"Host": EVIL}))


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("admin.example.com", True),
        ("example.org", True),  # .example.org: the domain itself
        ("a.b.example.org", True),  # and any subdomain
        ("badexample.org", False),
        ("example.org.evil.example", False),
        ("example.com", False),
        ("[::1]", True),
        ("10.0.0.1", False),
    ],
)
def test_host_patterns(name: str, allowed: bool) -> None:
    patterns = ["admin.example.com", ".example.org", "[::1]"]
    assert host_allowed(name, patterns) is allowed
    assert host_allowed(name, ["*"])


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("Admin.Example.COM:8000", "admin.example.com"),
        ("example.com.", "example.com"),
        ("[::1]:8000", "[::1]"),
        ("[::1]", "[::1]"),
        ("127.0.0.1:80", "127.0.0.1"),
        ("", None),
        ("evil.example/path", None),
        ("user@evil.example", None),
        ("example.com:port", None),
        ("[::1", None),
    ],
)
def test_host_names(header: str, name: str | None) -> None:
    assert host_name(header) == name


def test_development_serves_this_machine_and_the_test_client(tmp_path: Path) -> None:
    settings = no_db_settings(tmp_path)
    assert settings.allowed_hosts == list(DEVELOPMENT_HOSTS)
    with client(settings) as anonymous:  # testserver: Starlette's TestClient
        for host in ("testserver", "localhost:8000", "127.0.0.1:8000", "[::1]:8000"):
            page = anonymous.get("/admin/login", headers={"Host": host})
            assert page.status_code == 200, host
        assert_refused(anonymous.get("/admin/login", headers={"Host": EVIL}))


def test_allowed_host_entries_are_checked(tmp_path: Path) -> None:
    settings = no_db_settings(tmp_path, allowed_hosts=" Admin.Example.com , ::1, *")
    assert settings.allowed_hosts == ["admin.example.com", "[::1]", "*"]
    for entry in ("https://admin.example.com", "admin.example.com:8000", "a/b"):
        with pytest.raises(ValueError, match="not a host name"):
            no_db_settings(tmp_path, allowed_hosts=entry)


def test_production_refuses_to_start_without_allowed_hosts(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="ADMIN_ALLOWED_HOSTS must name"):
        Settings(env="production", secret_key=TEST_SECRET)
    with pytest.raises(ValueError, match="ADMIN_ALLOWED_HOSTS must name"):
        Settings(env="production", secret_key=TEST_SECRET, allowed_hosts=" , ")
    settings = Settings(
        env="production", secret_key=TEST_SECRET, allowed_hosts="admin.example.com"
    )
    assert settings.allowed_hosts == ["admin.example.com"]

    base = {k: v for k, v in os.environ.items() if not k.startswith("ADMIN_")}
    env = base | {
        "ADMIN_ENV": "production",
        "ADMIN_SECRET_KEY": TEST_SECRET,
        "ADMIN_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "ADMIN_MODELS": "models",
    }
    result = subprocess.run(
        [sys.executable, "-m", "admin_app", "serve"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: ADMIN_ALLOWED_HOSTS must name")
    assert result.stderr.count("\n") == 1  # one line, no traceback


PROXY = "10.0.0.5"
FORWARDED = {"X-Forwarded-Host": "admin.example.com", "X-Forwarded-Proto": "https"}


@pytest.fixture
def behind_proxy(tmp_path: Path) -> Settings:
    return no_db_settings(
        tmp_path, allowed_hosts="admin.example.com", trusted_proxies="10.0.0.0/8"
    )


def test_a_trusted_proxys_forwarded_host_and_scheme_are_the_requests(
    behind_proxy: Settings,
) -> None:
    # The proxy reaches the admin at an internal name, which is not allowed.
    with client(behind_proxy, "http://backend:8000", peer=PROXY) as proxy:
        response = proxy.get("/admin/club/list", headers=FORWARDED)
        assert response.status_code == 302
        assert response.headers["location"].startswith(
            "https://admin.example.com/admin/login?next="
        )
        # The right-most value is the one the proxy added.
        chained = {
            "X-Forwarded-Host": f"{EVIL}, admin.example.com",
            "X-Forwarded-Proto": "http, https",
        }
        response = proxy.get("/admin/club/list", headers=chained)
        assert response.headers["location"].startswith("https://admin.example.com/")
        # The host the proxy forwards must be allowed too.
        assert_refused(
            proxy.get("/admin/login", headers=FORWARDED | {"X-Forwarded-Host": EVIL})
        )
        # Without the headers, the proxy's own Host counts.
        assert_refused(proxy.get("/admin/login"))


def test_forwarded_headers_from_anyone_else_are_ignored(
    behind_proxy: Settings,
) -> None:
    with client(
        behind_proxy, "http://admin.example.com", peer="203.0.113.7"
    ) as outsider:
        response = outsider.get(
            "/admin/club/list", headers=FORWARDED | {"X-Forwarded-Host": EVIL}
        )
        assert response.status_code == 302
        assert response.headers["location"].startswith(
            "http://admin.example.com/admin/login?next="
        )
        assert HSTS not in response.headers
        # An allowed forwarded host does not excuse the request's own.
        assert_refused(outsider.get("/admin/login", headers={"Host": EVIL} | FORWARDED))


def test_the_app_the_admin_is_mounted_in_keeps_its_own_hosts(
    tmp_path: Path,
) -> None:
    async def hello(request: Request) -> PlainTextResponse:
        return PlainTextResponse(f"hello {request.url.hostname}")

    app = Starlette(routes=[Route("/hello", hello)])
    mount_admin(
        app,
        settings=no_db_settings(tmp_path, allowed_hosts="admin.example.com"),
        path="/backoffice",
    )
    with TestClient(app, base_url=f"http://{EVIL}", follow_redirects=False) as user:
        assert user.get("/hello").text == f"hello {EVIL}"
        assert_refused(user.get("/backoffice/login"))
        page = user.get("/backoffice/login", headers={"Host": "admin.example.com"})
        assert page.status_code == 200


@pytest.mark.parametrize(
    ("env", "base_url", "peer", "headers", "expected"),
    [
        ("production", "https://admin.example.com", "203.0.113.7", {}, True),
        ("production", "http://admin.example.com", "203.0.113.7", {}, False),
        ("development", "https://admin.example.com", "203.0.113.7", {}, False),
        ("production", "http://backend", PROXY, FORWARDED, True),
        ("production", "http://admin.example.com", "203.0.113.7", FORWARDED, False),
    ],
)
def test_strict_transport_security_in_production_over_https(
    tmp_path: Path,
    env: str,
    base_url: str,
    peer: str,
    headers: dict[str, str],
    expected: bool,
) -> None:
    settings = no_db_settings(
        tmp_path,
        env=env,
        allowed_hosts="admin.example.com",
        trusted_proxies="10.0.0.0/8",
    )
    with client(settings, base_url, peer=peer) as browser:
        for path in ("/admin/login", "/admin/club/list", "/admin/statics/css/main.css"):
            response = browser.get(path, headers=headers)
            assert response.status_code in (200, 302), (path, response.text)
            if expected:
                assert response.headers[HSTS] == "max-age=31536000; includeSubDomains"
            else:
                assert HSTS not in response.headers
