"""Security headers on every admin response (a pure ASGI middleware).

No page of the admin may be framed (clickjacking), sniffed into another type,
or leak its URL to other sites; pages are never stored by a cache (they show
data and carry a CSRF token), static files are. sqladmin's templates use inline
scripts, so the CSP restricts what does not break them: framing, ``<base>``,
form targets and plugins.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = (
    ("X-Frame-Options", "DENY"),
    (
        "Content-Security-Policy",
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
        "object-src 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
)
# Where the admin serves static files (sqladmin's and admin_app's own).
STATIC_PREFIXES = ("/statics/", "/app-statics/")


class SecurityHeadersMiddleware:
    """Adds :data:`SECURITY_HEADERS` (unless the response set its own) and
    ``Cache-Control: no-store`` to everything but static files."""

    def __init__(
        self, app: ASGIApp, *, static_prefixes: tuple[str, ...] = STATIC_PREFIXES
    ) -> None:
        self.app = app
        self.static_prefixes = static_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = _route_path(scope).startswith(self.static_prefixes)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    headers.setdefault(name, value)
                if not static:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _route_path(scope: Scope) -> str:
    """The path inside the admin (Starlette keeps the mount's in ``root_path``)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path
