"""Request limits: body size and form field count (an ASGI middleware), and the
list page's query parameters (:func:`check_list_query`).

The body is counted while it streams in, after a first look at Content-Length,
so a large body is refused without being read whole: 413 when it is too big,
400 when a form has too many fields. Whatever the endpoint makes of the
truncated body, its answer is replaced by the refusal.
"""

import math
import re
import uuid
from datetime import date, datetime
from html import escape
from typing import Any

from sqladmin import ModelView
from sqladmin.filters import (
    BooleanFilter,
    ForeignKeyFilter,
    OperationColumnFilter,
    StaticValuesFilter,
    get_column_obj,
)
from sqlalchemy import Date, DateTime, Float, Integer, Numeric, Uuid
from sqlalchemy.types import TypeDecorator
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from admin_app.counting import EXACT_PARAM
from admin_app.filters import DateRangeFilter
from admin_app.pagination import PAGING_PARAMS

# The list page's own parameters (``lang``, the language switcher's, below).
# ``error`` is read no more (messages travel in the session), but links made
# before carry it.
LIST_PARAMS = frozenset(
    {"page", "pageSize", "sortBy", "sort", "search", "match", "error"}
    # Keyset paging, the list's digest, an exact count: admin_app.listing.
    | {*PAGING_PARAMS, EXACT_PARAM}
)
MAX_PARAM_LENGTH = 1000
_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")
_INT64 = (-(2**63), 2**63 - 1)


class _Refusal(Exception):
    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message

    def response(self) -> HTMLResponse:
        return refusal_page(self.status_code, f"{self.message} Nothing was saved.")


