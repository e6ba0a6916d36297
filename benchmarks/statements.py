"""Count the SQL statements each HTTP request runs, for any ASGI app.

:class:`CountStatements` wraps an app and answers every HTTP request with an
``X-Bench-Statements`` header: the statements executed on any SQLAlchemy engine
while the request was served. The count lives in a context variable, which
Starlette's tasks and anyio's worker threads (where sync sessions run) inherit.
"""

from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, event
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-bench-statements"

_statements: ContextVar[list[int] | None] = ContextVar("bench_statements", default=None)


def _count(*_args: Any, **_kwargs: Any) -> None:
    holder = _statements.get()
    if holder is not None:
        holder[0] += 1


class CountStatements:
    """``app``, with each response carrying its statement count."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        if not event.contains(Engine, "before_cursor_execute", _count):
            event.listen(Engine, "before_cursor_execute", _count)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        holder = [0]
        token = _statements.set(holder)

        async def counted(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append(HEADER, str(holder[0]))
            await send(message)

        try:
            await self.app(scope, receive, counted)
        finally:
            _statements.reset(token)
