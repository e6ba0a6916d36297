"""The active filters (and the search) as chips above the table, each a link
to the same list without it; and the link that clears them all."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqladmin import ModelView
from sqladmin.filters import BooleanFilter, StaticValuesFilter
from sqladmin.i18n import gettext
from starlette.datastructures import URL, QueryParams
from starlette.requests import Request

from admin_app.lists.filters import OP, Chip, ParamFilter
from admin_app.lists.pagination import PAGING_PARAMS

# Dropped with any filter: a changed list starts at page 1 (and messages
# travel in the session, not the URL).
_RESTART = frozenset({*PAGING_PARAMS, "page", "error", "count"})


@dataclass(frozen=True)
class ChipLink:
    text: str
    href: str


def without(url: URL, params: QueryParams, drops: Any) -> str:
    """``url`` without the ``(name, value)`` pairs ``drops`` names (a value
    of None: every value of that name), back at page 1."""
    names = {name for name, value in drops if value is None}
    pairs = {(name, value) for name, value in drops if value is not None}
    kept = [
        (name, value)
        for name, value in params.multi_items()
        if name not in names and (name, value) not in pairs and name not in _RESTART
    ]
    return str(url.replace(query=urlencode(kept)))


def chip_links(
    view: ModelView,
    request: Request,
    labels: Mapping[str, Mapping[str, str]],
    dropped: set[str],
) -> list[ChipLink]:
    """A chip per active filter value (not the ``dropped`` filters), and one
    for the search."""
    params, url = request.query_params, request.url
    chips: list[Chip] = []
    for found in view.get_filters():
        name = str(found.parameter_name)
        if name in dropped:
            continue
        if isinstance(found, ParamFilter):
            chips += found.chips(view, params, labels.get(name))
        elif params.get(name, "") not in ("", "__all", "all"):
            chips.append(_sqladmin_chip(found, params))
    term = params.get("search", "").strip()
    if term:
        said = gettext("Search: %(term)s") % {"term": term}
        chips.append(Chip(said, (("search", None), ("match", None))))
    return [ChipLink(chip.text, without(url, params, chip.drops)) for chip in chips]


def _sqladmin_chip(found: Any, params: QueryParams) -> Chip:
    name = str(found.parameter_name)
    value = params[name]
    shown = value
    if isinstance(found, BooleanFilter):
        shown = gettext("Yes") if value == "true" else gettext("No")
    elif isinstance(found, StaticValuesFilter):
        shown = {str(k): str(v) for k, v in found.values}.get(value, value)
    elif params.get(name + OP):
        shown = f"{params[name + OP]} {value}"
    return Chip(f"{found.title}: {shown}", ((name, None), (name + OP, None)))


def clear_all(view: ModelView, request: Request) -> str:
    """The list without any filter or search (its sort and page size kept)."""
    drops: list[tuple[str, str | None]] = [("search", None), ("match", None)]
    for found in view.get_filters():
        names = (
            found.parameters()
            if isinstance(found, ParamFilter)
            else {found.parameter_name, f"{found.parameter_name}{OP}"}
        )
        drops += [(str(name), None) for name in names]
    return without(request.url, request.query_params, drops)
