"""The soak's database and server: a fresh database migrated and given its
admin user by the ``admin-app`` command, the shop loaded beside it, and
``admin-app serve --workers N`` running on a free port.

The command runs in ``benchmarks/data/`` (no ``migrations/`` folder there, so
``db upgrade`` brings admin_app's own branch only; the shop's tables are made
from its metadata and loaded as the other benchmarks load them), with the
repository on ``PYTHONPATH`` so that ``ADMIN_MODELS=benchmarks.shop`` imports.
"""

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, create_engine, insert
from sqlmodel import SQLModel

from benchmarks.databases import (
    BENCH_PASSWORD,
    BENCH_SECRET,
    BENCH_USER,
    DATA_DIR,
    PG_DATABASE,
    ServerKind,
    recreate,
)
from benchmarks.generate import Counts, load
from benchmarks.servers import REPO, Server, free_port, running
from benchmarks.shop import SHOP_TABLES, BenchCustomer

# Its own database: a soak never drops the other benchmarks' data.
SOAK_DATABASE = f"{PG_DATABASE}_soak"
# Customers made for the soak's deletes: no orders, so nothing blocks them.
DOOMED_PREFIX = "soak-doomed-"


@dataclass(frozen=True)
class SoakDatabase:
    kind: ServerKind
    url: str
    counts: Counts
    # Customers the run may delete (ids), and orders it edits (ids).
    doomed: tuple[int, ...]
    edited: tuple[int, ...]


def admin_env(url: str) -> dict[str, str]:
    """The settings of the command and its server, by environment."""
    python_path = os.pathsep.join(
        filter(None, [str(REPO), os.environ.get("PYTHONPATH")])
    )
    return {
        "ADMIN_DATABASE_URL": url,
        "ADMIN_MODELS": "benchmarks.shop",
        "ADMIN_SECRET_KEY": BENCH_SECRET,
        "ADMIN_TITLE": "admin_app (soak)",
        "PYTHONPATH": python_path,
    }


def admin_app(url: str, *arguments: str, stdin: str | None = None) -> str:
    """Run ``admin-app *arguments`` on the database at ``url``; its output."""
    DATA_DIR.mkdir(exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-m", "admin_app", *arguments],
        cwd=DATA_DIR,
        env={**os.environ, **admin_env(url)},
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"admin-app {' '.join(arguments)}: {done.stderr.strip()}")
    return done.stdout


def _add_doomed(engine: Engine, first_id: int, count: int) -> tuple[int, ...]:
    ids = tuple(range(first_id, first_id + count))
    now = datetime.now(UTC)
    rows = [
        {
            "id": n,
            "email": f"{DOOMED_PREFIX}{n}@example.com",
            "full_name": f"{DOOMED_PREFIX}{n}",
            "city": "Nowhere",
            "created_at": now,
        }
        for n in ids
    ]
    with engine.begin() as connection:
        connection.execute(insert(BenchCustomer.__table__), rows)  # type: ignore[attr-defined]
    return ids


def fresh_database(
    kind: ServerKind, scale: float, doomed: int, edited: int
) -> SoakDatabase:
    """An empty database migrated by the CLI, the shop at ``scale`` with
    ``doomed`` extra customers, and the user :data:`BENCH_USER`."""
    url = recreate(kind, SOAK_DATABASE)
    admin_app(url, "db", "upgrade")
    engine = create_engine(url)
    try:
        tables = [model.__table__ for model in SHOP_TABLES]  # type: ignore[attr-defined]
        SQLModel.metadata.create_all(engine, tables=tables)
        counts = load(engine, scale)
        doomed_ids = _add_doomed(engine, counts.customers + 1, doomed)
    finally:
        engine.dispose()
    admin_app(
        url,
        "createsuperuser",
        "--username",
        BENCH_USER,
        "--password-stdin",
        stdin=BENCH_PASSWORD + "\n",
    )
    edited_ids = tuple(range(1, min(edited, counts.orders) + 1))
    return SoakDatabase(kind, url, counts, doomed_ids, edited_ids)


@contextmanager
def serving(url: str, workers: int, env: Mapping[str, str] = {}) -> Iterator[Server]:
    """``admin-app serve --workers workers`` on 127.0.0.1 and a free port."""
    port = free_port()
    command = [
        sys.executable, "-m", "admin_app", "serve",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip
    name = f"soak-{workers}w"
    environment = {**admin_env(url), **env}
    with running(name, command, port, environment, cwd=DATA_DIR) as process:
        yield Server("soak", f"http://127.0.0.1:{port}", process.pid, workers)


def log_path(workers: int) -> str:
    return str(DATA_DIR / f"soak-{workers}w.log")
