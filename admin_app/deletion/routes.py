"""The delete endpoint, at sqladmin's route ``admin:delete`` (``/{identity}/delete``).

``GET ?pks=1,2`` tells what deleting those rows takes along, or what keeps them:
a page, the modal's HTML fragment (header ``X-Admin-Fragment``) or JSON (``Accept:
application/json``). ``POST`` (form fields ``pks``) deletes and redirects to the
list; ``DELETE ?pks=`` (sqladmin's own script) deletes and answers the list's URL
as text, as sqladmin does. Either deletes all the rows in one transaction, or none
of them, planned by :mod:`admin_app.deletion.plans`.
"""

import logging
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from sqladmin import ModelView
from sqladmin.authentication import login_required
from sqladmin.flash import FlashLevel
from sqladmin.helpers import get_object_identifier
from sqladmin.i18n import gettext
from sqlalchemy import Table
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Mapper, Session
from starlette import status
from starlette.datastructures import URL
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import (
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route

from admin_app.audit import entries as audit
from admin_app.db import run_in_session
from admin_app.deletion import soft
from admin_app.deletion.planner import Planner
from admin_app.deletion.plans import (
    Key,
    Kind,
    MalformedKey,
    Names,
    Plan,
    lower_words,
    parse_pks,
    row_key,
)
from admin_app.labels import row_label
from admin_app.messages import flash
from admin_app.references import details_linker

if TYPE_CHECKING:
    from admin_app.site import AdminSite

logger = logging.getLogger(__name__)

PAGE_TEMPLATE = "admin_app/deletion/confirm.html"
FRAGMENT_TEMPLATE = "admin_app/deletion/summary.html"
FRAGMENT_HEADER = "X-Admin-Fragment"
# The summary describes live data: never from a cache, and it varies by format.
LIVE_HEADERS = {"Cache-Control": "no-store", "Vary": f"Accept, {FRAGMENT_HEADER}"}


class Refused(Exception):
    """Nothing was deleted; the message says why, in words for the user."""


def install(site: "AdminSite") -> None:
    """Let the delete route answer GET and POST too (sqladmin's takes DELETE)."""
    routes = site.admin.router.routes
    for index, route in enumerate(routes):
        if isinstance(route, Route) and route.name == "delete":
            routes[index] = Route(
                route.path,
                endpoint=site.delete,
                name="delete",
                methods=["GET", "POST", "DELETE"],
            )


@login_required
async def delete_page(site: "AdminSite", request: Request) -> Response:
    view = site._find_model_view(request.path_params["identity"])
    pks = await _requested_pks(request)
    if not pks:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "No rows were selected.")
    try:
        keys = parse_pks(view.model, pks)
    except MalformedKey as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND) from exc
    # sqladmin's checks (can_delete, is_accessible, check_can_delete per row)
    # read the keys from the query string, where a form's are not.
    await site._delete(_with_pks_query(request, pks))
    planner = Planner(view.model, view_names(site))
    column = getattr(view, "soft_delete_column", None)
    if column:
        trashing = partial(
            soft.trash_plan,
            model=view.model,
            column=column,
            names=planner.names(planner.table),
            keys=keys,
        )
        to_trash = await run_in_session(view.session_maker, trashing)
        if to_trash is not None:  # else: all in the trash, deleted for good
            _not_found_if_one_missing(to_trash)
            if request.method in ("POST", "DELETE"):
                return await _trashed(site, request, view, to_trash, column)
            return await _confirmation(site, request, view, to_trash)
    # Only the methods the CSRF check covers delete; any other (GET, and
    # HEAD, which Starlette routes with GET) asks.
    if request.method in ("POST", "DELETE"):
        return await _deleted(site, request, view, planner, keys)
    plan = await run_in_session(view.session_maker, partial(planner.plan, keys=keys))
    _not_found_if_one_missing(plan)
    return await _confirmation(site, request, view, plan)


async def _deleted(
    site: "AdminSite",
    request: Request,
    view: ModelView,
    planner: Planner,
    keys: list[Key],
) -> Response:
    try:
        plan = await _delete(site, view, request, planner, keys)
    except Refused as refused:
        return await _refusal(site, request, view, str(refused))
    flash(request, plan.done, FlashLevel.success)
    back = _list_url(request, view)
    if request.method == "DELETE":
        return PlainTextResponse(str(back))
    return RedirectResponse(back, status_code=status.HTTP_303_SEE_OTHER)


