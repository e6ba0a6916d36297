"""Engines from settings: SQLite pragmas on every connection, PostgreSQL pooling,
async URLs, and clear errors for bad URLs and unreachable servers."""

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool, QueuePool

from admin_app.db import (
    DatabaseError,
    check_connection,
    make_engine,
    make_session_maker,
    make_sync_engine,
    run_in_session,
    safe_url,
    sync_url,
)
from tests.conftest import make_settings


def test_sqlite_connections_enforce_foreign_keys_wal_and_a_busy_timeout(
    tmp_path: Path,
) -> None:
    settings = make_settings(f"sqlite:///{tmp_path / 'a.db'}", tmp_path)
    engine = make_sync_engine(settings)
    for _ in range(2):  # a fresh connection each time
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        engine.dispose()


def test_postgresql_pool_follows_settings(tmp_path: Path) -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    settings = make_settings(
        url, tmp_path, pool_size=3, max_overflow=4, pool_recycle=60
    )
    engine = make_engine(settings)
    assert isinstance(engine, Engine) and isinstance(engine.pool, QueuePool)
    assert engine.pool.size() == 3 and engine.pool._max_overflow == 4
    assert engine.pool._pre_ping and engine.pool._recycle == 60
    behind_pgbouncer = make_engine(make_settings(url, tmp_path, null_pool=True))
    assert isinstance(behind_pgbouncer.pool, NullPool)


only_postgresql = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@only_postgresql
@pytest.mark.parametrize(
    ("overrides", "prepares"),
    [
        ({}, True),
        ({"null_pool": True}, False),
        ({"null_pool": True, "prepared_statements": True}, True),
    ],
)
def test_psycopg_prepares_statements_unless_behind_pgbouncer(
    database_url: str, tmp_path: Path, overrides: dict[str, object], prepares: bool
) -> None:
    engine = make_sync_engine(make_settings(database_url, tmp_path, **overrides))
    with engine.connect() as connection:
        threshold = connection.connection.dbapi_connection.prepare_threshold  # type: ignore[union-attr]
    assert (threshold is not None) is prepares
    engine.dispose()


async def _asyncpg_caches(engine: AsyncEngine) -> tuple[int, bool, str | None]:
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        adapter: Any = raw.dbapi_connection
        return (
            adapter._connection._stmt_cache.get_max_size(),
            adapter._prepared_statement_cache is not None,
            adapter._prepared_statement_name_func(),
        )


@only_postgresql
def test_asyncpg_caches_and_names_no_statements_behind_pgbouncer(
    database_url: str, tmp_path: Path
) -> None:
    import anyio

    url = database_url.replace("+psycopg", "+asyncpg")
    pooled = make_engine(make_settings(url, tmp_path))
    assert isinstance(pooled, AsyncEngine)
    assert anyio.run(_asyncpg_caches, pooled) == (100, True, None)
    bounced = make_engine(make_settings(url, tmp_path, null_pool=True))
    assert isinstance(bounced, AsyncEngine)
    size, cached, name = anyio.run(_asyncpg_caches, bounced)
    # A name of its own each time: no two clients' meet on a server connection.
    assert (size, cached) == (0, False) and name and name.startswith("__asyncpg_")
    assert name != anyio.run(_asyncpg_caches, bounced)[2]
    anyio.run(pooled.dispose)
    anyio.run(bounced.dispose)


async def _count_one(engine: Engine | AsyncEngine) -> int:
    return await run_in_session(
        make_session_maker(engine), lambda session: session.scalar(text("SELECT 1"))
    )


def test_async_urls_give_async_engines_that_work(
    database_url: str, tmp_path: Path
) -> None:
    import anyio

    kind, _, rest = database_url.partition(":")
    backend = kind.split("+")[0]
    driver = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}[backend]
    url = f"{driver}:{rest}"
    engine = make_engine(make_settings(url, tmp_path))
    assert isinstance(engine, AsyncEngine)
    assert anyio.run(_count_one, engine) == 1
    assert sync_url(url).drivername in ("sqlite+pysqlite", "postgresql+psycopg")
    anyio.run(engine.dispose)


def test_unreachable_server_and_bad_urls_are_clear_errors(tmp_path: Path) -> None:
    settings = make_settings("postgresql+psycopg://u:pw@127.0.0.1:1/x", tmp_path)
    engine = make_sync_engine(settings)
    with pytest.raises(
        DatabaseError, match="cannot connect to the database at"
    ) as info:
        check_connection(engine)
    assert "pw" not in str(info.value)
    assert safe_url("postgresql://u:pw@h/x") == "postgresql://u:***@h/x"
    with pytest.raises(DatabaseError, match="not a database URL"):
        make_engine(settings, "::nonsense::")
