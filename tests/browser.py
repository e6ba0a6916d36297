"""Real-browser fixtures: the admin under uvicorn on 127.0.0.1, and Debian's
headless chromium driven by Playwright. A failing test leaves a screenshot in
``test-artifacts/``."""

import functools
import socket
import subprocess
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine
from starlette.types import ASGIApp

from admin_app.app import create_app
from admin_app.settings import Settings
from tests.conftest import ADMIN_PASSWORD, REPO, names_its_databases, unavailable

# axe-core's impacts a page must not have (it also reports moderate and minor).
SERIOUS_IMPACTS = ("serious", "critical")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = REPO / "test-artifacts"
SERVERS = ("postgresql", "mariadb")
TESTS = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A browser test runs on SQLite and on one server database: PostgreSQL or
    MariaDB, the same for every test of a module (:func:`server_of`). What a
    browser test adds is the page's behaviour (scripts, keyboard, layout); the
    server side of every step it takes is tested over HTTP on every database.
    At three databases each, browser tests were a third of the suite's time.
    A test that names its databases keeps them."""
    names = metafunc.fixturenames
    if "database_url" not in names or "chromium" not in names:
        return
    if names_its_databases(metafunc):
        return
    server = server_of(metafunc.definition.path)
    metafunc.definition.add_marker(
        pytest.mark.parametrize("database_url", ["sqlite", server], indirect=True)
    )


@functools.cache
def _browser_modules() -> list[Path]:
    return sorted(path for path in TESTS.rglob("test_*.py") if "browser" in path.name)


def server_of(module: Path) -> str:
    """The server database a module's browser tests run on besides SQLite:
    the ``test_browser_*`` modules, in path order, take PostgreSQL and MariaDB
    in turn; another module with a browser test, by its name's checksum."""
    modules = _browser_modules()
    if module in modules:
        return SERVERS[modules.index(module) % 2]
    return SERVERS[zlib.crc32(module.name.encode()) % 2]


def widths_on_databases(*pairs: tuple[str, str]) -> pytest.MarkDecorator:
    """A page-wide browser check (axe, the layout) once per width, each on one
    of the databases: what it reads is HTML and CSS, drawn alike from either,
    and running it at every width on every database doubled its cost."""
    return pytest.mark.parametrize(
        ("database_url", "width"), pairs, indirect=["database_url"]
    )


def stop_process(process: "subprocess.Popen[Any]") -> None:
    """Ask a server process to end; kill it if it has not within ten seconds."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(app: ASGIApp) -> Iterator[str]:
    """``app`` under uvicorn on a free 127.0.0.1 port, in a thread; yields its
    base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "the admin did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def live_server(settings: Settings, engine: Engine, admin_user: str) -> Iterator[str]:
    """The admin served on a free 127.0.0.1 port; yields its base URL."""
    with serving(create_app(settings)) as url:
        yield url


# Per module: Playwright's sync API keeps an event loop on the main thread while
# it runs, which would stop other tests from starting their own.
@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    if not CHROMIUM.exists():
        unavailable(f"no browser at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def logged_in_page(
    chromium: object,
    live_server: str,
    javascript: bool = True,
    prepare: Callable[[Any], None] | None = None,
) -> Any:
    """A page in a fresh browser context, logged in as the admin user;
    ``prepare`` gets the context first (to watch it from the login page on)."""
    context = chromium.new_context(  # type: ignore[attr-defined]
        base_url=live_server, java_script_enabled=javascript
    )
    context.set_default_timeout(10_000)
    if prepare is not None:
        prepare(context)
    page = context.new_page()
    page.goto("/admin/login")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    return page


@pytest.fixture
def page(
    chromium: object, live_server: str, request: pytest.FixtureRequest
) -> Iterator[object]:
    """A fresh browser context, logged in as the admin user."""
    from playwright.sync_api import Browser

    assert isinstance(chromium, Browser)
    page = logged_in_page(chromium, live_server)
    context = page.context
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(
            path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True
        )
    context.close()


def accessibility_violations(
    page: Any, impacts: tuple[str, ...] = SERIOUS_IMPACTS
) -> list[str]:
    """What axe-core (the copy axe-playwright-python bundles: nothing is
    fetched) finds wrong on ``page`` as it is now, of the given impacts: one
    line per rule, with the page and the first elements it names."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page).response
    found = []
    for violation in results["violations"]:
        if violation["impact"] not in impacts:
            continue
        where = "; ".join(
            f"{node['target']} {node['html'][:120]}" for node in violation["nodes"][:3]
        )
        found.append(
            f"{page.url}: {violation['impact']} {violation['id']} "
            f"({violation['help']}, {len(violation['nodes'])} elements): {where}"
        )
    return found


def assert_accessible(page: Any, impacts: tuple[str, ...] = SERIOUS_IMPACTS) -> None:
    """Fail with axe-core's findings if ``page`` has violations of ``impacts``."""
    found = accessibility_violations(page, impacts)
    assert not found, "\n".join(found)
