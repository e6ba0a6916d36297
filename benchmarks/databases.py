"""The benchmark database: dropped, recreated, filled and given an admin user.

PostgreSQL: the database :data:`PG_DATABASE` on the server at
``BENCH_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``,
the same server the tests use). SQLite: ``benchmarks/data/bench.db`` (git-ignored).
MariaDB (the soak only, :func:`recreate`): a database of that name on the server
at ``BENCH_MARIADB_URL`` (default ``mysql+pymysql://root@127.0.0.1:3306/``).
"""

import argparse
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import psycopg
import pymysql
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

from admin_app.auth.users import create_user
from admin_app.tables import ADMIN_TABLES
from benchmarks.generate import Counts, load
from benchmarks.shop import SHOP_TABLES

DbKind = Literal["sqlite", "postgresql"]
ServerKind = Literal["postgresql", "mariadb"]

# Another name (BENCH_PG_DATABASE) keeps runs of several checkouts apart.
PG_DATABASE = os.environ.get("BENCH_PG_DATABASE", "admin_app_bench")
POSTGRES_SERVER = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
MARIADB_SERVER = os.environ.get(
    "BENCH_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/"
)
# How the benchmark tells an admin process which database to serve.
URL_ENV = "BENCH_DATABASE_URL"
DATA_DIR = Path(__file__).resolve().parent / "data"
SQLITE_PATH = DATA_DIR / "bench.db"
# One login for both admins (ours keeps it hashed; plain sqladmin compares it).
BENCH_USER = "bench"
BENCH_PASSWORD = "bench-password-not-secret"
BENCH_SECRET = "bench-secret-key-" + "x" * 40


@dataclass(frozen=True)
class BenchDatabase:
    kind: DbKind
    url: str
    counts: Counts
    load_seconds: float


def _postgres_url(name: str = PG_DATABASE) -> str:
    info = psycopg.conninfo.conninfo_to_dict(POSTGRES_SERVER)
    host, port = info.get("host", "127.0.0.1"), info.get("port", "5432")
    user = info.get("user", "postgres")
    password = f":{info['password']}" if info.get("password") else ""
    return f"postgresql+psycopg://{user}{password}@{host}:{port}/{name}"


def _recreate_postgres(name: str = PG_DATABASE) -> str:
    with psycopg.connect(POSTGRES_SERVER, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return _postgres_url(name)


def _recreate_mariadb(name: str) -> str:
    server = make_url(MARIADB_SERVER)
    connection = pymysql.connect(
        host=server.host or "127.0.0.1",
        port=server.port or 3306,
        user=server.username or "root",
        password=server.password or "",
        autocommit=True,
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
            cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    finally:
        connection.close()
    url = server.set(
        drivername="mysql+pymysql", database=name, query={"charset": "utf8mb4"}
    )
    return url.render_as_string(hide_password=False)


def recreate(kind: ServerKind, name: str) -> str:
    """The URL of an empty database ``name`` on the benchmark's ``kind`` of
    server (dropped first if it was there)."""
    return _recreate_postgres(name) if kind == "postgresql" else _recreate_mariadb(name)


def _recreate_sqlite() -> str:
    DATA_DIR.mkdir(exist_ok=True)
    path = SQLITE_PATH
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def fresh_database(kind: DbKind, scale: float) -> BenchDatabase:
    """An empty database of ``kind`` with the shop at ``scale`` and the admin
    user :data:`BENCH_USER`; timed from the schema to the last ``ANALYZE``."""
    url = _recreate_postgres() if kind == "postgresql" else _recreate_sqlite()
    engine = create_engine(url)
    try:
        started = time.perf_counter()
        tables = [model.__table__ for model in (*ADMIN_TABLES, *SHOP_TABLES)]  # type: ignore[attr-defined]
        SQLModel.metadata.create_all(engine, tables=tables)
        counts = load(engine, scale)
        elapsed = time.perf_counter() - started
        with Session(engine) as session:
            create_user(session, BENCH_USER, BENCH_PASSWORD)
    finally:
        engine.dispose()
    return BenchDatabase(kind, url, counts, elapsed)


def existing_database(kind: DbKind, scale: float) -> BenchDatabase:
    """The database the last :func:`fresh_database` of ``kind`` left, taken to
    hold ``scale`` (for re-running measurements only; nothing is checked)."""
    url = _postgres_url() if kind == "postgresql" else f"sqlite:///{SQLITE_PATH}"
    return BenchDatabase(kind, url, Counts.at_scale(scale), math.nan)


def from_command_line(
    description: str, *, db: DbKind = "sqlite", runs: int = 7, warmup: int = 2
) -> tuple[argparse.Namespace, BenchDatabase]:
    """What a benchmark run on its own is asked (``--db``, ``--scale``,
    ``--runs``, ``--warmup``, ``--reuse``), and the database it names: loaded
    afresh, or as the last run left it with ``--reuse``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default=db)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--warmup", type=int, default=warmup)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    if args.reuse:
        return args, existing_database(args.db, args.scale)
    return args, fresh_database(args.db, args.scale)
