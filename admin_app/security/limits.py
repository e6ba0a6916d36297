"""Request limits: body size and form field count (an ASGI middleware; a list
page's query parameters are checked by :mod:`admin_app.lists.params`).

The body is counted while it streams in, after a first look at Content-Length,
so a large body is refused without being read whole: 413 when it is too big,
400 when a form has too many fields. Whatever the endpoint makes of the
truncated body, its answer is replaced by the refusal.
"""

import re
from html import escape

from starlette.datastructures import Headers
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


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


# Room for a multipart body's boundaries, headers and CSRF token around a file.
MULTIPART_SLACK = 64 * 1024


class RequestLimitsMiddleware:
    """413 for a body over ``max_body_bytes``, 400 for a form of more than
    ``max_form_fields`` fields. ``larger_bodies`` is a path pattern and the
    size a POST to a matching path may have instead (an import's upload)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        max_form_fields: int,
        larger_bodies: tuple[re.Pattern[str], int] | None = None,
    ) -> None:
        self.app = app
        self.default_max_body_bytes = max_body_bytes
        self.max_form_fields = max_form_fields
        self.larger_bodies = larger_bodies

    def max_body_for(self, scope: Scope) -> int:
        if self.larger_bodies is not None:
            pattern, size = self.larger_bodies
            if pattern.search(str(scope.get("path", ""))):
                return max(size + MULTIPART_SLACK, self.default_max_body_bytes)
        return self.default_max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_body_bytes = self.max_body_for(scope)
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                await _Refusal(400, "Invalid Content-Length.").response()(
                    scope, receive, send
                )
                return
            if int(declared) > max_body_bytes:
                await self._too_large(max_body_bytes).response()(scope, receive, send)
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
                if received > max_body_bytes:
                    refusal = self._too_large(max_body_bytes)
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

    def _too_large(self, max_body_bytes: int) -> _Refusal:
        return _Refusal(
            413, f"The request is too large (at most {max_body_bytes} bytes)."
        )