async def _trashed(
    site: "AdminSite", request: Request, view: ModelView, plan: Plan, column: str
) -> Response:
    """Move the plan's rows to the trash (:mod:`admin_app.deletion.soft`), as a
    delete ends: the list, with a message."""
    if plan.blocked:
        return await _refusal(site, request, view, str(plan.message))
    try:
        for row in plan.rows:
            await _before_delete(view, plan, row, request)
    except Refused as refused:
        return await _refusal(site, request, view, str(refused))
    moving = partial(
        soft.move_to_trash,
        model=view.model,
        column=column,
        keys=[row_key(row) for row in plan.rows],
        trail=audit.trail_for(request, view),
    )
    try:
        await run_in_session(view.session_maker, moving)
    except SQLAlchemyError:
        logger.warning("The database refused moving rows to the trash", exc_info=True)
        message = gettext("Could not move %(what)s to the trash; nothing changed.") % {
            "what": plan.title
        }
        return await _refusal(site, request, view, message)
    for row in plan.rows:
        await view.after_model_delete(row, request)
    flash(request, plan.done, FlashLevel.success)
    back = _list_url(request, view)
    if request.method == "DELETE":
        return PlainTextResponse(str(back))
    return RedirectResponse(back, status_code=status.HTTP_303_SEE_OTHER)


async def _before_delete(
    view: ModelView, plan: Plan, row: Any, request: Request
) -> None:
    """sqladmin's ``on_model_delete`` hook; what it raises stops the delete."""
    try:
        await view.on_model_delete(row, request)
    except HTTPException:
        raise
    except Exception as exc:
        # sqladmin shows what a hook raised to stop a delete; so do we.
        logger.warning("on_model_delete stopped a delete", exc_info=True)
        raise Refused(f"Cannot delete {plan.title}: {exc}") from exc


async def _requested_pks(request: Request) -> list[str]:
    """sqladmin identifiers: ``?pks=1,2``, or form fields ``pks`` on a POST.

    Commas separate keys, as in sqladmin's own ``pks`` parameter.
    """
    values = request.query_params.getlist("pks")
    if request.method == "POST":
        values = [str(value) for value in (await request.form()).getlist("pks")]
    return [pk for value in values for pk in value.split(",") if pk != ""]


def _with_pks_query(request: Request, pks: list[str]) -> Request:
    query = urlencode({"pks": ",".join(pks)}).encode()
    return Request({**request.scope, "query_string": query}, request.receive)


def view_names(site: "AdminSite") -> dict[Table, Names]:
    """The admin's names for the tables it has views of: ``club`` / ``clubs``."""
    names: dict[Table, Names] = {}
    for view in site.views:
        if isinstance(view, ModelView):
            mapper: Mapper[Any] = sa_inspect(view.model)
            table = mapper.local_table
            if isinstance(table, Table):
                names.setdefault(
                    table, Names(lower_words(view.name), lower_words(view.name_plural))
                )
    return names


def _not_found_if_one_missing(plan: Plan) -> None:
    # One row that is not there is a page that is not there; in a selection
    # of several, the plan's message says which are gone.
    if len(plan.keys) == 1 and plan.missing:
        raise HTTPException(status.HTTP_404_NOT_FOUND)


async def _delete(
    site: "AdminSite",
    view: ModelView,
    request: Request,
    planner: Planner,
    keys: list[Key],
) -> Plan:
    """Delete the rows of ``keys`` and what goes with them, or raise Refused."""
    plan = await run_in_session(view.session_maker, partial(planner.plan, keys=keys))
    _not_found_if_one_missing(plan)
    if plan.blocked:
        raise Refused(plan.message)
    for row in plan.rows:
        await _before_delete(view, plan, row, request)
    # Our audit entries replace sqladmin's _emit_audit (after the commit, in
    # a transaction of its own): written with the delete, or nothing is.
    audit_entries = partial(
        audit.record_deletion,
        actor=audit.actor_of(request, site),
        identities=view_identities(site),
    )
    try:
        done = await run_in_session(
            view.session_maker, partial(_carry_out, planner, keys, audit_entries)
        )
    except SQLAlchemyError as exc:
        logger.warning("The database refused a planned delete", exc_info=True)
        raise Refused(_database_refusal(plan, exc)) from exc
    for row in plan.rows:
        await view.after_model_delete(row, request)
    return done


