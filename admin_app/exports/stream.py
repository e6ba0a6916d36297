"""An export's rows, streamed from the database to the client a batch at a time.

The rows are read with ``yield_per`` (``stream_results``: a server-side cursor
on PostgreSQL, an unbuffered ``SSCursor`` on MySQL/MariaDB), so neither the
rows nor the file are ever held whole. With a sync engine one worker thread
reads and formats them (its session and connection never leave it) and hands
each batch's text to the response through a bounded memory stream: when the
client reads slowly the thread waits. With an async engine the rows come from
``AsyncSession.stream``. When the client goes away the reading stops and the
connection goes back to the pool.

On MySQL/MariaDB an unbuffered cursor holds its connection until it is read
to the end: a query sent meanwhile makes the driver read (and drop) the rest
of the stream. So there the rows stream on a connection of their own, and
what each batch needs besides (its rows' relations, its keys' labels) is read
on a second one: objects are streamed as their keys, and each batch's objects
read by key with their relations.
"""

import concurrent.futures
from collections.abc import (
    AsyncGenerator,
    Awaitable,
    Callable,
    Generator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass
from functools import partial
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread
from anyio import CancelScope
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from sqladmin import ModelView
from sqlalchemy import Dialect, Select, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, selectinload
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from admin_app.db import is_mysql
from admin_app.exports.formats import Format, Layout, object_values, with_labels
from admin_app.inspection import mapper_of

BATCH_ROWS = 2000
# Batches waiting for the client: what a slow reader costs in memory.
BUFFERED_CHUNKS = 4
_STOPPED = (
    anyio.BrokenResourceError,
    anyio.ClosedResourceError,
    concurrent.futures.CancelledError,
)

Chunks = MemoryObjectSendStream[bytes]


@dataclass
class Export:
    """One export: the view's rows of ``stmt``, laid out and formatted."""

    view: ModelView
    request: Request
    stmt: Select[Any]
    layout: Layout
    format: Format

    def statement(self) -> Select[Any]:
        """The rows to read: the chosen columns only, or objects with the
        relations their cells reach; in batches from a streaming cursor."""
        if self.layout.columns is not None:
            stmt = self.stmt.with_only_columns(
                *self.layout.columns, maintain_column_froms=True
            )
        else:
            stmt = self.stmt.options(
                *(selectinload(relation) for relation in self.layout.relations)
            )
        return _streamed(stmt)

    def keys_statement(self) -> Select[Any]:
        """The rows' primary keys, in the export's order, streamed."""
        keys = mapper_of(self.view.model).primary_key
        stmt = self.stmt.with_only_columns(*keys, maintain_column_froms=True)
        return _streamed(stmt)

    def objects_statement(self, keys: Sequence[Sequence[Any]]) -> Select[Any]:
        """The objects of ``keys`` with the relations their cells reach."""
        model = self.view.model
        columns = mapper_of(model).primary_key
        if len(columns) == 1:
            where = columns[0].in_([key[0] for key in keys])
        else:
            where = tuple_(*columns).in_([tuple(key) for key in keys])
        loads = (selectinload(relation) for relation in self.layout.relations)
        return select(model).where(where).options(*loads)


def _streamed(stmt: Select[Any]) -> Select[Any]:
    return stmt.execution_options(yield_per=BATCH_ROWS, stream_results=True)


def holds_its_connection(dialect: Dialect) -> bool:
    """Whether a streaming cursor keeps its connection to itself until read to
    the end (MySQL's and MariaDB's unbuffered cursors)."""
    return is_mysql(dialect.name)


def in_key_order(
    model: type[Any], keys: Sequence[Sequence[Any]], objects: Sequence[Any]
) -> list[Any]:
    """``objects`` in the order of their ``keys`` (one gone meanwhile: left out)."""
    mapper = mapper_of(model)
    by_key = {tuple(mapper.primary_key_from_instance(obj)): obj for obj in objects}
    return [by_key[found] for found in map(tuple, keys) if found in by_key]


def produce_in_thread(export: Export, chunks: Chunks) -> None:
    """Read and format the rows in this (worker) thread, sending each batch's
    text to the event loop; returns when done or when the reader is gone."""
    session_maker = export.view.session_maker
    pending = export.format.start()
    try:
        with session_maker() as session:
            batches = _batches(export, session)
            try:
                for batch in batches:
                    if export.layout.columns is None:
                        # The view's cells are coroutines: run them on the loop
                        # while this thread waits (the session is not shared).
                        batch = anyio.from_thread.run(
                            object_values,
                            export.view,
                            export.layout,
                            batch,
                            export.request,
                        )
                    batch = with_labels(export.layout, batch, session)
                    text = pending + export.format.rows(batch)
                    pending = ""
                    anyio.from_thread.run(chunks.send, text.encode())
            finally:
                batches.close()
        anyio.from_thread.run(chunks.send, (pending + export.format.end()).encode())
    except _STOPPED:
        return


def _batches(export: Export, session: Session) -> Generator[Sequence[Any], None, None]:
    """The export's rows a batch at a time, streamed; ``session`` free for
    what the batches need besides (see the module's docstring)."""
    if not holds_its_connection(session.get_bind().dialect):
        result = _execute(session, export.statement(), export.layout)
        try:
            yield from result.partitions()
        finally:
            result.close()
        return
    with export.view.session_maker() as reader:
        if export.layout.columns is not None:
            result = reader.execute(export.statement())
        else:
            result = reader.execute(export.keys_statement())
        try:
            for batch in result.partitions():
                if export.layout.columns is None:
                    found = session.scalars(export.objects_statement(batch)).all()
                    batch = in_key_order(export.view.model, batch, found)
                yield batch
        finally:
            result.close()


def _execute(session: Session, stmt: Select[Any], layout: Layout) -> Any:
    if layout.columns is not None:
        return session.execute(stmt)
    return session.scalars(stmt)


async def produce_async(export: Export, chunks: Chunks) -> None:
    """The same with an async session, on the event loop."""
    session_maker = export.view.session_maker
    assert isinstance(session_maker, async_sessionmaker)
    session: AsyncSession = session_maker()
    pending = export.format.start()
    batches = _async_batches(export, session)
    try:
        async for batch in batches:
            if export.layout.columns is None:
                batch = await object_values(
                    export.view, export.layout, batch, export.request
                )
            if export.layout.labelled:
                batch = await session.run_sync(
                    partial(with_labels, export.layout, batch)
                )
            text = pending + export.format.rows(batch)
            pending = ""
            await chunks.send(text.encode())
        await chunks.send((pending + export.format.end()).encode())
    except _STOPPED:
        return
    finally:
        # Even when cancelled (the client left): give the connections back.
        with anyio.CancelScope(shield=True):
            await batches.aclose()
            await session.close()


async def _async_batches(
    export: Export, session: AsyncSession
) -> AsyncGenerator[Sequence[Any], None]:
    """:func:`_batches` with async sessions."""
    result: Any = None
    reader: AsyncSession | None = None
    try:
        if not holds_its_connection(session.get_bind().dialect):
            stmt = export.statement()
            if export.layout.columns is not None:
                result = await session.stream(stmt)
            else:
                result = await session.stream_scalars(stmt)
            async for batch in result.partitions():
                yield batch
            return
        session_maker = export.view.session_maker
        assert isinstance(session_maker, async_sessionmaker)
        reader = session_maker()
        if export.layout.columns is not None:
            result = await reader.stream(export.statement())
        else:
            result = await reader.stream(export.keys_statement())
        async for batch in result.partitions():
            if export.layout.columns is None:
                found = (await session.scalars(export.objects_statement(batch))).all()
                batch = in_key_order(export.view.model, batch, found)
            yield batch
    finally:
        with anyio.CancelScope(shield=True):
            if result is not None:
                await result.close()
            if reader is not None:
                await reader.close()


async def produce(export: Export, chunks: Chunks) -> None:
    if isinstance(export.view.session_maker, async_sessionmaker):
        await produce_async(export, chunks)
    else:
        # Not abandoned when cancelled: the response waits for the thread, which
        # stops at its next send (the stream is closed), session closed.
        await anyio.to_thread.run_sync(produce_in_thread, export, chunks)


class ExportResponse(Response):
    """A response whose body ``producer`` writes into a bounded stream.

    The status and headers go out with the first chunk, so a statement that
    fails before any row is read is still an error page (a 500), not a
    truncated file.
    """

    def __init__(
        self,
        producer: Callable[[Chunks], Awaitable[None]],
        headers: Mapping[str, str],
        media_type: str,
    ) -> None:
        self.producer = producer
        self.status_code = 200
        self.media_type = media_type
        self.background = None
        self.init_headers(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        chunks, received = anyio.create_memory_object_stream[bytes](BUFFERED_CHUNKS)
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(self._deliver, received, send, group.cancel_scope)
                group.start_soon(_watch_disconnect, receive, group.cancel_scope)
                await self.producer(chunks)
                # Only now: after a failure the file must not look complete.
                chunks.close()
        except BaseExceptionGroup as errors:
            # One failure (the statement's): raise it as it is.
            if len(errors.exceptions) == 1:
                raise errors.exceptions[0] from None
            raise

    async def _deliver(
        self,
        received: MemoryObjectReceiveStream[bytes],
        send: Send,
        scope: CancelScope,
    ) -> None:
        started = False
        try:
            async with received:
                async for chunk in received:
                    if not started:
                        await self._start(send)
                        started = True
                    await send(
                        {"type": "http.response.body", "body": chunk, "more_body": True}
                    )
            if not started:
                await self._start(send)
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:
            pass  # the client is gone (ASGI 2.4 servers say so on send)
        scope.cancel()

    async def _start(self, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": self.status_code,
                "headers": self.raw_headers,
            }
        )


async def _watch_disconnect(receive: Receive, scope: CancelScope) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    scope.cancel()
