"""Security headers on every admin response (a pure ASGI middleware).

No page of the admin may be framed (clickjacking), sniffed into another type,
or leak its URL to other sites; pages are never stored by a cache (they show
data and carry a CSRF token), static files are.

The Content-Security-Policy allows only what the admin serves itself: scripts
and styles from its static files, nothing inline (no ``<script>`` blocks, no
``on*=`` handlers, no ``style=`` attributes in the markup: our templates
override sqladmin's that had them), so markup injected into a page cannot run
or restyle anything. Scripts still set styles through the DOM
(``element.style``), which the policy does not restrict: that is all Tabler,
select2 and flatpickr do. Tabler's CSS draws its checkboxes and select arrows
from ``data:`` SVG images. sqladmin's opt-in rich-text editors, loaded from
CDNs, are blocked (nothing comes from the internet).

Over HTTPS in production, ``Strict-Transport-Security`` tells browsers to use
nothing else for a year.
"""

from collections.abc import Sequence

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from admin_app.security.hosts import request_origin
from admin_app.security.proxies import Network

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    ]
)
SECURITY_HEADERS = (
    ("X-Frame-Options", "DENY"),
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
)
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
# Where the admin serves static files (sqladmin's and admin_app's own).
STATIC_PREFIXES = ("/statics/", "/app-statics/")


class SecurityHeadersMiddleware:
    """Adds :data:`SECURITY_HEADERS` (unless the response set its own),
    ``Cache-Control: no-store`` to everything but static files, and with
    ``hsts`` ``Strict-Transport-Security`` to answers over HTTPS (directly, or
    as a trusted proxy's ``X-Forwarded-Proto`` says)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        static_prefixes: tuple[str, ...] = STATIC_PREFIXES,
        hsts: bool = False,
        trusted_proxies: Sequence[Network] = (),
    ) -> None:
        self.app = app
        self.static_prefixes = static_prefixes
        self.hsts = hsts
        self.trusted_proxies = tuple(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = _route_path(scope).startswith(self.static_prefixes)
        https = self.hsts and request_origin(scope, self.trusted_proxies)[0] == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    headers.setdefault(name, value)
                if not static:
                    headers.setdefault("Cache-Control", "no-store")
                if https:
                    headers.setdefault(
                        "Strict-Transport-Security", STRICT_TRANSPORT_SECURITY
                    )
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _route_path(scope: Scope) -> str:
    """The path inside the admin (Starlette keeps the mount's in ``root_path``)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path
