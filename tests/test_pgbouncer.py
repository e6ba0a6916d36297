"""Through PgBouncer in transaction pooling (``tests.pgbouncer``), with the
settings the README gives: each transaction runs on whichever server
connection is free, so nothing may outlive one, prepared statements included.
The admin's own tests run through it in the directories and modules
``tests.pgbouncer.THROUGH_PGBOUNCER`` names."""

from typing import Any

import anyio
import psycopg
import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import NullPool

from admin_app.db import make_engine, make_sync_engine
from admin_app.settings import Settings
from tests.engines import async_url

through_pgbouncer = pytest.mark.parametrize(
    "database_url", ["pgbouncer"], indirect=True
)
BACKEND = text("SELECT pg_backend_pid()")
# More runs than psycopg's default prepare_threshold (5) on each connection.
RUNS = 12
# Each client's own statement: the server connection it ran on, and a value
# (a client running the other's prepared statement would answer the other's).
STATEMENTS = (
    text("SELECT pg_backend_pid(), CAST(:n AS integer)"),
    text("SELECT pg_backend_pid(), -CAST(:n AS integer)"),
)
# Each client's runs: (server process, value).
Runs = tuple[list[tuple[int, int]], list[tuple[int, int]]]


@through_pgbouncer
def test_a_connection_runs_each_transaction_on_any_server_connection(
    settings: Settings,
) -> None:
    assert settings.null_pool and not settings.prepares_statements
    engine = make_sync_engine(settings)
    with engine.connect() as first, engine.connect() as second:
        with first.begin():
            before = first.scalar(BACKEND)
        with second.begin():
            # The server connection the first client let go of serves the
            # second; the first, still connected, gets another.
            assert second.scalar(BACKEND) == before
            with first.begin():
                assert first.scalar(BACKEND) != before
    engine.dispose()


def _turns() -> list[tuple[int, int, int]]:
    """(run, outer client, inner client): each run's transactions nest the
    other way round, so each client runs its next on the server connection
    the other just used, where a statement it prepared is missing, or its
    name taken by the other's."""
    return [(n, n % 2, 1 - n % 2) for n in range(RUNS)]


def _take_turns(clients: tuple[Connection, Connection]) -> Runs:
    runs: Runs = ([], [])

    def run(n: int, client: int) -> None:
        row = clients[client].execute(STATEMENTS[client], {"n": n}).one()
        runs[client].append((row[0], row[1]))

    for n, outer, inner in _turns():
        with clients[outer].begin():
            run(n, outer)
            with clients[inner].begin():
                run(n, inner)
    return runs


async def _take_turns_async(engine: AsyncEngine) -> Runs:
    """:func:`_take_turns` on an async engine."""
    runs: Runs = ([], [])
    async with engine.connect() as first, engine.connect() as second:
        clients: tuple[AsyncConnection, AsyncConnection] = (first, second)

        async def run(n: int, client: int) -> None:
            result: Any = await clients[client].execute(STATEMENTS[client], {"n": n})
            row = result.one()
            runs[client].append((row[0], row[1]))

        for n, outer, inner in _turns():
            async with clients[outer].begin():
                await run(n, outer)
                async with clients[inner].begin():
                    await run(n, inner)
    return runs


def assert_took_turns(runs: Runs) -> None:
    """Each client got its own answers, from two server connections by turns
    (what the test needs to mean anything)."""
    assert [value for _, value in runs[0]] == list(range(RUNS))
    assert [value for _, value in runs[1]] == [-n for n in range(RUNS)]
    for client in runs:
        assert len({pid for pid, _ in client}) == 2


@through_pgbouncer
def test_psycopg_runs_a_statement_more_often_than_it_would_prepare_it(
    settings: Settings,
) -> None:
    engine = make_sync_engine(settings)
    with engine.connect() as first, engine.connect() as second:
        assert_took_turns(_take_turns((first, second)))
    engine.dispose()


@through_pgbouncer
def test_asyncpg_runs_a_statement_on_another_server_connection_too(
    settings: Settings,
) -> None:
    """asyncpg prepares every statement SQLAlchemy sends: cached, it would be
    missing on the next transaction's server connection."""
    url = async_url(settings.database_url)
    engine = make_engine(settings, url)
    assert isinstance(engine, AsyncEngine)
    assert_took_turns(anyio.run(_take_turns_async, engine))
    anyio.run(engine.dispose)


@through_pgbouncer
def test_the_tests_database_is_the_servers_reached_through_pgbouncer(
    engine: Engine, postgres_server: str
) -> None:
    """The ``pgbouncer`` database of the admin's tests: another port, the
    same server; the settings made for it hold no pool."""
    server = psycopg.conninfo.conninfo_to_dict(postgres_server)
    server_port = int(str(server.get("port", 5432)))
    assert engine.url.port != server_port
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT inet_server_port()")) == server_port
    assert isinstance(engine.pool, NullPool)
