"""Choosing a list's columns: which of the view's ``column_list`` show, in
which order, carried by the list's URL as ``columns=a,b,c``.

The parameter may also come several times (``columns=a&columns=b``): that is
what the chooser's checkboxes send without JavaScript, in the order they are
drawn. A name the view does not list, or one given twice, is a 400 like any
other parameter no page produces; a saved view that names a column the view
no longer has drops it and says so (:func:`known_columns`).

Without the parameter the list shows the view's own columns. The chosen
columns decide what a page reads too: a relation not shown is not loaded.
They do not apply to exports, which keep the view's ``column_export_list``
(README, "Choosing columns").
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqladmin import ModelView
from sqladmin.i18n import gettext
from starlette.datastructures import URL, QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request

from admin_app.lists.pagination import PAGING_PARAMS
from admin_app.lists.trash import wants_trash

COLUMNS = "columns"
_SEPARATOR = ","
_STATE_KEY = "admin_app_columns"


def can_choose(view: ModelView) -> bool:
    """Whether the view lets people choose its list's columns (the
    ``can_choose_columns`` option, on unless a view turns it off)."""
    return bool(getattr(view, "can_choose_columns", True))


def asked_columns(params: QueryParams) -> list[str]:
    """The names ``columns`` gives, in order, as typed."""
    names: list[str] = []
    for value in params.getlist(COLUMNS):
        names += [part.strip() for part in value.split(_SEPARATOR) if part.strip()]
    return names


def known_columns(view: ModelView, names: Sequence[str]) -> tuple[list[str], list[str]]:
    """``names`` split into those the view lists (each once, in order) and
    the others."""
    listed = set(view._list_prop_names)
    kept: list[str] = []
    unknown: list[str] = []
    for name in names:
        if name in listed and name not in kept:
            kept.append(name)
        elif name not in listed:
            unknown.append(name)
    return kept, unknown


def check_columns(view: ModelView, params: QueryParams) -> None:
    """400 unless ``columns`` names only the view's list columns, each once."""
    names = asked_columns(params)
    if not names:
        return
    if not can_choose(view):
        raise HTTPException(400, "This list's columns cannot be chosen.")
    kept, unknown = known_columns(view, names)
    if unknown:
        raise HTTPException(400, f"Unknown list column {unknown[0][:80]!r}.")
    if len(kept) != len(names):
        raise HTTPException(400, "A list column is given more than once.")


def shown_columns(view: ModelView, request: Request) -> list[str]:
    """The columns this list page shows, in order: those ``columns`` names
    (checked by :func:`check_columns` already), else the view's own."""
    cached = request.scope.get(_STATE_KEY)
    if isinstance(cached, tuple) and cached[0] is view:
        return list(cached[1])
    names = asked_columns(request.query_params) if can_choose(view) else []
    shown = known_columns(view, names)[0] or default_columns(view, request)
    request.scope[_STATE_KEY] = (view, tuple(shown))
    return shown


def default_columns(view: ModelView, request: Request) -> list[str]:
    """The view's own columns; a soft-deleting view's stamp only in its trash,
    where it says when each row went (elsewhere it is always empty)."""
    names = list(view._list_prop_names)
    stamp = getattr(view, "soft_delete_column", None)
    if stamp in names and not wants_trash(view, request):
        names.remove(stamp)
    return names


@dataclass(frozen=True)
class ColumnChoice:
    """One column in the chooser: shown or not, and the links that move it."""

    name: str
    label: str
    shown: bool
    up_url: str = ""
    down_url: str = ""


@dataclass(frozen=True)
class Chooser:
    """What the chooser draws: every column, the shown ones first in their
    order; the list's other parameters, kept by its form; the reset link."""

    choices: list[ColumnChoice]
    kept: list[tuple[str, str]]
    reset_url: str
    chosen: bool


# What choosing columns leaves out of the list's URL: its paging starts anew.
_NOT_KEPT = (COLUMNS, *PAGING_PARAMS, "error")


def column_chooser(view: ModelView, request: Request) -> Chooser | None:
    """The chooser of this list page, or None when its columns are fixed."""
    if not can_choose(view):
        return None
    shown = shown_columns(view, request)
    others = [name for name in view._list_prop_names if name not in shown]
    base = request.url.remove_query_params(_NOT_KEPT)
    labels: dict[str, Any] = view._column_labels
    choices: list[ColumnChoice] = []
    for index, name in enumerate(shown):
        up = down = ""
        if index > 0:
            up = _with_columns(base, _swap(shown, index - 1, index))
        if index < len(shown) - 1:
            down = _with_columns(base, _swap(shown, index, index + 1))
        label = str(labels.get(name, name))
        choices.append(ColumnChoice(name, label, True, up, down))
    choices += [
        ColumnChoice(name, str(labels.get(name, name)), False) for name in others
    ]
    kept = [
        (name, value)
        for name, value in request.query_params.multi_items()
        if name not in _NOT_KEPT
    ]
    chosen = COLUMNS in request.query_params
    return Chooser(choices, kept, str(base), chosen)


def _swap(names: list[str], first: int, second: int) -> list[str]:
    swapped = list(names)
    swapped[first], swapped[second] = swapped[second], swapped[first]
    return swapped


def _with_columns(base: URL, names: list[str]) -> str:
    """The list with ``names`` shown, as a link relative to the list's own
    path (a chooser holds two per column)."""
    moved = base.include_query_params(**{COLUMNS: _SEPARATOR.join(names)})
    # A comma means the same escaped or not, and reads better unescaped.
    return "?" + moved.query.replace("%2C", _SEPARATOR)


def dropped_message(names: Sequence[str]) -> str:
    """What a saved view says of the columns it named that are gone."""
    return gettext(
        "This view's columns %(names)s no longer exist: the list is shown without them."
    ) % {"names": ", ".join(f"“{name[:80]}”" for name in names)}
