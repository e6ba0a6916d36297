"""One Alembic history for the app, the admin and the CLI.

admin_app's own tables form the ``admin_app`` branch, shipped inside the package;
the application's revisions live in its ``migrations/versions``. Both run from
the same environment (:func:`run_environment`, called by ``migrations/env.py``),
which reads the database URL from :class:`~admin_app.settings.Settings` only.
"""

import io
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Index, MetaData
from sqlmodel import SQLModel

from admin_app import resources
from admin_app.db import is_mysql, make_sync_engine, strict_mode_warning
from admin_app.discovery import discover, metadata_of, table_of
from admin_app.settings import Settings, get_settings

ADMIN_BRANCH = "admin_app"
# Alembic puts the running environment in module globals (``alembic.context``):
# two checks at once in one process (two admins opening the dashboard) would
# remove each other's, so they take turns.
_ALEMBIC_ENVIRONMENT = threading.Lock()
APP_BRANCH = "app"


def project_migrations_dir(settings: Settings) -> Path | None:
    """The application's Alembic folder: the configured one, else ``./migrations``."""
    if settings.migrations_dir is not None:
        return settings.migrations_dir.resolve()
    local = Path.cwd() / "migrations"
    return local.resolve() if (local / "env.py").exists() else None


def alembic_config(
    settings: Settings | None = None, admin_only: bool = False
) -> Config:
    """An Alembic config over both version folders, carrying ``settings``.

    ``admin_only`` leaves the application's models out of the picture, so
    admin_app's tables go into a database whatever its models are."""
    settings = settings or get_settings()
    project = project_migrations_dir(settings)
    config = Config()
    config.set_main_option(
        "script_location", str(project or resources.migrations_dir())
    )
    locations = [str(resources.admin_versions_dir())]
    if project is not None and project / "versions" != resources.admin_versions_dir():
        locations.append(str(project / "versions"))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(locations))
    config.attributes["settings"] = settings
    config.attributes["admin_only"] = admin_only
    return config


def target_metadata(settings: Settings, admin_only: bool = False) -> list[MetaData]:
    """admin_app's tables and the configured models' tables, and nothing else
    that happens to be imported into the same metadata.

    One copy per metadata the tables come from (``SQLModel.metadata``, a
    ``registry()`` of the application's own), keeping its naming convention;
    Alembic compares the database with all of them."""
    from admin_app.tables import ADMIN_TABLES

    models: list[type[SQLModel]] = [*ADMIN_TABLES]
    if not admin_only:
        models += discover(settings.models)
    copies: dict[int, MetaData] = {}
    for model in dict.fromkeys(models):
        source = metadata_of(model)
        if id(source) not in copies:
            copies[id(source)] = MetaData(
                schema=source.schema, naming_convention=source.naming_convention
            )
        table_of(model).to_metadata(copies[id(source)])
    return list(copies.values())


