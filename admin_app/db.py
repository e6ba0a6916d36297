"""Engines and sessions built from :class:`~admin_app.settings.Settings`.

SQLite gets foreign keys, WAL and a busy timeout on every connection; PostgreSQL a
checked, recycled pool (or none, and no prepared statements, behind PgBouncer).
Async URLs give async engines.
"""

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from admin_app.moments import keep_column_conventions
from admin_app.settings import Settings

T = TypeVar("T")
AnyEngine = Engine | AsyncEngine
AnySessionMaker = sessionmaker[Session] | async_sessionmaker[AsyncSession]

_ASYNC_DRIVERS = {
    "aiosqlite": "pysqlite",
    "asyncpg": "psycopg",
    "psycopg_async": "psycopg",
}


class DatabaseError(RuntimeError):
    """The database URL is unusable or the server cannot be reached."""


def parse_url(url: str | URL) -> URL:
    """Parse ``url``, turning SQLAlchemy's errors into one readable line."""
    try:
        return make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise DatabaseError(f"ADMIN_DATABASE_URL is not a database URL: {exc}") from exc


def _named_driver(url: URL) -> str:
    # ``URL.get_driver_name()`` imports the dialect, which fails for an unknown
    # one before a readable error can be given; async drivers are always named.
    return url.drivername.partition("+")[2]


def is_async_url(url: str | URL) -> bool:
    return _named_driver(parse_url(url)) in _ASYNC_DRIVERS


def sync_url(url: str | URL) -> URL:
    """The same database through a blocking driver (for Alembic and the CLI)."""
    parsed = parse_url(url)
    driver = _named_driver(parsed)
    if driver in _ASYNC_DRIVERS:
        return parsed.set(
            drivername=f"{parsed.get_backend_name()}+{_ASYNC_DRIVERS[driver]}"
        )
    return parsed


def safe_url(url: str | URL) -> str:
    """The URL with its password hidden, for messages and logs."""
    return parse_url(url).render_as_string(hide_password=True)


def make_engine(settings: Settings, url: str | URL | None = None) -> AnyEngine:
    """An engine for ``url`` (default: the configured one), async when the URL is."""
    parsed = parse_url(url if url is not None else settings.database_url)
    options: dict[str, Any] = {"echo": settings.echo_sql}
    if parsed.get_backend_name() == "postgresql":
        options["connect_args"] = _postgresql_connect_args(settings, parsed)
        if settings.null_pool:
            options["poolclass"] = NullPool
        else:
            options.update(
                pool_pre_ping=True,
                pool_recycle=settings.pool_recycle,
                pool_size=settings.pool_size,
                max_overflow=settings.max_overflow,
                pool_timeout=settings.pool_timeout,
            )
    try:
        if _named_driver(parsed) in _ASYNC_DRIVERS:
            async_engine = create_async_engine(parsed, **options)
            _configure(async_engine.sync_engine, settings)
            return async_engine
        engine = create_engine(parsed, **options)
    except NoSuchModuleError as exc:
        kind = parsed.drivername
        raise DatabaseError(
            f"ADMIN_DATABASE_URL names an unknown database kind {kind!r}"
        ) from exc
    except (ArgumentError, ImportError) as exc:
        raise DatabaseError(f"cannot use {safe_url(parsed)}: {exc}") from exc
    _configure(engine, settings)
    return engine


def _postgresql_connect_args(settings: Settings, url: URL) -> dict[str, Any]:
    """The driver's arguments that keep it from preparing statements when
    it must not (:attr:`Settings.prepares_statements`): PgBouncer in
    transaction mode runs each transaction on any server connection, where a
    statement prepared in another is missing, or its name taken."""
    if settings.prepares_statements:
        return {}
    driver = _named_driver(url) or "psycopg"  # SQLAlchemy's default
    if driver in ("psycopg", "psycopg_async"):
        return {"prepare_threshold": None}  # psycopg: never, not after 5 runs
    if driver == "asyncpg":
        # SQLAlchemy's asyncpg adapter prepares every statement: cache none,
        # and name each uniquely so no two clients' names meet on a server.
        return {
            "statement_cache_size": 0,
            "prepared_statement_cache_size": 0,
            "prepared_statement_name_func": _unique_statement_name,
        }
    return {}


def _unique_statement_name() -> str:
    return f"__asyncpg_{uuid.uuid4().hex}__"


def make_sync_engine(settings: Settings, url: str | URL | None = None) -> Engine:
    """A blocking engine for the same database, whatever driver the URL names."""
    engine = make_engine(settings, sync_url(url or settings.database_url))
    assert isinstance(engine, Engine)
    return engine


def _configure(engine: Engine, settings: Settings) -> None:
    if engine.dialect.name != "sqlite":
        return
    in_memory = engine.url.database in (None, "", ":memory:")
    busy_timeout = settings.sqlite_busy_timeout_ms

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # SQLite forgets these with each connection, and ignores foreign keys
        # unless told, so every new connection is set up here.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout)}")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


class AdminOrmSession(Session):
    """The admin's sessions: date-times are stored in their columns' convention
    whatever wrote them (:mod:`admin_app.moments`)."""


keep_column_conventions(AdminOrmSession)


def make_session_maker(engine: AnyEngine) -> AnySessionMaker:
    """A session factory of the kind the engine needs."""
    if isinstance(engine, AsyncEngine):
        return async_sessionmaker(
            engine, expire_on_commit=False, sync_session_class=AdminOrmSession
        )
    return sessionmaker(engine, expire_on_commit=False, class_=AdminOrmSession)


async def run_in_session(
    session_maker: AnySessionMaker, work: Callable[[Session], T]
) -> T:
    """Run blocking ``work(session)`` without blocking the event loop.

    One function serves both engine kinds: a sync session runs in a worker thread,
    an async one through ``run_sync``.
    """
    if isinstance(session_maker, async_sessionmaker):
        async with session_maker() as async_session:
            return await async_session.run_sync(work)

    def in_thread() -> T:
        with session_maker() as session:
            return work(session)

    return await anyio.to_thread.run_sync(in_thread)


def check_connection(engine: Engine) -> None:
    """Connect once, or raise :class:`DatabaseError` saying where and why not."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise DatabaseError(
            f"cannot connect to the database at {safe_url(engine.url)}: {reason}"
        ) from exc
