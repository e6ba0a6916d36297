"""Saving and managing views.

* ``POST /<model>/views`` (``admin:saved_views``): save the list's query
  (``query``) under ``name``, private, or ``shared`` (admins); then the view.
  A refused name comes back on the views page, by its field (400).
* ``GET /<model>/views``: the user's and the shared views of the model, each
  renamed, shared or deleted by whoever may (owners their private views,
  admins the shared ones).
* ``POST /<model>/views/<id>`` (``admin:saved_view``): ``do`` is ``rename``
  (with ``name``), ``share``, ``unshare`` or ``delete``.

Every route needs the model's view right (403 otherwise); someone else's
private view is a 404. Each change is one transaction with its audit entry.
"""

from functools import partial
from types import MethodType
from typing import TYPE_CHECKING, Any

from sqladmin import ModelView
from sqladmin.authentication import login_required
from sqladmin.flash import FlashLevel
from sqladmin.i18n import gettext
from starlette import status
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from admin_app.audit.entries import actor_of
from admin_app.db import run_in_session
from admin_app.messages import flash
from admin_app.saved_views import store
from admin_app.saved_views.opening import VIEW, find, is_admin, may_list, user_id
from admin_app.saved_views.queries import QueryRefused, checked

if TYPE_CHECKING:
    from admin_app.site import AdminSite

TEMPLATE = "admin_app/saved_views/page.html"
ACTIONS = ("rename", "share", "unshare", "delete")


def install(site: "AdminSite") -> None:
    """The routes, the list page's menu, and the views read with the user."""
    site.admin.router.routes[:0] = [
        Route(
            "/{identity}/views",
            MethodType(views_endpoint, site),
            methods=["GET", "POST"],
            name="saved_views",
        ),
        Route(
            "/{identity}/views/{view_id}",
            MethodType(view_endpoint, site),
            methods=["POST"],
            name="saved_view",
        ),
    ]
    site.templates.env.globals["saved_views_menu"] = list_menu
    backend = site.authentication_backend
    also = getattr(backend, "also_read", None)
    if isinstance(also, dict):
        also[store.STATE_KEY] = store.read_visible


def _model_view(site: "AdminSite", request: Request) -> ModelView:
    view = site._find_model_view(request.path_params["identity"])
    if not may_list(view, request):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return view


def may_save(view: Any, request: Request) -> bool:
    return bool(getattr(view, "can_save_views", True)) and user_id(request) is not None


def may_manage(saved: store.Saved, request: Request) -> bool:
    """Owners manage their private views; admins the shared ones."""
    if saved.shared:
        return is_admin(request)
    return saved.owner_id == user_id(request)


def list_menu(request: Request, view: Any) -> dict[str, Any] | None:
    """What the list's "Save view" menu needs; None where it is not drawn."""
    if not may_save(view, request):
        return None
    return {
        "action": str(request.url_for("admin:saved_views", identity=view.identity)),
        "query": request.url.query,
        "may_share": is_admin(request),
    }


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


@login_required
async def views_endpoint(site: "AdminSite", request: Request) -> Response:
    view = _model_view(site, request)
    if request.method != "POST":
        return await _page(site, request, view)
    if not may_save(view, request):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    form = await request.form()
    shared = _text(form, "shared") == "y"
    if shared and not is_admin(request):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    query = _text(form, "query")
    errors: dict[str, str] = {}
    try:
        name = store.clean_name(form.get("name"))
    except store.NameRefused as refused:
        name, errors["name"] = _text(form, "name"), str(refused)
    try:
        query = checked(view, request, query)
    except QueryRefused as refused:
        errors["query"] = str(refused)
    if not errors:
        work = partial(
            store.create,
            actor=actor_of(request, site),
            model=view.identity,
            name=name,
            query=query,
            shared=shared,
        )
        try:
            saved = await run_in_session(view.session_maker, work)
        except store.NameRefused as refused:
            errors["name"] = str(refused)
        else:
            flash(
                request,
                gettext("Saved the view “%(name)s”.") % {"name": name},
                FlashLevel.success,
            )
            url = request.url_for("admin:list", identity=view.identity)
            return RedirectResponse(f"{url}?{VIEW}={saved}", status.HTTP_303_SEE_OTHER)
    form_values = {"name": name, "query": query, "shared": shared}
    return await _page(site, request, view, errors, form_values)


@login_required
async def view_endpoint(site: "AdminSite", request: Request) -> Response:
    view = _model_view(site, request)
    saved = await find(view, request, request.path_params["view_id"])
    if not may_manage(saved, request):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    form = await request.form()
    action = _text(form, "do")
    if action not in ACTIONS:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "Unknown view action.")
    if action in ("share", "unshare") and not is_admin(request):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    actor = actor_of(request, site)
    name = saved.name
    try:
        if action == "delete":
            work: Any = partial(store.delete, actor=actor, view_id=saved.id)
            done = gettext("Deleted the view “%(name)s”.")
        elif action == "rename":
            name = store.clean_name(form.get("name"))
            work = partial(store.change, actor=actor, view_id=saved.id, name=name)
            done = gettext("Renamed the view to “%(name)s”.")
        else:
            shared = action == "share"
            work = partial(store.change, actor=actor, view_id=saved.id, shared=shared)
            done = (
                gettext("The view “%(name)s” is shared.")
                if shared
                else gettext("The view “%(name)s” is yours alone now.")
            )
        await run_in_session(view.session_maker, work)
    except store.NameRefused as refused:
        errors = {f"rename-{saved.id}": str(refused)}
        values = {"rename": saved.id, "name": _text(form, "name")}
        return await _page(site, request, view, errors, values)
    flash(request, done % {"name": name}, FlashLevel.success)
    back = request.url_for("admin:saved_views", identity=view.identity)
    return RedirectResponse(str(back), status.HTTP_303_SEE_OTHER)


async def _page(
    site: "AdminSite",
    request: Request,
    view: ModelView,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    """The model's saved views; with ``errors``, a refused form again (400)."""
    uid = user_id(request)
    own = [s for s in store.preloaded(request) if s.model == view.identity]
    mine = [s for s in own if s.owner_id == uid and not s.shared]
    shared = [s for s in own if s.shared]
    list_url = str(request.url_for("admin:list", identity=view.identity))
    context = {
        "model_view": view,
        "title": gettext("Saved views of %(name)s") % {"name": view.name_plural},
        "mine": mine,
        "shared": shared,
        "list_url": list_url,
        "is_admin": is_admin(request),
        "uid": uid,
        "errors": errors or {},
        "values": values or {},
        "saving": bool(values and "query" in values),
    }
    code = status.HTTP_400_BAD_REQUEST if errors else status.HTTP_200_OK
    response: Response = await site.templates.TemplateResponse(
        request, TEMPLATE, context, status_code=code
    )
    return response
