"""The built wheel on its own: build it, install it into a fresh venv, and run the
``admin-app`` CLI and server from there against a models module outside the repo.

Nothing here imports admin_app from the checkout: every step runs in the new venv,
in a folder outside the repo, with ``PYTHONPATH`` dropped.
"""

import os
import socket
import subprocess
import sys
import textwrap
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.browser import stop_process
from tests.csrf_helper import token_in
from tests.test_alembic_recipe import USER_ENV_PY, user_alembic_ini

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
USERNAME = "wheelboss"
PASSWORD = "wheel horse battery staple"
SECRET = "wheel-test-secret-" + "y" * 40
GADGET = "Flux capacitor 88"

SHOPMODS = '''
"""A user's models module, written outside the admin_app repo."""

from decimal import Decimal
from typing import Optional

from sqlmodel import Field, Relationship, SQLModel


class Maker(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)

    gadgets: list["Gadget"] = Relationship(back_populates="maker")


class Gadget(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True, index=True)
    price: Decimal = Field(default=Decimal("0.00"), max_digits=10, decimal_places=2)
    maker_id: int | None = Field(default=None, foreign_key="maker.id", index=True)

    maker: Optional[Maker] = Relationship(back_populates="gadgets")
'''

SEED = f"""
from decimal import Decimal

from sqlmodel import Session, SQLModel, create_engine

from shopmods import Gadget, Maker

engine = create_engine("sqlite:///shop.db")
SQLModel.metadata.create_all(engine)
with Session(engine) as session:
    maker = Maker(name="Doc Brown Industries")
    session.add(Gadget(name={GADGET!r}, price=Decimal("1.21"), maker=maker))
    session.commit()
engine.dispose()
"""


@dataclass(frozen=True)
class Project:
    """A user's project folder and the environment its commands run with."""

    root: Path
    bin: Path
    env: dict[str, str]

    def run(
        self, *args: str, stdin: str | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        """Run ``args`` in the project; fail with its output unless it exits 0."""
        result = subprocess.run(
            args,
            cwd=self.root,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert result.returncode == 0, (
            f"{args} exited {result.returncode}\n"
            f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        )
        return result


def clean_env(venv: Path, **extra: str) -> dict[str, str]:
    """The test's environment less anything that could put the checkout on sys.path
    or configure admin_app, with the new venv's bin first on PATH."""
    dropped = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV"}
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in dropped and not key.startswith("ADMIN_")
    }
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])
    env["VIRTUAL_ENV"] = str(venv)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The admin_app wheel, built from the checkout."""
    out = tmp_path_factory.mktemp("wheelhouse")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheels = sorted(out.glob("admin_app-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel and its dependencies installed from the index."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    result = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            str(wheel),
        ],
        env=clean_env(venv),
        cwd=venv,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return venv


@pytest.fixture(scope="module")
def project(venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A project folder with ``shopmods.py``, its tables and a row, admin_app's
    tables and a superuser, all made with the installed CLI."""
    root = tmp_path_factory.mktemp("shop")
    assert not root.is_relative_to(REPO)
    (root / "shopmods.py").write_text(textwrap.dedent(SHOPMODS).lstrip())
    (root / "seed.py").write_text(textwrap.dedent(SEED).lstrip())
    env = clean_env(
        venv,
        ADMIN_DATABASE_URL=f"sqlite:///{root / 'shop.db'}",
        ADMIN_MODELS="shopmods",
        ADMIN_SECRET_KEY=SECRET,
    )
    project = Project(root=root, bin=venv / "bin", env=env)
    project.run(str(project.bin / "python"), "seed.py")
    project.run(str(project.bin / "admin-app"), "db", "upgrade", "--admin-only")
    project.run(
        str(project.bin / "admin-app"),
        "createsuperuser",
        "--username",
        USERNAME,
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    return project


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@dataclass(frozen=True)
class Server:
    """A running ``admin-app serve`` and the file its output goes to."""

    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    """Return once ``port`` accepts connections (within 30 s); fail with the
    server's output if it exits or stays silent."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    state = "still starting" if process.returncode is None else "exited"
    pytest.fail(f"admin-app serve {state}; output:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def server(project: Project) -> Iterator[Server]:
    """``admin-app serve`` from the installed wheel, stopped afterwards."""
    port = free_port()
    log = project.root / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                str(project.bin / "admin-app"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=project.root,
            env=project.env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, process, log)
            yield Server(url=f"http://127.0.0.1:{port}", log=log)
        finally:
            stop_process(process)


def test_wheel_carries_the_resources(wheel: Path) -> None:
    """Templates and the Alembic environment ship inside the package; the demo
    models and the tests do not ship at all."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for required in (
        "admin_app/templates/sqladmin/index.html",
        "admin_app/migrations/env.py",
        "admin_app/migrations/script.py.mako",
    ):
        assert required in names, required
    revisions = [
        name
        for name in names
        if name.startswith("admin_app/migrations/versions/") and name.endswith(".py")
    ]
    assert revisions, sorted(names)
    top_level = {name.split("/", 1)[0] for name in names}
    assert not top_level & {"models", "tests", "templates", "migrations"}, top_level
    assert not [
        name for name in names if "__pycache__" in name or name.endswith(".pyc")
    ]