def refusal_page(status_code: int, message: str) -> HTMLResponse:
    """A plain page saying why a request was refused (no styles or scripts:
    the Content-Security-Policy allows none inline)."""
    title = {413: "413 Request Entity Too Large", 400: "400 Bad Request"}
    heading = title.get(status_code, str(status_code))
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{heading}</title></head>
<body>
<h1>{heading}</h1>
<p>{escape(message)}</p>
</body></html>"""
    return HTMLResponse(page, status_code=status_code)


class _FieldCounter:
    """Counts the fields of a form body as it streams in (an upper bound)."""

    def __init__(self, separators: tuple[bytes, ...], offset: int) -> None:
        self.separators = separators
        self.offset = offset  # fields = separators seen + offset
        self.tail = b""
        self.seen = 0
        self.keep = max(len(s) for s in separators) - 1

    @classmethod
    def for_content_type(cls, content_type: str) -> "_FieldCounter | None":
        kind, _, params = content_type.partition(";")
        kind = kind.strip().lower()
        if kind == "application/x-www-form-urlencoded":
            return cls((b"&", b";"), 1)
        if kind == "multipart/form-data":
            match = re.search(r'boundary="?([^";]+)"?', params)
            if match:
                # Each part opens with --boundary; the closing one adds one more.
                return cls((b"--" + match.group(1).encode("latin-1"),), -1)
        return None

    def feed(self, chunk: bytes) -> int:
        data = self.tail + chunk
        for separator in self.separators:
            self.seen += data.count(separator) - self.tail.count(separator)
        self.tail = data[-self.keep :] if self.keep else b""
        return self.seen + self.offset


class RequestLimitsMiddleware:
    """413 for a body over ``max_body_bytes``, 400 for a form of more than
    ``max_form_fields`` fields."""

    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, max_form_fields: int
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_form_fields = max_form_fields

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                await _Refusal(400, "Invalid Content-Length.").response()(
                    scope, receive, send
                )
                return
            if int(declared) > self.max_body_bytes:
                await self._too_large().response()(scope, receive, send)
                return
        counter = _FieldCounter.for_content_type(headers.get("content-type", ""))
        received = 0
        refusal: _Refusal | None = None
        started = False

        async def limited_receive() -> Message:
            nonlocal received, refusal
            if refusal is not None:
                raise refusal
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                received += len(chunk)
                if received > self.max_body_bytes:
                    refusal = self._too_large()
                elif counter and counter.feed(chunk) > self.max_form_fields:
                    refusal = _Refusal(
                        400,
                        f"The form has too many fields (at most "
                        f"{self.max_form_fields}).",
                    )
                if refusal is not None:
                    raise refusal
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refusal is not None:
                # The endpoint answered after its body was cut short (it may
                # have caught the exception): our refusal replaces its answer.
                if not started:
                    started = True
                    await refusal.response()(scope, receive, send)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            # Whatever the cut-short body made the endpoint raise, the answer
            # is the refusal; any other failure is the endpoint's own.
            if refusal is None or started:
                raise
        if refusal is not None and not started:
            await refusal.response()(scope, receive, send)

    def _too_large(self) -> _Refusal:
        return _Refusal(
            413, f"The request is too large (at most {self.max_body_bytes} bytes)."
        )


def check_list_query(view: ModelView, request: Request) -> None:
    """Raise 400 unless every query parameter of the list page is one it reads,
    once, with a value it can use: unknown sorting, paging or filter values are
    refused rather than silently ignored (or failing in the database)."""
    filters: dict[str, Any] = {}
    for found in view.get_filters():
        filters[str(found.parameter_name)] = found
    operations = {
        f"{name}_op": found
        for name, found in filters.items()
        if getattr(found, "has_operator", False)
    }
    allowed = LIST_PARAMS | set(filters) | set(operations)
    if getattr(getattr(view, "_admin_ref", None), "i18n_config", None) is not None:
        allowed |= {"lang"}
    params = request.query_params
    for name, value in params.multi_items():
        if name not in allowed:
            _bad(f"Unknown list parameter {name!r}.")
        if len(params.getlist(name)) > 1:
            _bad(f"The list parameter {name!r} is given more than once.")
        if len(value) > MAX_PARAM_LENGTH or "\x00" in value:
            _bad(f"Invalid value for the list parameter {name!r}.")
    for name in ("page", "pageSize"):
        if name in params and not _PAGE_NUMBER.fullmatch(params[name]):
            _bad("Invalid page or pageSize parameter.")
    if params.get("sort", "asc") not in ("asc", "desc"):
        _bad("Invalid sort parameter: asc or desc.")
    if params.get("match", "prefix") not in ("prefix", "contains"):
        _bad("Invalid match parameter: prefix or contains.")
    if params.get("count", "exact") != "exact":
        _bad("Invalid count parameter: exact.")
    if "sortBy" in params and params["sortBy"] not in view._sort_fields:
        _bad("Invalid sortBy parameter.")
    for name, found in operations.items():
        operation = params.get(name)
        if operation and operation not in _operation_names(view, found):
            _bad(f"Invalid filter operation for {found.title!r}.")
    for name, found in filters.items():
        if name in params:
            operation = params.get(f"{name}_op", "")
            _check_filter(view, found, params[name], operation)


def _check_filter(view: ModelView, found: Any, value: str, operation: str) -> None:
    title = getattr(found, "title", "a filter")
    if value in ("", "__all"):
        return
    if isinstance(found, BooleanFilter):
        if value not in ("all", "true", "false"):
            _bad(f"Invalid value for the filter {title!r}.")
    elif isinstance(found, StaticValuesFilter):
        if value not in {str(key) for key, _ in found.values}:
            _bad(f"Invalid value for the filter {title!r}.")
    elif isinstance(found, ForeignKeyFilter):
        column = get_column_obj(found.foreign_key, view.model)
        if isinstance(column.type, Integer) and not _is_int64(value):
            _bad(f"Invalid value for the filter {title!r}.")
    elif isinstance(found, DateRangeFilter) and operation:
        try:
            found.clauses(get_column_obj(found.column, view.model), operation, value)
        except ValueError:
            _bad(f"Invalid value for the filter {title!r}.")
    elif isinstance(found, OperationColumnFilter) and operation:
        column = get_column_obj(found.column, view.model)
        if not _fits_column(column.type, value.strip(), operation):
            _bad(f"Invalid value for the filter {title!r}.")


def _operation_names(view: ModelView, found: Any) -> set[str]:
    return {name for name, _ in found.get_operation_options_for_model(view.model)}


def _fits_column(column_type: Any, value: str, operation: str) -> bool:
    """Whether sqladmin's operation filter can compare the column with ``value``
    (it would otherwise drop the filter silently, or the database fail)."""
    if not value:
        return True
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl  # what the database stores
    try:
        if isinstance(column_type, Integer):
            return _is_int64(value)
        if isinstance(column_type, Numeric | Float):
            return math.isfinite(float(value))
        if isinstance(column_type, DateTime):
            datetime.fromisoformat(value)
        elif isinstance(column_type, Date):
            date.fromisoformat(value)
        elif isinstance(column_type, Uuid) and operation == "equals":
            uuid.UUID(value)
    except ValueError:
        return False
    return True


def _is_int64(value: str) -> bool:
    if not re.fullmatch(r"[+-]?[0-9]{1,19}", value.strip()):
        return False
    return _INT64[0] <= int(value) <= _INT64[1]


def _bad(message: str) -> None:
    raise HTTPException(status_code=400, detail=message)
