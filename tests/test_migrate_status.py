"""``migrate.status``: what the dashboard tells admins of the migrations,
each branch's revision against its head and drift, never migrating."""

from pathlib import Path

import pytest

from admin_app import migrate
from tests.conftest import make_settings
from tests.engines import lax


def test_a_fresh_database_is_behind_on_every_branch(
    database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, tmp_path, models=["models"])
    status = migrate.status(settings)
    names = {branch.name for branch in status.branches}
    assert names == {migrate.ADMIN_BRANCH, migrate.APP_BRANCH}
    assert all(branch.current is None for branch in status.branches)
    assert not status.up_to_date and status.drifted is None
    # Telling is all it does: still nothing there.
    assert migrate.status(settings).branches == status.branches


def test_at_head_it_checks_for_drift(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, tmp_path, models=["models"])
    migrate.upgrade(settings)
    status = migrate.status(settings)
    assert status.up_to_date and status.drifted is False
    assert all(branch.current == branch.head for branch in status.branches)
    drifted = settings.model_copy(update={"models": ["models", "tests.drift_models"]})
    status = migrate.status(drifted)
    assert status.up_to_date and status.drifted is True
    assert status.detail


def test_a_branch_part_way_says_which_revision_it_is_at(
    database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, tmp_path, models=["models"])
    migrate.upgrade(settings, admin_only=True)
    status = migrate.status(settings)
    by_name = {branch.name: branch for branch in status.branches}
    assert by_name[migrate.ADMIN_BRANCH].up_to_date
    assert by_name[migrate.APP_BRANCH].current is None
    assert not status.up_to_date and status.drifted is None


def test_checks_at_once_in_one_process_each_get_their_answer(
    database_url: str, tmp_path: Path
) -> None:
    """Alembic keeps its running environment in module globals: two admins'
    dashboards checking at once took each other's away (KeyError)."""
    from concurrent.futures import ThreadPoolExecutor

    settings = make_settings(database_url, tmp_path, models=["models"])
    migrate.upgrade(settings)
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: migrate.status(settings), range(8)))
    assert all(a.up_to_date and a.drifted is False for a in answers)


@pytest.mark.parametrize("database_url", ["mariadb"], indirect=True)
def test_a_mariadb_outside_strict_sql_mode_is_told(
    database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, tmp_path, models=["models"])
    assert migrate.status(settings).strict_sql is True
    lax_settings = make_settings(lax(database_url), tmp_path, models=["models"])
    assert migrate.status(lax_settings).strict_sql is False
