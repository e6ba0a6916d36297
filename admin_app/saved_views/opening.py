"""Opening a saved view, and what pages show of the user's views.

``/admin/<model>/list?view=<id>`` is the list itself, asked for the view's
parameters in the same request (no redirect): the site's list route swaps
the request's query for the view's (:func:`opened_request`), so opening a
view costs what its list costs. The view was read with the user
(:mod:`.store`); what it names that the list no longer has is left out, with
a message above the list. ``view`` must come alone: the page's own links
carry the view's parameters, not the view.
"""

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqladmin import ModelView
from sqladmin.authorization import Action
from sqladmin.i18n import gettext
from starlette import status
from starlette.exceptions import HTTPException
from starlette.requests import Request

from admin_app.db import run_in_session
from admin_app.saved_views import store
from admin_app.saved_views.queries import as_request, canonical, usable
from admin_app.security.permissions import current

VIEW = "view"
_KEY = re.compile(r"[1-9][0-9]{0,17}")
# What may come with ``view``: the language switcher's parameter.
_BESIDE = frozenset({VIEW, "lang"})


def may_list(view: Any, request: Request) -> bool:
    """Whether the user may see the rows of ``view`` (a model view)."""
    return bool(
        isinstance(view, ModelView)
        and view.is_accessible(request)
        and view.has_permission(request, Action.LIST)
    )


def is_admin(request: Request) -> bool:
    found = current(request)
    return found is not None and found.is_admin


def user_id(request: Request) -> int | None:
    user = getattr(request.state, "admin_user", None)
    found = getattr(user, "id", None)
    return found if isinstance(found, int) else None


async def find(view: ModelView, request: Request, given: str) -> store.Saved:
    """The saved view ``given`` names for this list: 404 for a key that is
    not one, another model's view, or someone else's private view."""
    if not _KEY.fullmatch(given):  # one spelling per view: str(int)
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    wanted = int(given)
    found = next((s for s in store.preloaded(request) if s.id == wanted), None)
    uid = user_id(request)
    if found is None and uid is not None:
        # Beyond what the page read with the user: by its key.
        def read(session: Any) -> store.Saved | None:
            return store.read_one(session, uid, wanted)

        found = await run_in_session(view.session_maker, read)
    if found is None or found.model != view.identity:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return found


async def opened_request(
    view: ModelView, request: Request
) -> tuple[Request, list[str]]:
    """``request`` asking for the saved view its ``view`` names (else itself),
    and a message for each thing the view names that the list lost."""
    params = request.query_params
    if VIEW not in params:
        return request, []
    if any(name not in _BESIDE for name in params) or len(params.getlist(VIEW)) > 1:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            "The list parameter 'view' comes alone: a saved view holds the rest.",
        )
    if not may_list(view, request):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    saved = await find(view, request, params[VIEW])
    query, messages = usable(view, saved.query)
    if "lang" in params:
        language = urlencode({"lang": params["lang"]})
        query = "&".join(part for part in (query, language) if part)
    return as_request(request, query), messages


@dataclass(frozen=True)
class ViewLink:
    """A saved view as a link: the sidebar's and the palette's."""

    id: int
    name: str
    url: str
    shared: bool
    mine: bool
    current: bool


def links_by_model(views: list[Any], request: Request) -> dict[str, list[ViewLink]]:
    """The user's saved views of each model they may list, by the model's
    identity: their own first, then the shared ones, each by name. The one
    the page is showing is ``current``."""
    saved = store.preloaded(request)
    if not saved:
        return {}
    listed = {view.identity: view for view in views if may_list(view, request)}
    uid = user_id(request)
    here = _shown_query(request)
    found: dict[str, list[ViewLink]] = {}
    for item in sorted(saved, key=lambda s: (s.owner_id != uid, s.name.casefold())):
        view = listed.get(item.model)
        if view is None:
            continue
        url = str(request.url_for("admin:list", identity=item.model))
        found.setdefault(item.model, []).append(
            ViewLink(
                item.id,
                item.name,
                f"{url}?{VIEW}={item.id}",
                item.shared,
                item.owner_id == uid,
                here is not None and here == (item.model, item.query),
            )
        )
    _one_current(found)
    return found


def _one_current(found: dict[str, list[ViewLink]]) -> None:
    """Where two views hold the same list, the first (the user's own) is it."""
    for model, links in found.items():
        seen = False
        fixed: list[ViewLink] = []
        for link in links:
            if link.current and seen:
                link = ViewLink(
                    link.id, link.name, link.url, link.shared, link.mine, False
                )
            seen = seen or link.current
            fixed.append(link)
        found[model] = fixed


def _shown_query(request: Request) -> tuple[str, str] | None:
    """The list this page shows, as (model, saved query); None off a list."""
    route = request.scope.get("route")
    if getattr(route, "name", None) != "list":
        return None
    identity = request.path_params.get("identity")
    if not isinstance(identity, str):
        return None
    return identity, canonical(request.query_params.multi_items())


def palette_commands(
    views: list[Any], request: Request
) -> list[tuple[str, str, str, str]]:
    """The user's saved views as the palette's commands: (label, section,
    URL, keywords), the label "Orders: Late ones"."""
    section = gettext("Saved views")
    names = {
        view.identity: str(view.name_plural)
        for view in views
        if isinstance(view, ModelView)
    }
    return [
        (f"{names[model]}: {link.name}", section, link.url, f"view {model}")
        for model, links in links_by_model(views, request).items()
        for link in links
    ]
