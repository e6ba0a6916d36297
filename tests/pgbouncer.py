"""PgBouncer in transaction pooling in front of the tests' PostgreSQL, one per
test process: the ``pgbouncer`` kind of ``database_url`` connects through it,
and the database tests of ``THROUGH_PGBOUNCER`` run on it too.

Debian's ``pgbouncer`` (1.18) runs as a child process, as the ``postgres`` user
when the tests run as root (it refuses root). Its users are looked up through
``auth_user``'s ``auth_query``, so each test's own role signs in as it does
directly. Without the binary, or when it does not answer, the tests that need
it are skipped locally and fail in CI (``tests.conftest.unavailable``).
"""

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.browser import free_port, stop_process
from tests.conftest import DATABASES, names_its_databases, unavailable

PGBOUNCER = "pgbouncer"
# Who runs it when the tests run as root.
RUN_AS = "postgres"
# The directories and modules whose database tests also run through
# PgBouncer: sign-in, sessions, CSRF, saves, exports, the throttle and the
# audit. Not the browser tests among them: a browser per test, again.
THROUGH_PGBOUNCER = (
    "security/",
    "forms/",
    "lists/",
    "exports/",
    "auth/test_sessions.py",
    "auth/test_throttle.py",
    "audit/test_entries.py",
)
STARTUP_SECONDS = 15

TESTS = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A database test of ``THROUGH_PGBOUNCER`` runs through PgBouncer too,
    unless it names its databases itself. Given as the test's own
    parametrize mark, which takes the place of the fixture's kinds."""
    names = metafunc.fixturenames
    if "database_url" not in names or "chromium" in names:
        return
    where = metafunc.definition.path.relative_to(TESTS).as_posix()
    if not where.startswith(THROUGH_PGBOUNCER) or names_its_databases(metafunc):
        return
    kinds = [*DATABASES, "pgbouncer"]
    metafunc.definition.add_marker(
        pytest.mark.parametrize("database_url", kinds, indirect=True)
    )


def write_config(directory: Path, port: int, server: str) -> Path:
    """The PgBouncer configuration the tests use (README's "PgBouncer"), and
    its one user (``auth_user``, who looks the others up), in ``directory``."""
    parts = psycopg.conninfo.conninfo_to_dict(server)
    host, server_port = parts.get("host", "127.0.0.1"), parts.get("port", "5432")
    superuser = parts.get("user", "postgres")
    (directory / "users.txt").write_text(f'"{superuser}" ""\n')
    path = directory / "pgbouncer.ini"
    path.write_text(f"""\
[databases]
* = host={host} port={server_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {directory / "users.txt"}
auth_user = {superuser}
pool_mode = transaction
ignore_startup_parameters = extra_float_digits,options
max_client_conn = 500
default_pool_size = 20
logfile = {directory / "pgbouncer.log"}
log_connections = 0
log_disconnections = 0
""")
    return path


@pytest.fixture(scope="session")
def pgbouncer(postgres_server: str) -> Iterator[str]:
    """``host:port`` of a PgBouncer in front of ``postgres_server``, in
    transaction pooling; stopped at the end of the session."""
    binary = shutil.which(PGBOUNCER) or shutil.which(PGBOUNCER, path="/usr/sbin")
    if binary is None:
        unavailable("no pgbouncer binary (apt-get install pgbouncer)")
    assert binary is not None
    directory = Path(tempfile.mkdtemp(prefix="admin_app_pgbouncer_"))
    port = free_port()
    ini = write_config(directory, port, postgres_server)
    user = RUN_AS if os.geteuid() == 0 else None
    if user is not None:
        try:
            owner = pwd.getpwnam(user)
        except KeyError:
            shutil.rmtree(directory)
            unavailable(f"PgBouncer will not run as root, and there is no {user}")
        for path in (directory, *directory.iterdir()):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    process = subprocess.Popen(
        [binary, str(ini)],
        user=user,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # it logs to its logfile too
    )
    try:
        _wait_until_answering(process, port, postgres_server, directory)
        yield f"127.0.0.1:{port}"
    finally:
        stop_process(process)
        shutil.rmtree(directory, ignore_errors=True)


def _wait_until_answering(
    process: subprocess.Popen[bytes], port: int, server: str, directory: Path
) -> None:
    """Return once PgBouncer runs a query, or say why it does not."""
    parts = psycopg.conninfo.conninfo_to_dict(server)
    parts.update(host="127.0.0.1", port=str(port), connect_timeout="2")
    conninfo = psycopg.conninfo.make_conninfo(**parts)  # type: ignore[arg-type]
    deadline = time.monotonic() + STARTUP_SECONDS
    problem = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            problem = f"exited with {process.returncode}"
            break
        try:
            with psycopg.connect(conninfo, autocommit=True) as connection:
                connection.execute("SELECT 1")
            return
        except psycopg.OperationalError as exc:
            problem = str(exc).strip()
            time.sleep(0.1)
    log = directory / "pgbouncer.log"
    tail = log.read_text().strip().splitlines()[-3:] if log.exists() else []
    unavailable(f"PgBouncer did not answer on port {port}: {problem} {tail}")
