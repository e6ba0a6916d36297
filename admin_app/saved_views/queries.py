"""A saved view's query string: what of a list's URL it keeps, checked by the
list's own rules when saved, and cleaned of what no longer exists when opened.

It keeps what selects, orders and shows the rows (filters, search, sort, page
size, columns), not where the user was (paging, an exact count, messages).
The columns are kept as one ``columns=a,b`` and the parameters sorted by
name, so one list has one spelling and the page can tell which saved view it
is showing (:func:`canonical`)."""

from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode

from sqladmin import ModelView
from sqladmin.i18n import gettext
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request

from admin_app.lists.columns import COLUMNS, asked_columns
from admin_app.lists.counting import EXACT_PARAM
from admin_app.lists.pagination import PAGING_PARAMS
from admin_app.lists.params import check_list_params, filter_problems, usable_params
from admin_app.saved_views.models import QUERY_LENGTH

# Not part of a view: where in the list one was, and how the page was asked.
NOT_SAVED = frozenset({*PAGING_PARAMS, EXACT_PARAM, "error", "lang", "view"})


class QueryRefused(ValueError):
    """A list's query that is not one a saved view may hold; ``args[0]`` says why."""


def items_of(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query, keep_blank_values=True)


def canonical(items: Sequence[tuple[str, str]]) -> str:
    """The query string a view saves for these list parameters."""
    kept = [(name, value) for name, value in items if name not in NOT_SAVED]
    columns = asked_columns(QueryParams(kept))
    kept = [(name, value) for name, value in kept if name != COLUMNS and value != ""]
    if columns:
        kept.append((COLUMNS, ",".join(columns)))
    kept.sort(key=lambda item: item[0])  # stable: repeated values keep their order
    return urlencode(kept)


def as_request(request: Request, query: str) -> Request:
    """``request`` asking for ``query`` instead of its own (same session,
    user and state)."""
    return Request({**request.scope, "query_string": query.encode()}, request.receive)


def checked(view: ModelView, request: Request, query: str) -> str:
    """``query`` as saved: canonical, and one the list shows as asked.
    Raises :class:`QueryRefused` otherwise."""
    saved = canonical(items_of(query))
    if len(saved) > QUERY_LENGTH:
        raise QueryRefused(gettext("This list's filters are too long to save."))
    asked = as_request(request, saved)
    try:
        check_list_params(view, asked)
    except HTTPException as refused:
        raise QueryRefused(str(refused.detail)) from None
    problems = filter_problems(view, asked)
    if problems:
        raise QueryRefused(problems[0].message)
    return saved


def usable(view: ModelView, query: str) -> tuple[str, list[str]]:
    """A saved ``query`` without what the view no longer has, and a message
    for each thing dropped."""
    kept, dropped = usable_params(view, items_of(query))
    messages = [
        gettext(
            "This saved view's “%(name)s” no longer exists: the list is shown "
            "without it."
        )
        % {"name": name[:80]}
        for name in dropped
    ]
    return urlencode(kept), messages