def run_environment() -> None:
    """The body of ``env.py``: migrate the configured database, online only."""
    from alembic import context

    attributes = context.config.attributes
    settings: Settings = attributes.get("settings") or get_settings()
    metadata = target_metadata(settings, attributes.get("admin_only", False))
    engine = make_sync_engine(settings)
    try:
        with engine.connect() as connection:
            is_sqlite = connection.dialect.name == "sqlite"
            if is_sqlite:
                # Batch migrations copy tables; with foreign keys on, SQLite
                # would refuse to drop a table others still reference.
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()
            context.configure(
                connection=connection,
                target_metadata=metadata,
                render_as_batch=is_sqlite,
                compare_type=True,
                include_object=_compared_on(connection.dialect.name, metadata),
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


def _compared_on(dialect: str, metadata: list[MetaData]) -> Callable[..., bool]:
    """Alembic's ``include_object`` for ``dialect``: a partial index (one with
    a ``<dialect>_where``) is a rule of the databases that have them. MariaDB
    and MySQL have none, so there the model's is not missed, and what stands
    in for it, named in its table's ``info["mysql_only"]``, is not extra
    (admin_app.saved_views.models)."""
    mysql_only = {
        table.name: table.info.get("mysql_only", frozenset())
        for data in metadata
        for table in data.tables.values()
    }

    def compared(
        item: Any, name: str | None, kind: str, reflected: bool, compare_to: Any
    ) -> bool:
        if kind not in ("index", "column") or not is_mysql(dialect):
            return True
        if reflected:
            table = getattr(item, "table", None)
            return name not in mysql_only.get(getattr(table, "name", ""), ())
        kwargs = item.kwargs if isinstance(item, Index) else {}
        return not any(
            key.endswith("_where") and value is not None
            for key, value in kwargs.items()
        )

    return compared


def upgrade(
    settings: Settings, revision: str = "heads", admin_only: bool = False
) -> None:
    target = f"{ADMIN_BRANCH}@head" if admin_only else revision
    command.upgrade(alembic_config(settings, admin_only), target)


def downgrade(settings: Settings, revision: str) -> None:
    command.downgrade(alembic_config(settings), revision)


def current(settings: Settings) -> None:
    command.current(alembic_config(settings), verbose=False)


def check(settings: Settings) -> None:
    """Raise ``alembic.util.CommandError`` when the models and migrations differ."""
    command.check(alembic_config(settings))


def revision(settings: Settings, message: str, autogenerate: bool) -> None:
    """A new revision on the application's branch (never on admin_app's)."""
    config = alembic_config(settings)
    project = project_migrations_dir(settings)
    if project is None:
        raise FileNotFoundError(
            "no migrations/ folder here: "
            "set ADMIN_MIGRATIONS_DIR to your Alembic folder"
        )
    script = ScriptDirectory.from_config(config)
    app_heads = [
        head
        for head in script.get_heads()
        if ADMIN_BRANCH not in script.get_revision(head).branch_labels
    ]
    if app_heads:
        command.revision(config, message, autogenerate=autogenerate, head=app_heads[0])
    else:
        command.revision(
            config,
            message,
            autogenerate=autogenerate,
            head="base",
            branch_label=APP_BRANCH,
            version_path=str(project / "versions"),
        )


# Status, as the dashboard shows it to admins (never migrating anything).


@dataclass(frozen=True)
class BranchState:
    """One branch: the revision the database is at, and the branch's head."""

    name: str
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


@dataclass(frozen=True)
class MigrationStatus:
    branches: list[BranchState]
    # None: not checked (the database is behind, or the check failed).
    drifted: bool | None
    detail: str = ""
    # False: a MariaDB/MySQL server whose sql_mode is not strict (it would
    # cut too-long values silently): the dashboard tells admins.
    strict_sql: bool = True

    @property
    def up_to_date(self) -> bool:
        return all(branch.up_to_date for branch in self.branches)


def status(settings: Settings) -> MigrationStatus:
    """Each branch's current revision and head, and whether the models have
    drifted from the migrations (what ``admin-app db check`` says)."""
    config = alembic_config(settings)
    script = ScriptDirectory.from_config(config)
    engine = make_sync_engine(settings)
    try:
        with engine.connect() as connection:
            at = set(MigrationContext.configure(connection).get_current_heads())
            strict = strict_mode_warning(connection) is None
    finally:
        engine.dispose()
    branches = []
    for head in sorted(script.get_heads()):
        revision = script.get_revision(head)
        labels = sorted(revision.branch_labels) if revision is not None else []
        lineage = {r.revision for r in script.iterate_revisions(head, "base")}
        current = next(iter(sorted(at & lineage)), None)
        branches.append(BranchState(labels[0] if labels else head, current, head))
    if not all(branch.up_to_date for branch in branches):
        return MigrationStatus(branches, None, strict_sql=strict)
    # What ``db check`` prints on success goes nowhere: a server has no reader.
    config.stdout = io.StringIO()
    try:
        with _ALEMBIC_ENVIRONMENT:
            command.check(config)
    except CommandError as exc:
        return MigrationStatus(branches, True, str(exc), strict_sql=strict)
    return MigrationStatus(branches, False, strict_sql=strict)
