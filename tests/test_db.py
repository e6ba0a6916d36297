"""Engines from settings: SQLite pragmas on every connection, PostgreSQL and
MariaDB pooling, MariaDB's charset, zone and SQL mode, async URLs, and clear
errors for bad URLs and unreachable servers."""

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool, QueuePool

from admin_app.db import (
    DatabaseError,
    check_connection,
    check_strict_mode,
    make_engine,
    make_session_maker,
    make_sync_engine,
    run_in_session,
    safe_url,
    strict_mode_warning,
    sync_url,
)
from tests.conftest import make_settings
from tests.engines import async_url


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

    url = async_url(database_url)
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

    backend = database_url.partition(":")[0].split("+")[0]
    url = async_url(database_url)
    engine = make_engine(make_settings(url, tmp_path))
    assert isinstance(engine, AsyncEngine)
    assert anyio.run(_count_one, engine) == 1
    assert (
        sync_url(url).drivername
        == {
            "sqlite": "sqlite+pysqlite",
            "postgresql": "postgresql+psycopg",
            "mysql": "mysql+pymysql",
        }[backend]
    )
    anyio.run(engine.dispose)


only_mariadb = pytest.mark.parametrize("database_url", ["mariadb"], indirect=True)


def test_mariadb_urls_speak_utf8mb4_or_are_refused(tmp_path: Path) -> None:
    server = "mysql+pymysql://root@127.0.0.1:3306/x"
    for url in (server, f"{server}?charset=utf8mb4", f"{server}?charset=UTF8MB4"):
        engine = make_engine(make_settings(url, tmp_path))
        assert engine.url.query["charset"] == "utf8mb4"
    for other in ("utf8", "latin1"):
        with pytest.raises(DatabaseError, match=f"charset={other}: the admin needs"):
            make_engine(make_settings(f"{server}?charset={other}", tmp_path))
    assert sync_url("mysql+aiomysql://u@h/x").drivername == "mysql+pymysql"
    assert sync_url("mariadb+asyncmy://u@h/x").drivername == "mariadb+pymysql"


def test_mariadb_pool_is_checked_and_recycled_or_none(tmp_path: Path) -> None:
    url = "mysql+pymysql://root@127.0.0.1:3306/x"
    engine = make_engine(make_settings(url, tmp_path, pool_size=2, pool_recycle=90))
    assert isinstance(engine, Engine) and isinstance(engine.pool, QueuePool)
    assert engine.pool.size() == 2
    # MySQL drops connections idle for wait_timeout: recycled, pinged first.
    assert engine.pool._pre_ping and engine.pool._recycle == 90
    unpooled = make_engine(make_settings(url, tmp_path, null_pool=True))
    assert isinstance(unpooled.pool, NullPool)


@only_mariadb
def test_mariadb_connections_are_utc_and_utf8mb4(
    database_url: str, tmp_path: Path
) -> None:
    engine = make_sync_engine(make_settings(database_url, tmp_path))
    try:
        for _ in range(2):  # a fresh connection each time
            with engine.connect() as connection:
                zone, charset = connection.exec_driver_sql(
                    "SELECT @@SESSION.time_zone, @@character_set_connection"
                ).one()
                now = connection.exec_driver_sql("SELECT NOW()").scalar()
            assert (zone, charset) == ("+00:00", "utf8mb4")
            # CURRENT_TIMESTAMP defaults are UTC, as the admin reads them.
            utc = datetime.now(UTC).replace(tzinfo=None)
            assert abs((utc - now).total_seconds()) < 60
            engine.dispose()
    finally:
        engine.dispose()


@only_mariadb
def test_a_mariadb_without_strict_mode_is_warned_about(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_sync_engine(make_settings(database_url, tmp_path))
    try:
        with engine.connect() as connection:
            assert strict_mode_warning(connection) is None  # the server's default
            connection.exec_driver_sql("SET SESSION sql_mode = 'ANSI_QUOTES'")
            warning = strict_mode_warning(connection)
            assert warning is not None and "STRICT_TRANS_TABLES" in warning
            connection.exec_driver_sql("SET SESSION sql_mode = 'STRICT_ALL_TABLES'")
            assert strict_mode_warning(connection) is None
        assert check_strict_mode(engine) is None and not caplog.records

        @event.listens_for(engine, "connect")
        def lax(dbapi_connection: object, _record: object) -> None:
            cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
            cursor.execute("SET SESSION sql_mode = ''")
            cursor.close()

        engine.dispose()
        with caplog.at_level(logging.WARNING, logger="admin_app.db"):
            assert check_strict_mode(engine) is not None
        assert "silently cut" in caplog.text and "root@127.0.0.1" in caplog.text
    finally:
        engine.dispose()


def test_other_databases_have_no_sql_mode_to_warn_about(tmp_path: Path) -> None:
    engine = make_sync_engine(make_settings(f"sqlite:///{tmp_path / 'a.db'}", tmp_path))
    with engine.connect() as connection:
        assert strict_mode_warning(connection) is None
    engine.dispose()


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
