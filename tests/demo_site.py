"""The demo (``models``) seeded into the test database, for browser tests
that look at its pages: import ``settings`` and ``demo`` into a test module."""

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

import models.tables  # noqa: F401  (the demo's tables, made by the engine fixture)
from admin_app.auth.passwords import hash_password
from admin_app.settings import Settings
from models.seed import seed
from tests.conftest import make_settings


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path, models=["models"])


@pytest.fixture
def demo(engine: Engine) -> None:
    with Session(engine) as session:
        seed(session, hash_password=hash_password)
        session.commit()