def view_identities(site: "AdminSite") -> dict[Table, str]:
    """The identity (as in URLs) of the view of each table the admin shows."""
    identities: dict[Table, str] = {}
    for view in site.views:
        if isinstance(view, ModelView):
            mapper: Mapper[Any] = sa_inspect(view.model)
            if isinstance(mapper.local_table, Table):
                identities.setdefault(mapper.local_table, view.identity)
    return identities


def _carry_out(
    planner: Planner,
    keys: list[Key],
    audit_entries: Callable[[Session, Plan], None],
    session: Session,
) -> Plan:
    """Plan again inside the deleting transaction (rows may have changed since
    the first look), record what goes in the audit trail, then run every
    statement and commit: all or nothing.

    The selected rows' own statement comes last and must delete every one of
    them: another request may have deleted some after this plan read them
    (two workers, two clicks). That one deleted and audited them; this one
    rolls back and says they no longer exist."""
    try:
        plan = planner.plan(session, keys)
        if plan.blocked:
            raise Refused(plan.message)
        try:
            audit_entries(session, plan)
            session.flush()
        except Exception as exc:
            logger.exception("The audit trail could not record a delete")
            raise Refused(
                f"Cannot delete {plan.title}: the audit trail could not record "
                "it. Nothing was deleted."
            ) from exc
        *along, selected = plan.statements
        for statement in along:
            session.execute(statement)
        result: Any = session.execute(selected)
        if result.rowcount != len(plan.rows):
            session.rollback()
            raise Refused(planner.plan(session, keys).message or _changed(plan))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return plan


def _changed(plan: Plan) -> str:
    return gettext(
        "Cannot delete %(what)s: it changed while it was being deleted, so "
        "nothing was deleted. Please try again."
    ) % {"what": plan.title}


def _database_refusal(plan: Plan, exc: SQLAlchemyError) -> str:
    """The database's refusal in words: never its SQL or its message."""
    if isinstance(exc, IntegrityError):
        return (
            f"Cannot delete {plan.title}: other rows still refer to it "
            "(the database refused). Nothing was deleted."
        )
    return (
        f"The database could not delete {plan.title} right now; nothing was "
        "deleted. Please try again."
    )


def _list_url(request: Request, view: ModelView) -> URL:
    """The list page, with the page and filters the user came from."""
    url = URL(str(request.url_for("admin:list", identity=view.identity)))
    referer = URL(request.headers.get("referer", ""))
    if referer.path == url.path:
        params = [(k, v) for k, v in parse_qsl(referer.query) if k != "error"]
        url = url.replace(query=urlencode(params))
    return url


async def _confirmation(
    site: "AdminSite", request: Request, view: ModelView, plan: Plan
) -> Response:
    accept = request.headers.get("accept", "")
    if "application/json" in accept and "text/html" not in accept:
        return JSONResponse(_as_json(plan), headers=LIVE_HEADERS)
    fragment = FRAGMENT_HEADER.lower() in request.headers
    plan.link(details_linker(site.views, request))
    response = await site.templates.TemplateResponse(
        request,
        FRAGMENT_TEMPLATE if fragment else PAGE_TEMPLATE,
        {
            "model_view": view,
            "plan": plan,
            "Kind": Kind,
            "title": view.name_plural,
            "cancel_url": _list_url(request, view),
        },
    )
    response.headers.update(LIVE_HEADERS)
    return response


def _as_json(plan: Plan) -> dict[str, Any]:
    return {
        "title": plan.title,
        "blocked": plan.blocked,
        "message": plan.message,
        "rows": [
            {"pk": str(get_object_identifier(row)), "label": row_label(row)}
            for row in plan.rows
        ],
        "groups": [
            {
                "kind": group.kind.value,
                "text": group.text,
                "count": group.count,
                "labels": group.labels,
            }
            for group in plan.groups
        ],
    }


async def _refusal(
    site: "AdminSite", request: Request, view: ModelView, message: str
) -> Response:
    """A form goes back to the list, the reason in the session for the list's
    alert (never in the URL, where anyone could write one); sqladmin's script
    gets an error page."""
    if request.method == "DELETE":
        return await site.templates.TemplateResponse(
            request,
            "sqladmin/error.html",
            {"status_code": status.HTTP_409_CONFLICT, "message": message},
            status_code=status.HTTP_409_CONFLICT,
        )
    flash(request, message, FlashLevel.error)
    url = _list_url(request, view)
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)