def test_installed_admin_app_is_the_wheel(project: Project, venv: Path) -> None:
    """The new venv imports admin_app from its own site-packages, not the checkout."""
    result = project.run(
        str(project.bin / "python"),
        "-c",
        "import admin_app, admin_app.resources as r; "
        "print(admin_app.__file__); print(r.templates_dir()); "
        "print(r.admin_versions_dir())",
    )
    paths = [Path(line) for line in result.stdout.splitlines()]
    assert len(paths) == 3, result.stdout
    for path in paths:
        assert path.resolve().is_relative_to(venv.resolve()), path
        assert not path.resolve().is_relative_to(REPO), path


def test_installed_admin_serves(server: Server) -> None:
    """Login, the packaged dashboard template, a model list and sqladmin's statics."""
    try:
        check_admin(server.url)
    except AssertionError:
        print(f"--- admin-app serve output ---\n{server.output()}")
        raise


def check_admin(url: str) -> None:
    with httpx.Client(base_url=url, follow_redirects=False, timeout=10) as client:
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response.headers["location"].endswith("/admin/login")

        # As a browser logs in: the login form carries the CSRF token.
        token = token_in(client.get("/admin/login").text)
        assert token is not None
        credentials = {"username": USERNAME, "password": PASSWORD}
        response = client.post("/admin/login", data=credentials | {"csrf_token": token})
        assert response.status_code == 302, response.text

        response = client.get("/admin/")
        assert response.status_code == 200
        assert 'data-admin-app="dashboard"' in response.text

        response = client.get("/admin/gadget/list")
        assert response.status_code == 200
        assert GADGET in response.text

        response = client.get("/admin/statics/css/main.css")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/css")


def test_a_users_own_alembic_env_takes_admin_tables_with_one_line(
    project: Project,
) -> None:
    """README's recipe: add ``admin_app:migrations/versions`` to version_locations."""
    theirs = project.root / "theirs"
    (theirs / "alembic" / "versions").mkdir(parents=True)
    (theirs / "alembic" / "env.py").write_text(USER_ENV_PY.lstrip())
    (theirs / "alembic.ini").write_text(user_alembic_ini())  # README's line
    alembic = str(project.bin / "alembic")
    project.run(alembic, "-c", str(theirs / "alembic.ini"), "upgrade", "heads")
    tables = project.run(
        str(project.bin / "python"),
        "-c",
        "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); "
        'print(sorted(r[0] for r in db.execute("select name from sqlite_master '
        "where type='table'\")))",
        str(theirs / "theirs.db"),
    )
    assert "admin_app_user" in tables.stdout
    assert "alembic_version" in tables.stdout
