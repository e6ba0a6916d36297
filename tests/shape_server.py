"""Serving one shape module of ``tests/shapes`` on a database: its tables made
from their own metadata, its seed, and a logged-in client of an admin that
serves the module alone."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from sqladmin import ModelView
from sqlalchemy import Engine, MetaData, Table
from sqlmodel import Session, SQLModel
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin_app.app import mount_admin
from admin_app.auth.models import Role
from admin_app.auth.users import create_user
from admin_app.db import make_sync_engine
from admin_app.discovery import discover, table_of
from admin_app.tables import ADMIN_TABLES
from tests.conftest import ADMIN_PASSWORD, login, make_settings


@dataclass
class Served:
    client: TestClient
    site: Any
    engine: Engine
    models: list[type[SQLModel]]
    tables: list[Table]

    def views(self) -> list[ModelView]:
        """The views of the module's tables, in the admin's order."""
        return [
            view
            for view in self.site.views
            if isinstance(view, ModelView) and view.model in self.models
        ]


def create_tables(engine: Engine, tables: list[Table]) -> None:
    """``tables`` and admin_app's own, each from its own metadata."""
    wanted = [*tables, *(table_of(model) for model in ADMIN_TABLES)]
    groups: dict[int, tuple[MetaData, list[Table]]] = {}
    for table in wanted:
        groups.setdefault(id(table.metadata), (table.metadata, []))[1].append(table)
    for metadata, group in groups.values():
        metadata.create_all(engine, tables=group)


@contextmanager
def serving(module: ModuleType, database_url: str, tmp_path: Path) -> Iterator[Served]:
    """The seeded module served alone, with a client logged in as an admin."""
    settings = make_settings(database_url, tmp_path, models=[module.__name__])
    models = discover([module])
    tables = [table_of(model) for model in models]
    engine = make_sync_engine(settings)
    try:
        create_tables(engine, tables)
        with Session(engine) as session:
            module.seed(session)
            session.commit()
            create_user(session, "boss", ADMIN_PASSWORD, Role.admin)
        app = Starlette()
        site = mount_admin(app, engine=engine, settings=settings)
        with TestClient(app, follow_redirects=False) as client:
            login(client, "boss", ADMIN_PASSWORD)
            yield Served(client, site, engine, models, tables)
    finally:
        engine.dispose()
