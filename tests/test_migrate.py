"""One Alembic history: upgrade, check, downgrade and upgrade again on both
databases; admin_app's own branch alone into a database an app already made."""

from pathlib import Path

import pytest
from alembic.util import CommandError
from sqlalchemy import Engine, inspect, text

from admin_app import migrate
from admin_app.db import make_sync_engine
from admin_app.settings import Settings
from admin_app.tables import ADMIN_TABLES
from tests.conftest import make_settings
from tests.saved_views.helpers import expected_shared_name_rule, shared_name_rule

DEMO_TABLES = {
    "team",
    "app_user",
    "project",
    "project_member",
    "purchase_order",
    "order_item",
}
ADMIN_TABLE_NAMES = {str(table.__tablename__) for table in ADMIN_TABLES}


@pytest.fixture
def demo_settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path, models=["models"])


def tables(settings: Settings) -> set[str]:
    engine: Engine = make_sync_engine(settings)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_check_downgrade_upgrade_round_trip(demo_settings: Settings) -> None:
    migrate.upgrade(demo_settings)
    assert tables(demo_settings) == DEMO_TABLES | ADMIN_TABLE_NAMES
    migrate.check(demo_settings)  # raises on drift

    migrate.downgrade(demo_settings, "base")
    assert tables(demo_settings) == set()

    migrate.upgrade(demo_settings)
    migrate.check(demo_settings)


def test_the_migrations_make_the_saved_views_shared_name_rule(
    demo_settings: Settings,
) -> None:
    """As create_all does (tests/saved_views/test_models.py): a partial index,
    or on MariaDB/MySQL one over a generated column; gone on the way down."""
    engine = make_sync_engine(demo_settings)
    try:
        migrate.upgrade(demo_settings)
        assert shared_name_rule(engine) == expected_shared_name_rule(engine)
        migrate.downgrade(demo_settings, "admin_app@a0005")
        columns = inspect(engine).get_columns("admin_app_saved_view")
        assert "shared_name" not in {column["name"] for column in columns}
        migrate.upgrade(demo_settings)
        migrate.check(demo_settings)
    finally:
        engine.dispose()


@pytest.mark.parametrize("database_url", ["mariadb"], indirect=True)
def test_views_shared_under_one_name_before_keep_the_first_shared(
    demo_settings: Settings,
) -> None:
    """Before a0009 MariaDB/MySQL had no rule but the check before saving, so
    two saves at once could share one name; the first stays shared, the
    others stay their owners' (elsewhere the partial index never let them)."""
    migrate.upgrade(demo_settings, "admin_app@a0005")
    engine = make_sync_engine(demo_settings)
    try:
        with engine.begin() as connection:
            for user in (1, 2, 3):
                connection.execute(
                    text(
                        "INSERT INTO admin_app_user (id, username, password_hash,"
                        " role, is_active, created_at, time_zone, theme)"
                        " VALUES (:id, :name, 'x', 'admin', 1, NOW(), '', '')"
                    ),
                    {"id": user, "name": f"u{user}"},
                )
                connection.execute(
                    text(
                        "INSERT INTO admin_app_saved_view (model, name, owner_id,"
                        " shared, query, created_at, updated_at)"
                        " VALUES ('member', 'Team', :id, 1, '', NOW(), NOW())"
                    ),
                    {"id": user},
                )
        migrate.upgrade(demo_settings)
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT owner_id, shared FROM admin_app_saved_view ORDER BY id")
            ).all()
        assert [tuple(row) for row in rows] == [(1, 1), (2, 0), (3, 0)]
    finally:
        engine.dispose()


def test_admin_only_adds_just_admin_tables_beside_an_apps_own(
    demo_settings: Settings,
) -> None:
    engine = make_sync_engine(demo_settings)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE legacy_thing (id INTEGER PRIMARY KEY)"))
    engine.dispose()

    migrate.upgrade(demo_settings, admin_only=True)
    assert tables(demo_settings) == {"legacy_thing"} | ADMIN_TABLE_NAMES
    migrate.upgrade(demo_settings, admin_only=True)  # idempotent


def test_check_fails_when_models_and_migrations_drift(demo_settings: Settings) -> None:
    migrate.upgrade(demo_settings)
    drifted = demo_settings.model_copy(
        update={"models": ["models", "tests.drift_models"]}
    )
    with pytest.raises(CommandError, match="New upgrade operations detected"):
        migrate.check(drifted)


def test_autogenerate_writes_the_missing_revision_on_the_apps_branch(
    demo_settings: Settings, tmp_path: Path
) -> None:
    import shutil

    from tests.conftest import REPO

    project = tmp_path / "migrations"
    shutil.copytree(
        REPO / "migrations", project, ignore=shutil.ignore_patterns("__pycache__")
    )
    settings = demo_settings.model_copy(
        update={"migrations_dir": project, "models": ["models", "tests.drift_models"]}
    )
    migrate.upgrade(settings)
    migrate.revision(settings, "add drifted note", autogenerate=True)
    written = [p for p in (project / "versions").glob("*.py") if "drifted" in p.name]
    assert len(written) == 1
    body = written[0].read_text()
    assert "drifted_team_note" in body and "import sqlmodel" in body
    assert "down_revision: str | Sequence[str] | None = 'd0002'" in body
    migrate.upgrade(settings)
    migrate.check(settings)
    assert "drifted_team_note" in tables(settings)


def test_check_and_autogenerate_see_the_tables_of_a_private_registry(
    demo_settings: Settings, tmp_path: Path
) -> None:
    """Tables of a ``registry()`` of their own (not in SQLModel.metadata) are
    compared and written like any others, with their metadata's naming
    convention."""
    import shutil

    from tests.conftest import REPO

    project = tmp_path / "migrations"
    shutil.copytree(
        REPO / "migrations", project, ignore=shutil.ignore_patterns("__pycache__")
    )
    settings = demo_settings.model_copy(
        update={
            "migrations_dir": project,
            "models": ["models", "tests.shapes.own_registry"],
        }
    )
    migrate.upgrade(settings)
    with pytest.raises(CommandError, match="New upgrade operations detected"):
        migrate.check(settings)
    migrate.revision(settings, "own registry", autogenerate=True)
    (written,) = list((project / "versions").glob("*own_registry.py"))
    body = written.read_text()
    assert "own_registry_team" in body and "own_registry_hero" in body
    assert "own_ix_own_registry_hero_name" in body  # the registry's convention
    migrate.upgrade(settings)
    migrate.check(settings)
    assert {"own_registry_team", "own_registry_hero"} <= tables(settings)
