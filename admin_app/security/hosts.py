"""The host a request names, checked against ``ADMIN_ALLOWED_HOSTS`` (a pure
ASGI middleware).

Absolute URLs and redirects are built from the request's host and scheme
(Starlette's ``url_for``, sqladmin's redirects to the login page): a request
saying ``Host: evil.example`` would get links and a ``Location`` there, for a
cache or a link in a mail to keep. So requests naming any other host get a
plain 400 and never reach the admin.

A reverse proxy says which host and scheme the browser used in
``X-Forwarded-Host`` and ``X-Forwarded-Proto``. Anyone can send those headers,
so they count only when the direct peer is one of ``ADMIN_TRUSTED_PROXIES``;
then the right-most value (the one the nearest proxy added) replaces the
request's host and scheme for everything inside (URLs, the CSRF origin check,
Strict-Transport-Security).
"""

import logging
import re
from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from admin_app.security.limits import refusal_page
from admin_app.security.proxies import Network, is_trusted

logger = logging.getLogger("admin_app")

# A Host header: a name or an IPv4 address, or a bracketed IPv6 one; a port.
_HOST = re.compile(r"([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(?::[0-9]{1,5})?")
_SCHEMES = ("http", "https")


def host_name(host: str) -> str | None:
    """The name in a ``Host`` value, lower-cased, without port or final dot;
    None when it is not a host."""
    host = host.strip().lower()
    if not _HOST.fullmatch(host):
        return None
    name = host if host.endswith("]") else host.rsplit(":", 1)[0]
    return name.removesuffix(".") or None


def host_allowed(name: str, allowed: Sequence[str]) -> bool:
    """Whether ``name`` matches an entry of ``allowed``: ``*``, the same name,
    or ``.example.com`` for example.com and its subdomains."""
    for pattern in allowed:
        if pattern in ("*", name):
            return True
        if pattern.startswith(".") and (
            name.endswith(pattern) or name == pattern.removeprefix(".")
        ):
            return True
    return False


def request_origin(scope: Scope, trusted: Sequence[Network]) -> tuple[str, str]:
    """The scheme and ``Host`` value the browser used: the request's own, or a
    trusted proxy's ``X-Forwarded-Proto`` / ``X-Forwarded-Host``."""
    headers = Headers(scope=scope)
    scheme: str = scope.get("scheme", "http")
    host = headers.get("host", "")
    client = scope.get("client")
    if trusted and client and is_trusted(client[0], trusted):
        forwarded_host = _last_value(headers, "x-forwarded-host")
        if forwarded_host:
            host = forwarded_host
        forwarded_proto = _last_value(headers, "x-forwarded-proto").lower()
        if forwarded_proto in _SCHEMES:
            scheme = forwarded_proto
    return scheme, host


def _last_value(headers: Headers, name: str) -> str:
    """The right-most value of a comma-separated header: the nearest proxy's."""
    values = [
        value.strip()
        for header in headers.getlist(name)
        for value in header.split(",")
        if value.strip()
    ]
    return values[-1] if values else ""


class AllowedHostsMiddleware:
    """400 for a request whose host is not in ``allowed_hosts``; a trusted
    proxy's forwarded host and scheme become the request's."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        allowed_hosts: Sequence[str],
        trusted_proxies: Sequence[Network] = (),
    ) -> None:
        self.app = app
        self.allowed_hosts = tuple(allowed_hosts)
        self.trusted_proxies = tuple(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scheme, host = request_origin(scope, self.trusted_proxies)
        name = host_name(host)
        if name is None or not host_allowed(name, self.allowed_hosts):
            logger.warning("Refused a request for the host %r", host[:200])
            page = refusal_page(400, "This admin is not served at that host name.")
            await page(scope, receive, send)
            return
        if scheme != scope.get("scheme") or host != Headers(scope=scope).get("host"):
            # A copy: the app the admin is mounted in keeps its own scope.
            scope = dict(scope)
            scope["scheme"] = scheme
            scope["headers"] = [
                *((k, v) for k, v in scope["headers"] if k != b"host"),
                (b"host", host.encode("latin-1")),
            ]
        await self.app(scope, receive, send)
