"""The login and logout pages, in place of sqladmin's.

sqladmin's login knows no ``next`` and no lock (a 429 with Retry-After and
words on the page), and its logout is a GET, which any page on the web can
make a browser send: here logout is POST only (GET answers 405).
"""

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from admin_app.auth.backend import AdminAuthBackend
from admin_app.auth.redirects import admin_base_path, safe_next
from admin_app.auth.throttle import lock_message

if TYPE_CHECKING:
    from admin_app.site import AdminSite

LOGIN_TEMPLATE = "sqladmin/login.html"
INVALID = "Invalid credentials."


def install(site: "AdminSite") -> None:
    """Replace sqladmin's ``/login`` and ``/logout`` routes of ``site``."""

    async def login_endpoint(request: Request) -> Response:
        return await login(site, request)

    async def logout_endpoint(request: Request) -> Response:
        return await logout(site, request)

    ours = {
        "login": Route("/login", login_endpoint, name="login", methods=["GET", "POST"]),
        "logout": Route("/logout", logout_endpoint, name="logout", methods=["POST"]),
    }
    routes: list[BaseRoute] = site.admin.router.routes
    for index, route in enumerate(routes):
        name = getattr(route, "name", None)
        if isinstance(route, Route) and name in ours:
            routes[index] = ours.pop(name)
    routes.extend(ours.values())


def _backend(site: "AdminSite") -> AdminAuthBackend:
    backend = site.authentication_backend
    assert isinstance(backend, AdminAuthBackend)
    return backend


def _next(request: Request, value: object) -> str | None:
    """A ``next`` worth following: inside the admin, and not the login or
    logout page itself."""
    wanted = safe_next(
        value if isinstance(value, str) else None, admin_base_path(request)
    )
    if wanted is None:
        return None
    path = urlsplit(wanted).path.rstrip("/")
    ends = {
        request.url_for(name).path.rstrip("/")
        for name in ("admin:login", "admin:logout")
    }
    return None if path in ends else wanted


async def login(site: "AdminSite", request: Request) -> Response:
    # Only a POST (CSRF-checked) logs in; GET and HEAD show the page.
    if request.method == "POST":
        return await _attempt(site, request)
    return await _page(site, request, _next(request, request.query_params.get("next")))


async def _attempt(site: "AdminSite", request: Request) -> Response:
    form = await request.form()
    username, password = form.get("username", ""), form.get("password", "")
    wanted = _next(request, form.get("next"))
    result = await _backend(site).attempt_login(
        request,
        username if isinstance(username, str) else "",
        password if isinstance(password, str) else "",
    )
    if result.user is not None:
        target = wanted or str(request.url_for("admin:index"))
        return RedirectResponse(target, status_code=302)
    if result.retry_after is not None:
        message = lock_message(result.retry_after)
        response = await _page(site, request, wanted, locked=message, status=429)
        response.headers["Retry-After"] = str(result.retry_after)
        return response
    return await _page(site, request, wanted, error=INVALID, status=400)


async def logout(site: "AdminSite", request: Request) -> Response:
    await _backend(site).logout(request)
    return RedirectResponse(request.url_for("admin:login"), status_code=302)


async def _page(
    site: "AdminSite",
    request: Request,
    wanted: str | None,
    *,
    status: int = 200,
    **context: Any,
) -> Response:
    context["next"] = wanted
    response: Response = await site.templates.TemplateResponse(
        request, LOGIN_TEMPLATE, context, status_code=status
    )
    return response
