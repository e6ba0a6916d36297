"""The admin-app command: each subcommand, and one clear line for each bad input."""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from admin_app.auth.models import AdminUser, Role
from admin_app.auth.passwords import verify_password
from admin_app.db import make_sync_engine
from tests.alembic_heads import admin_head
from tests.browser import free_port
from tests.conftest import REPO, TEST_SECRET, make_settings
from tests.engines import lax


def run(
    *args: str, env: dict[str, str], stdin: str = "", cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "admin_app", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def superuser(
    username: str, stdin: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return run(
        "createsuperuser",
        "--username",
        username,
        "--password-stdin",
        env=env,
        stdin=stdin,
    )


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("ADMIN_")}
    return base | {
        "ADMIN_DATABASE_URL": database_url,
        "ADMIN_SECRET_KEY": TEST_SECRET,
        "ADMIN_MODELS": "models",
    }


def test_upgrade_demo_and_createsuperuser(
    env: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    assert run("db", "upgrade", env=env).returncode == 0
    current = run("db", "current", env=env)
    assert f"{admin_head()} (head)" in current.stdout
    assert "d0002 (head)" in current.stdout
    assert "models and migrations agree" in run("db", "check", env=env).stdout

    first = run("demo", env=env)
    assert first.returncode == 0, first.stderr
    assert "2000 purchase_order" in first.stdout
    password = first.stdout.split("with password ")[1].strip().strip("'")
    second = run("demo", env=env)  # idempotent: no new rows, a fresh password
    assert "2000 purchase_order" in second.stdout

    made = superuser("root", "long enough secret\n", env)
    assert made.returncode == 0, made.stderr
    again = superuser("root", "long enough secret\n", env)
    assert again.returncode == 1
    assert again.stderr.strip() == "error: a user named 'root' already exists"

    engine = make_sync_engine(make_settings(database_url, tmp_path))
    with Session(engine) as session:
        root = session.scalars(
            select(AdminUser).where(AdminUser.username == "root")
        ).one()
        assert root.role is Role.admin and root.is_active
        assert verify_password(root.password_hash, "long enough secret")
        demo = session.scalars(
            select(AdminUser).where(AdminUser.username == "admin")
        ).one()
        assert not verify_password(demo.password_hash, password)  # reset by the 2nd run
        assert session.scalar(select(func.count()).select_from(AdminUser)) == 2
    engine.dispose()

    assert run("db", "downgrade", "base", env=env).returncode == 0
    assert run("db", "current", env=env).stdout.strip() == ""


@pytest.mark.parametrize("database_url", ["mariadb"], indirect=True)
def test_a_mariadb_outside_strict_sql_mode_is_a_warning_line(
    env: dict[str, str], database_url: str
) -> None:
    assert run("db", "upgrade", env=env).returncode == 0
    strict = run("db", "check", env=env)
    assert strict.returncode == 0 and "warning" not in strict.stderr
    lax_env = env | {"ADMIN_DATABASE_URL": lax(database_url)}
    checked = run("db", "check", env=lax_env)
    assert checked.returncode == 0, checked.stderr
    assert "models and migrations agree" in checked.stdout
    [line] = checked.stderr.strip().splitlines()
    assert line.startswith("warning: ") and "STRICT_TRANS_TABLES" in line


def test_admin_only_upgrade_needs_no_models(env: dict[str, str]) -> None:
    result = run("db", "upgrade", "--admin-only", env=env | {"ADMIN_MODELS": "json"})
    assert result.returncode == 0, result.stderr


def test_a_short_password_is_refused(env: dict[str, str]) -> None:
    run("db", "upgrade", "--admin-only", env=env)
    result = superuser("x", "short\n", env)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: passwords are at least 8 characters"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"ADMIN_DATABASE_URL": "not a url"},
            "ADMIN_DATABASE_URL is not a database URL",
        ),
        ({"ADMIN_DATABASE_URL": "nosuchdb://x"}, "unknown database kind 'nosuchdb'"),
        (
            {"ADMIN_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/x"},
            "cannot connect to the database at postgresql+psycopg://postgres@127.0.0.1:1/x",
        ),
        (
            {"ADMIN_MODELS": "no_such_models"},
            "cannot import models module 'no_such_models'",
        ),
        ({"ADMIN_MODELS": "json"}, "models module 'json' defines no SQLModel tables"),
        (
            {"ADMIN_ENV": "production", "ADMIN_SECRET_KEY": ""},
            "ADMIN_SECRET_KEY must be set",
        ),
        (
            {"ADMIN_TIMEZONE": "Mars/Olympus"},
            "ADMIN_TIMEZONE: unknown time zone 'Mars/Olympus'",
        ),
        (
            {"ADMIN_PASSWORD_HASHER": "no_such_module:hash"},
            "ADMIN_PASSWORD_HASHER: cannot use 'no_such_module:hash'",
        ),
        (
            {"ADMIN_PORT": "99999"},
            "ADMIN_PORT: Input should be less than or equal to 65535",
        ),
    ],
)
def test_bad_configuration_is_one_error_line(
    tmp_path: Path, variables: dict[str, str], message: str
) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("ADMIN_")}
    env = (
        base
        | {
            "ADMIN_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
            "ADMIN_MODELS": "models",
            "ADMIN_SECRET_KEY_FILE": str(tmp_path / "secret"),
        }
        | variables
    )
    result = run("serve", env=env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and message in lines[0]
    assert "Traceback" not in result.stderr


def test_createsuperuser_without_a_terminal_asks_for_stdin(env: dict[str, str]) -> None:
    result = run("createsuperuser", "--username", "x", env=env)
    assert result.returncode == 1
    assert "--password-stdin" in result.stderr


def test_serve_starts_with_models_of_a_registry_of_their_own(
    env: dict[str, str], tmp_path: Path
) -> None:
    """Tables outside SQLModel.metadata (``registry()`` of their own) are found
    and served: discovery used to fail with a KeyError traceback."""
    env = env | {
        "ADMIN_MODELS": "tests.shapes.own_registry",
        "ADMIN_SECRET_KEY_FILE": str(tmp_path / "secret"),
    }
    assert run("db", "upgrade", "--admin-only", env=env).returncode == 0
    port = free_port()
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "admin_app", "serve", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        while "Application startup complete" not in log.read_text():
            assert process.poll() is None, log.read_text()
            time.sleep(0.1)
        login = httpx.get(f"http://127.0.0.1:{port}/admin/login", timeout=10)
        assert login.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert "Traceback" not in log.read_text()


UNSERVABLE = """
from sqlmodel import Field, Relationship, SQLModel


class TangledTeam(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)


class TangledHero(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    team_id: int | None = Field(default=None, foreign_key="tangledteam.id")
    boss_id: int | None = Field(default=None, foreign_key="tangledteam.id")
    team: TangledTeam | None = Relationship()  # which foreign key? ambiguous
"""


@pytest.mark.parametrize("command", [["serve"], ["db", "check"]])
def test_a_model_the_admin_cannot_serve_is_one_error_line(
    env: dict[str, str], tmp_path: Path, command: list[str]
) -> None:
    (tmp_path / "tangled_models.py").write_text(textwrap.dedent(UNSERVABLE))
    env = env | {"ADMIN_MODELS": "tangled_models", "PYTHONPATH": str(tmp_path)}
    result = run(*command, env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: model TangledHero cannot be served: ")
    assert "TangledHero.team" in lines[0]
