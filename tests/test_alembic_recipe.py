"""README's recipe for adding admin_app's tables to a project's own Alembic
history (one ``version_locations`` line) works with admin_app imported from
this checkout, as ``pip install -e`` installs it; tests/test_wheel.py runs the
same recipe from the built wheel."""

import os
import re
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.alembic_heads import admin_head
from tests.conftest import REPO

USER_ENV_PY = """
from alembic import context
from sqlalchemy import engine_from_config

import admin_app.tables  # noqa: F401  (so autogenerate knows admin_app's tables)

config = context.config
section = config.get_section(config.config_ini_section)
engine = engine_from_config(section, prefix="sqlalchemy.")
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
"""

# The project's own first revision, beside admin_app's branch.
USER_REVISION = '''
"""Widgets.

Revision ID: u0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "u0001"
down_revision = None
branch_labels = ("theirs",)
depends_on = None


def upgrade() -> None:
    op.create_table("widget", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("widget")
'''


def readme_version_locations() -> str:
    """The ``version_locations`` line README's recipe tells users to write."""
    readme = (REPO / "README.md").read_text()
    section = readme.split("Adding admin_app's tables to your existing Alembic", 1)[1]
    block = re.search(r"```ini\n(.*?)```", section, re.S)
    assert block is not None, "README's recipe has an ini block"
    [line] = [
        line
        for line in block.group(1).splitlines()
        if line.startswith("version_locations")
    ]
    assert "admin_app:migrations/versions" in line
    return line


def user_alembic_ini() -> str:
    """A project's alembic.ini: its own folder ``alembic/``, README's line."""
    return (
        textwrap.dedent(
            """
        [alembic]
        script_location = %(here)s/alembic
        sqlalchemy.url = sqlite:///%(here)s/theirs.db
        path_separator = space
        """
        ).lstrip()
        + readme_version_locations()
        + "\n"
    )


def test_the_readme_recipe_works_from_an_editable_checkout(tmp_path: Path) -> None:
    (tmp_path / "alembic" / "versions").mkdir(parents=True)
    (tmp_path / "alembic" / "env.py").write_text(USER_ENV_PY.lstrip())
    (tmp_path / "alembic" / "versions" / "u0001_widgets.py").write_text(
        USER_REVISION.lstrip()
    )
    (tmp_path / "alembic.ini").write_text(user_alembic_ini())
    # admin_app from this checkout's source tree, as an editable install has it.
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADMIN_")}
    env["PYTHONPATH"] = str(REPO)

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    imported = run("-c", "import admin_app; print(admin_app.__file__)").strip()
    assert Path(imported) == REPO / "admin_app" / "__init__.py"

    run("-m", "alembic", "-c", "alembic.ini", "upgrade", "heads")

    with sqlite3.connect(tmp_path / "theirs.db") as db:
        names = {row[0] for row in db.execute("select name from sqlite_master")}
        heads = {row[0] for row in db.execute("select * from alembic_version")}
    assert {"widget", "admin_app_user", "admin_app_session", "admin_app_audit"} <= names
    assert heads == {"u0001", admin_head()}
