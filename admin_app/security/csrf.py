"""CSRF protection for the admin: a synchronizer token bound to the session.

Every POST, PUT, PATCH and DELETE must carry the session's token, in the form
field ``csrf_token`` or the ``X-CSRF-Token`` header, and must not come from
another site (``Sec-Fetch-Site: cross-site``, or an ``Origin`` whose host is not
the request's). Otherwise the answer is 403 and the request never reaches its
endpoint, so nothing is written.

The token is made when a page first renders it (the login page's GET creates
the session) and lives in the session: clearing the session at login or logout
drops it, and :func:`rotate_csrf_token` replaces it. Pages get it masked with a
fresh random pad each time (as Django does), so the secret itself never appears
twice in a response body (BREACH).
"""

import base64
import hmac
import logging
import re
import secrets
from collections.abc import Iterable, MutableMapping, Sequence
from html import escape
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from starlette.datastructures import Headers
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("admin_app")

SESSION_KEY = "csrf_token"
FORM_FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_SECRET_BYTES = 32
_DEFAULT_PORTS = {"http": 80, "https": 443}


def rotate_csrf_token(session: MutableMapping[str, Any]) -> str:
    """Give ``session`` a new token (at login): tokens seen before are void."""
    secret = base64.urlsafe_b64encode(secrets.token_bytes(_SECRET_BYTES)).decode()
    session[SESSION_KEY] = secret
    return secret


def csrf_token(request: Request) -> str:
    """The token for a page to embed (a template global): masked afresh on each
    call, and the session's secret is made on first use."""
    if "session" not in request.scope:
        return ""
    session = request.session
    secret = session.get(SESSION_KEY)
    raw = _decode(secret) if isinstance(secret, str) else None
    if raw is None or len(raw) != _SECRET_BYTES:
        raw = _decode(rotate_csrf_token(session))
        assert raw is not None
    pad = secrets.token_bytes(len(raw))
    return _encode(pad + _xor(pad, raw))


def token_matches(session: MutableMapping[str, Any], submitted: str | None) -> bool:
    """Whether ``submitted`` is a masked form of the session's token; compared in
    constant time."""
    secret = session.get(SESSION_KEY)
    expected = _decode(secret) if isinstance(secret, str) else None
    masked = _decode(submitted) if submitted else None
    if expected is None or len(expected) != _SECRET_BYTES:
        return False
    if masked is None or len(masked) != 2 * _SECRET_BYTES:
        return False
    pad, cipher = masked[:_SECRET_BYTES], masked[_SECRET_BYTES:]
    return hmac.compare_digest(_xor(pad, cipher), expected)


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(text: str) -> bytes | None:
    if not text.isascii() or len(text) > 256:
        return None
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        return None


def _xor(left: bytes, right: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(left, right, strict=True))


def _origin_of(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin or URL; None for ``null`` or garbage."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme]


class CSRFMiddleware:
    """Refuses unsafe requests without the session's token or from another site.

    It must run inside the session middleware (it reads ``scope["session"]``),
    and reads a form body to find the token in it, then hands the same body on.
    """

    def __init__(self, app: ASGIApp, *, trusted_origins: Sequence[str] = ()) -> None:
        self.app = app
        self.trusted = {
            origin for origin in map(_origin_of, trusted_origins) if origin is not None
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        problem = self._cross_site(scope, headers)
        if problem is None:
            submitted = headers.get(HEADER)
            if submitted is None:
                submitted, receive = await _leading_token(headers, receive)
            if submitted is None:
                body = await _read_body(receive)
                receive = _replay(body, receive)
                submitted = await _form_token(headers, body)
            if not token_matches(scope.get("session", {}), submitted):
                problem = (
                    "The form's security token is missing."
                    if not submitted
                    else "The form's security token is wrong or has expired "
                    "(you may have logged in or out in another tab)."
                )
        if problem is not None:
            logger.warning(
                "CSRF check refused %s %r: %s", scope["method"], scope["path"], problem
            )
            await _forbidden(problem)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _cross_site(self, scope: Scope, headers: Headers) -> str | None:
        """Why the request comes from another site, or None."""
        refused = "This request came from another site."
        if headers.get("sec-fetch-site", "").lower() == "cross-site":
            return refused
        origin = headers.get("origin")
        if origin is None:
            return None  # not a browser, or an old one: the token decides
        seen = _origin_of(origin)
        if seen is None:
            return refused
        if seen in self.trusted:
            return None
        host = _origin_of(f"{scope.get('scheme', 'http')}://{headers.get('host', '')}")
        if host is None or seen[1] != host[1]:
            return refused
        # A proxy may forward another scheme than the browser's: compare the port
        # only where the Host header names one.
        explicit_port = ":" in headers.get("host", "").rsplit("]", 1)[-1]
        if explicit_port and seen[2] != host[2]:
            return refused
        return None


async def _read_body(receive: Receive) -> bytes:
    """The whole request body; its size is bounded by the limits middleware."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive, more_body: bool = False) -> Receive:
    """A receive that gives ``body`` again, then defers to the server's."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": more_body}
        return await receive()

    return replay


# How much of a multipart body is read to find a leading token.
LEADING_PART_BYTES = 64 * 1024


async def _leading_token(
    headers: Headers, receive: Receive
) -> tuple[str | None, Receive]:
    """The token of a multipart body whose first part is ``csrf_token`` (our
    forms put it first), read without reading the rest: a file upload streams
    on to the endpoint instead of being held here whole. None (and the bytes
    read so far given back) for any other body."""
    content_type = headers.get("content-type", "")
    kind, _, params = content_type.partition(";")
    match = re.search(r'boundary="?([^";]+)"?', params)
    if kind.strip().lower() != "multipart/form-data" or match is None:
        return None, receive
    boundary = b"--" + match.group(1).encode("latin-1")
    read = b""
    more = True
    while more and read.count(boundary) < 2 and len(read) < LEADING_PART_BYTES:
        message = await receive()
        if message["type"] != "http.request":
            return None, _replay(read, receive)
        read += message.get("body", b"")
        more = bool(message.get("more_body", False))
    first = re.match(
        rb"--[^\r\n]+\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n"
        rb"(?:[^\r\n]+\r\n)*\r\n([^\r\n]*)\r\n" + re.escape(boundary),
        read,
        re.IGNORECASE,
    )
    token = first.group(1).decode("latin-1") if first else None
    return token, _replay(read, receive, more)


async def _form_token(headers: Headers, body: bytes) -> str | None:
    """The ``csrf_token`` field of a urlencoded or multipart body."""
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/x-www-form-urlencoded":
        fields = parse_qsl(body.decode("latin-1"), keep_blank_values=True)
        return _first(value for name, value in fields if name == FORM_FIELD)
    if content_type == "multipart/form-data":

        async def stream() -> Any:
            yield body

        try:
            form = await MultiPartParser(headers, stream()).parse()
        except MultiPartException:
            return None
        try:
            value = form.get(FORM_FIELD)
            return value if isinstance(value, str) else None
        finally:
            await form.close()
    return None


def _first(values: Iterable[str]) -> str | None:
    return next(iter(values), None)


def _forbidden(reason: str) -> HTMLResponse:
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>403 Forbidden</title></head>
<body>
<h1>403 Forbidden</h1>
<p>{escape(reason)} Nothing was saved.</p>
<p>Go back, reload the page and try again.</p>
</body></html>"""
    return HTMLResponse(page, status_code=403)
