"""Test clients that send the CSRF token, as the admin's own pages do.

:func:`enable_csrf` gives any httpx client (a Starlette ``TestClient``) event
hooks: each HTML response's token is remembered with the cookies it came with,
and an unsafe request gets it in the ``X-CSRF-Token`` header, fetched from an
admin page first when the session changed since (a login rotates it). Tests of
the check itself turn it off: ``client.csrf.enabled = False``.
"""

import re
from dataclasses import dataclass, field

import httpx

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
_TOKEN = re.compile(
    r'<meta name="csrf-token" content="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def token_in(html: str) -> str | None:
    """The CSRF token a page carries (its meta tag or a form's hidden input)."""
    match = _TOKEN.search(html)
    return (match.group(1) or match.group(2)) if match else None


def _cookies(client: httpx.Client) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((c.name, c.value or "") for c in client.cookies.jar))


@dataclass
class CSRF:
    """One client's token, and the cookies it belongs to."""

    client: httpx.Client
    base: str = "/admin"
    enabled: bool = True
    token: str | None = None
    cookies: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def current(self) -> str:
        """A token valid for the client's session, from a page when needed."""
        if self.token is None or self.cookies != _cookies(self.client):
            self.token = None
            for path in (f"{self.base}/", f"{self.base}/login"):
                self.client.get(path)  # on_response remembers its token
                if self.token is not None:
                    break
        assert self.token is not None, f"no CSRF token on {self.base}/ or /login"
        return self.token

    def on_request(self, request: httpx.Request) -> None:
        if not self.enabled or request.method in SAFE_METHODS:
            return
        if "x-csrf-token" in request.headers:
            return
        fetched = self.token is None or self.cookies != _cookies(self.client)
        request.headers["X-CSRF-Token"] = self.current()
        if fetched:
            # The request was built with the cookies from before the fetch.
            request.headers.pop("cookie", None)
            self.client.cookies.set_cookie_header(request)

    def on_response(self, response: httpx.Response) -> None:
        if "text/html" not in response.headers.get("content-type", ""):
            return
        token = token_in(response.read().decode("utf-8", "replace"))
        if token is not None:
            self.token, self.cookies = token, _cookies(self.client)


def enable_csrf(client: httpx.Client, base: str = "/admin") -> CSRF:
    """Make ``client`` send the CSRF token on unsafe requests (once per client)."""
    existing = getattr(client, "csrf", None)
    if isinstance(existing, CSRF):
        existing.base = base
        return existing
    csrf = CSRF(client, base)
    client.event_hooks["request"].append(csrf.on_request)
    client.event_hooks["response"].append(csrf.on_response)
    client.csrf = csrf  # type: ignore[attr-defined]
    return csrf
