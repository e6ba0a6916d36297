"""Fixtures: a throwaway database on SQLite, PostgreSQL and MariaDB (and
PostgreSQL through PgBouncer, ``tests.pgbouncer``), settings for it, and an
admin app with a logged-in client.

On a developer's machine without a server its half is skipped with a message;
in CI (``CI=true``) it fails instead.
"""

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import psycopg
import pymysql
import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, create_mock_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin_app.app import create_app, mount_admin
from admin_app.auth import passwords
from admin_app.auth.models import Role
from admin_app.auth.users import create_user
from admin_app.db import make_sync_engine
from admin_app.settings import Settings
from admin_app.views.inferred import AutoModelView
from tests import mariadb, postgres
from tests.csrf_helper import enable_csrf

pytest_plugins = ["tests.browser", "tests.pgbouncer"]

REPO = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get(
    "ADMIN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
MARIADB_URL = os.environ.get(
    "ADMIN_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
ADMIN_PASSWORD = "correct horse battery"
TEST_SECRET = "test-secret-key-" + "x" * 40
# The kinds of database_url every database test runs on.
DATABASES = ("sqlite", "postgresql", "mariadb")
# The ports of this process's PgBouncer (tests.pgbouncer): settings for a URL
# through it hold no pool.
_pgbouncer_ports: set[int] = set()


def unavailable(reason: str) -> None:
    """Skip locally, fail in CI: a missing service is a failure there."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: required)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def quick_password_hashing(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """argon2id at its lowest cost in this process: at the real parameters each
    new user and each sign-in costs a tenth of a second of CPU, on most of the
    suite's tests. Tests marked ``real_password_hashing`` keep the real ones
    (servers started as processes always do)."""
    if request.node.get_closest_marker("real_password_hashing") is None:
        quick = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        monkeypatch.setattr(passwords, "_hasher", quick)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            pass
    except psycopg.OperationalError as exc:
        unavailable(f"PostgreSQL not reachable at {POSTGRES_URL}: {exc}".strip())
    return POSTGRES_URL


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[str]:
    try:
        mariadb.connect(MARIADB_URL).close()
    except pymysql.MySQLError as exc:
        unavailable(f"MariaDB not reachable at {MARIADB_URL}: {exc}".strip())
    yield MARIADB_URL
    mariadb.drop_parked(MARIADB_URL)


def names_its_databases(metafunc: pytest.Metafunc) -> bool:
    """Whether a test parametrizes ``database_url`` itself (its own kinds)."""
    for mark in metafunc.definition.iter_markers("parametrize"):
        given = mark.kwargs.get("argnames", mark.args[0] if mark.args else ())
        if isinstance(given, str):
            given = [name.strip() for name in given.split(",")]
        if "database_url" in given:
            return True
    return False


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind, dropped afterwards. ``pgbouncer`` (some
    directories' tests, ``tests.pgbouncer``): PostgreSQL through PgBouncer."""
    # A test whose tables the engine fixture makes may have a database that
    # another test emptied (tests.mariadb, tests.postgres): theirs to check.
    reusable = "engine" in request.fixturenames
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
    elif request.param == "mariadb":
        server = request.getfixturevalue("mariadb_server")
        yield from mariadb.database(server, reusable=reusable)
    elif request.param == "pgbouncer":
        address = request.getfixturevalue("pgbouncer")
        _pgbouncer_ports.add(int(address.rsplit(":", 1)[1]))
        server = request.getfixturevalue("postgres_server")
        yield from postgres.database(server, through=address, reusable=reusable)
    else:
        server = request.getfixturevalue("postgres_server")
        yield from postgres.database(server, reusable=reusable)


def make_settings(database_url: str, tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "secret_key": TEST_SECRET,
        "secret_key_file": tmp_path / "secret",
        "models": ["tests.sample_models"],
        "migrations_dir": REPO / "migrations",
        # PgBouncer pools per transaction: no pool here (nor prepared statements).
        "null_pool": make_url(database_url).port in _pgbouncer_ports,
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """A sync engine with every known table created."""
    import admin_app.tables  # noqa: F401
    import tests.form_models
    import tests.key_models
    import tests.relation_models
    import tests.sample_models  # noqa: F401

    engine = make_sync_engine(settings)
    create_tables(engine)
    tables = frozenset(SQLModel.metadata.tables)
    mariadb.note_tables_made(engine, tables)
    postgres.note_tables_made(engine, tables)
    yield engine
    engine.dispose()


_DDL_SCRIPTS: dict[frozenset[str], str] = {}


def create_tables(engine: Engine) -> None:
    """Every known table, in an empty database. On PostgreSQL as one script,
    compiled once per set of tables: its DDL sent a statement at a time cost
    a quarter of a second a test, most of it round trips."""
    metadata = SQLModel.metadata
    tables = frozenset(metadata.tables)
    if mariadb.holds_tables(engine, tables) or postgres.holds_tables(engine, tables):
        return  # a reused database: emptied, its tables as these made them
    if engine.dialect.name != "postgresql" or postgres.reused(engine):
        metadata.create_all(engine)  # what is missing (the metadata grew since)
        return
    key = tables
    if key not in _DDL_SCRIPTS:
        statements: list[str] = []

        def collect(sql: Any, *_: Any, **__: Any) -> None:
            statements.append(str(sql.compile(dialect=mock.dialect)).strip())

        mock = create_mock_engine(engine.url, collect)
        metadata.create_all(mock, checkfirst=False)
        _DDL_SCRIPTS[key] = ";\n".join(statements)
    with engine.begin() as connection:
        connection.exec_driver_sql(_DDL_SCRIPTS[key])


@pytest.fixture
def admin_user(engine: Engine) -> str:
    with Session(engine) as session:
        create_user(session, "boss", ADMIN_PASSWORD, Role.admin)
    return "boss"


@pytest.fixture
def app(settings: Settings, engine: Engine) -> Starlette:
    return create_app(settings)


@pytest.fixture
def client_with(
    settings: Settings, engine: Engine, admin_user: str
) -> Iterator[Callable[..., TestClient]]:
    """A logged-in client of an admin where the given views replace inferred ones."""
    with ExitStack() as stack:

        def make(*views: type[AutoModelView]) -> TestClient:
            app = Starlette()
            mount_admin(app, engine=engine, views=views, settings=settings)
            client = stack.enter_context(TestClient(app, follow_redirects=False))
            login(client, admin_user, ADMIN_PASSWORD)
            return client

        yield make


@pytest.fixture
def forms(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> Iterator[TestClient]:
    """A client logged in to an admin of tests/form_models.py."""
    values = make_settings(database_url, tmp_path, models=["tests.form_models"])
    with TestClient(create_app(values), follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


@pytest.fixture
def anonymous(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as client:
        enable_csrf(client)
        yield client


@pytest.fixture
def client(app: Starlette, admin_user: str) -> Iterator[TestClient]:
    """A client logged in as an admin."""
    with TestClient(app, follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


class StatementLog(list[str]):
    """The SQL of each statement run, in order; their parameters in ``params``."""

    def __init__(self) -> None:
        super().__init__()
        self.params: list[Any] = []

    def clear(self) -> None:
        super().clear()
        self.params.clear()


@pytest.fixture
def statements() -> Iterator[StatementLog]:
    """Every SQL statement any engine runs during the test (the app has its own)."""
    log = StatementLog()

    def record(conn: Any, cursor: Any, sql: str, params: Any, *_: Any) -> None:
        log.append(sql)
        log.params.append(params)

    event.listen(Engine, "before_cursor_execute", record)
    yield log
    event.remove(Engine, "before_cursor_execute", record)


def login(
    client: TestClient, username: str, password: str, base: str = "/admin"
) -> None:
    """Log ``client`` in; from then on it sends the CSRF token as pages do."""
    enable_csrf(client, base)
    response = client.post(
        f"{base}/login", data={"username": username, "password": password}
    )
    assert response.status_code == 302, response.text


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Keep each phase's report on the test, so fixtures can see a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


# The longest modules (tens of seconds each: processes, a wheel, every page in
# a browser). Collected last, by their names, they made the suite's tail: one
# test process running them while the other had nothing left. Run first, the
# short modules even out the end.
LONGEST_FIRST = (
    "test_cli.py",
    "test_browser_accessibility.py",
    "forms/test_browser_pickers.py",
    "auth/test_browser_theme.py",
    "security/test_csrf.py",
    "exports/test_exports.py",
    "palette/test_browser_palette.py",
    "auth/test_workers.py",
    "security/test_methods.py",
    "test_wheel.py",
    "test_shapes.py",
    "test_keys.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The modules of :data:`LONGEST_FIRST` first, in that order, each whole."""
    rank = {name: place for place, name in enumerate(LONGEST_FIRST)}

    def place(item: pytest.Item) -> int:
        where = item.path.relative_to(REPO / "tests").as_posix()
        return rank.get(where, len(LONGEST_FIRST))

    items.sort(key=place)  # stable: every other test keeps its order
