"""The dashboard's tests run on the demo's models and declared dashboard."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from starlette.testclient import TestClient

from admin_app.app import create_app
from admin_app.dashboard import Dashboard
from tests.conftest import ADMIN_PASSWORD, login, make_settings
from tests.demo_site import settings  # noqa: F401


@contextmanager
def signed_in(
    board: Dashboard, database_url: str, tmp_path: Path, username: str
) -> Iterator[TestClient]:
    """The demo's admin with ``board`` declared, ``username`` signed in."""
    values = make_settings(database_url, tmp_path, models=["models"])
    with TestClient(create_app(values, board), follow_redirects=False) as client:
        login(client, username, ADMIN_PASSWORD)
        yield client
