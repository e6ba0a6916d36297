"""The palette's routes and what every page carries of it.

* ``GET /palette/search?q=`` (``admin:palette_search``): the records found, as
  JSON, for the dialog (``statics/js/palette.js``). A term too long or holding
  a NUL is a 400 with a JSON ``error``; an empty or short one finds nothing.
* ``GET /palette?q=`` (``admin:palette``): the same search and the matching
  commands as a page, for a browser without JavaScript.
* ``palette(request)`` in templates: the commands and shortcut targets that
  ``templates/admin_app/palette/palette.html`` embeds in every page as JSON.
"""

import hashlib
import json
from collections.abc import Callable
from types import MethodType
from typing import TYPE_CHECKING, Any

from sqladmin.authentication import login_required
from sqladmin.i18n import gettext
from starlette import status
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from admin_app.palette import commands as palette_commands
from admin_app.palette.records import (
    MIN_TERM_LENGTH,
    TermError,
    clean_term,
    search_records,
)

if TYPE_CHECKING:
    from admin_app.site import AdminSite

# More commands, from another feature (the user's saved views): (label,
# section, URL, keywords) for the views and the request.
MoreCommands = Callable[[list[Any], Request], list[tuple[str, str, str, str]]]
_MORE = "_palette_more"

PAGE_TEMPLATE = "admin_app/palette/page.html"
DIALOGS_TEMPLATE = "admin_app/palette/dialogs.html"


@login_required
async def search_endpoint(site: "AdminSite", request: Request) -> Response:
    """``{"term", "groups": [{"name", "list_url", "more", "results": [...]}]}``."""
    try:
        term = clean_term(request.query_params.get("q"))
    except TermError as exc:
        return JSONResponse(
            {"error": str(exc)}, status_code=status.HTTP_400_BAD_REQUEST
        )
    groups = await search_records(site, request, term)
    return JSONResponse({"term": term, "groups": [group.as_json() for group in groups]})


@login_required
async def page_endpoint(site: "AdminSite", request: Request) -> Response:
    """The palette as a page: commands and records matching ``q``."""
    error = ""
    try:
        term = clean_term(request.query_params.get("q"))
    except TermError as exc:
        term, error = "", str(exc)
    views = list(site.views)
    everything = palette_commands.commands_for(views, request)
    everything += more_commands(site, request)
    shown = palette_commands.matching(everything, term) if term else []
    groups = await search_records(site, request, term) if term else []
    context = {
        "title": gettext("Search"),
        "term": term,
        "error": error,
        "commands": shown,
        "groups": groups,
        "short": bool(term) and len(term) < MIN_TERM_LENGTH,
    }
    code = status.HTTP_400_BAD_REQUEST if error else status.HTTP_200_OK
    response: Response = await site.templates.TemplateResponse(
        request, PAGE_TEMPLATE, context, status_code=code
    )
    return response


def page_palette(site: "AdminSite", request: Request) -> dict[str, Any]:
    """What a page's palette embeds: where its shortcuts lead. The commands
    come with the dialogs (:func:`dialogs_endpoint`): a page should not carry
    two links per model, nor dialogs it does not show."""
    return {"targets": palette_commands.shortcut_targets(list(site.views), request)}


@login_required
async def dialogs_endpoint(site: "AdminSite", request: Request) -> Response:
    """The palette's and the help's dialogs, with each model's list and create
    page the user may open and the names of the places the page's ``g``
    shortcuts lead to: fetched by the page's script, kept a few minutes
    by the browser (the pages they lead to check the user's rights again)."""
    found = palette_commands.model_commands(list(site.views), request)
    found += more_commands(site, request)
    go = gettext("Go to")
    places = {
        key: {"label": label, "section": go, "keywords": keywords}
        for key, (label, keywords) in palette_commands.place_names().items()
    }
    context = {"commands": palette_commands.as_json(found), "places": places}
    response: Response = await site.templates.TemplateResponse(
        request, DIALOGS_TEMPLATE, context
    )
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


def more_commands(
    site: "AdminSite", request: Request
) -> list[palette_commands.Command]:
    """The commands another feature adds for this user (none signed out)."""
    more: MoreCommands | None = getattr(site, _MORE, None)
    if more is None or getattr(request.state, "admin_user", None) is None:
        return []
    return [
        palette_commands.Command(*found) for found in more(list(site.views), request)
    ]


def dialogs_url(site: "AdminSite", request: Request) -> str:
    """Where a page fetches the dialogs: with a digest of the user's added
    commands, so that the browser's copy (kept five minutes) is not used
    once they change; the plain URL for a user without any."""
    url = str(request.url_for("admin:palette_dialogs"))
    more = more_commands(site, request)
    if not more:
        return url
    text = json.dumps(palette_commands.as_json(more))
    return f"{url}?v={hashlib.sha256(text.encode()).hexdigest()[:8]}"


def install(site: "AdminSite", more: MoreCommands | None = None) -> None:
    """The palette's routes, and its data for every page's template;
    ``more`` adds commands (the user's saved views)."""
    setattr(site, _MORE, more)
    site.admin.router.routes[:0] = [
        Route(
            "/palette/search",
            endpoint=MethodType(search_endpoint, site),
            name="palette_search",
        ),
        Route(
            "/palette/dialogs",
            endpoint=MethodType(dialogs_endpoint, site),
            name="palette_dialogs",
        ),
        Route("/palette", endpoint=MethodType(page_endpoint, site), name="palette"),
    ]
    site.templates.env.globals["palette"] = MethodType(page_palette, site)
    site.templates.env.globals["palette_dialogs_url"] = MethodType(dialogs_url, site)
