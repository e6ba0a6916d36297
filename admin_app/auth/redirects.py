"""Where to go after logging in: a ``next`` path inside the admin, or nowhere.

``next`` comes from a URL anyone can send a victim, so only a plain path under
the admin's own base URL is followed; anything a browser could read as another
host (``//evil``, ``/\\evil``, a scheme, a control character) is refused.
"""

from urllib.parse import unquote, urlsplit

from starlette.requests import Request

MAX_NEXT_LENGTH = 2048


def safe_next(value: str | None, base_path: str) -> str | None:
    """``value`` when it is a same-origin path under ``base_path`` (the
    admin's mount point, e.g. ``/admin``), else None."""
    if not value or len(value) > MAX_NEXT_LENGTH:
        return None
    # Browsers read "\" as "/" and drop tabs and newlines inside URLs, so
    # "/\evil" and "/\t/evil" would both become "//evil": another host.
    if "\\" in value or any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        return None
    if not value.startswith("/") or value.startswith("//"):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    # "%2e%2e" is ".." to a browser: "/admin/%2e%2e/x" leaves the admin.
    segments = [unquote(segment) for segment in parts.path.split("/")]
    if any(segment in (".", "..") for segment in segments):
        return None
    base = "/" + base_path.strip("/")
    if base != "/" and parts.path != base and not parts.path.startswith(base + "/"):
        return None
    return value


def admin_base_path(request: Request) -> str:
    """The path the admin is mounted at, as the browser sees it."""
    return request.url_for("admin:index").path.rstrip("/") or "/"


def request_target(request: Request) -> str:
    """The path and query of ``request``, as a ``next`` value."""
    query = request.url.query
    return request.url.path + ("?" + query if query else "")
