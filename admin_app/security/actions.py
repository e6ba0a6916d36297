"""Custom actions (sqladmin's ``@action``) run on POST only.

sqladmin routes an action as a GET of ``/{identity}/action/{slug}?pks=…``, so a
link, a prefetch or another site's ``<img>`` could run it. Here the same URL
answers GET with a confirmation page whose form POSTs it back (with the CSRF
token), and only a POST runs the action; the action still reads its rows from
``?pks=``, as sqladmin documents. The list and detail pages' buttons POST
directly (``admin_app/statics/js/csrf.js``).
"""

from types import MethodType
from typing import TYPE_CHECKING, Any

from sqladmin import ModelView
from sqladmin.authentication import login_required
from sqladmin.authorization import custom_action
from starlette import status
from starlette.datastructures import URL
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from admin_app.audit import entries as audit

if TYPE_CHECKING:
    from admin_app.site import AdminSite

TEMPLATE = "admin_app/security/action_confirm.html"


def install(site: "AdminSite", func: MethodType, view: ModelView) -> None:
    """Replace the GET route sqladmin just added for the action ``func``."""
    slug: str = getattr(func, "_slug", "")
    name = f"action-{view.identity}-{slug}"
    routes = site.admin.router.routes
    for index, route in enumerate(routes):
        if isinstance(route, Route) and route.name == name:

            async def endpoint(request: Request) -> Response:
                if request.method == "POST":
                    # What the action changes through the ORM on the view's
                    # model is audited in its own transaction (admin_app.audit.entries).
                    with audit.audited(request, view, f"action:{slug}"):
                        response: Response = await func(request)
                    return response
                return await confirmation(site, request, view, func)  # type: ignore[no-any-return]

            routes[index] = Route(
                route.path,
                endpoint=endpoint,
                name=name,
                methods=["GET", "POST"],
                include_in_schema=route.include_in_schema,
            )
            return


@login_required
async def confirmation(
    site: "AdminSite", request: Request, view: ModelView, func: MethodType
) -> Response:
    """The page a GET of an action shows: what it would do, and a POST form."""
    slug: str = getattr(func, "_slug", "")
    # The same checks sqladmin makes before running the action.
    if not view.is_accessible(request) or not view.has_permission(
        request, custom_action(slug)
    ):
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)
    pks = [pk for pk in request.query_params.get("pks", "").split(",") if pk]
    context: dict[str, Any] = {
        "model_view": view,
        "title": view.name_plural,
        "label": getattr(func, "_label", slug),
        "message": view._custom_actions_confirmation.get(slug),
        "count": len(pks),
        "action_url": request.url.path
        + (f"?{request.url.query}" if request.url.query else ""),
        "cancel_url": _back(request, view),
    }
    return await site.templates.TemplateResponse(request, TEMPLATE, context)


def _back(request: Request, view: ModelView) -> str:
    """Where Cancel goes: the admin page the user came from, else the list."""
    referer = URL(request.headers.get("referer", ""))
    admin_root = str(request.url_for("admin:index"))
    if str(referer).startswith(admin_root):
        return str(referer)
    return str(request.url_for("admin:list", identity=view.identity))
