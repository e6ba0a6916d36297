"""The trash of a soft-deleting view (its ``soft_delete_column``, see
:mod:`admin_app.deletion.soft`): its list, count and export leave trashed rows
out, and ``?trash=1`` shows only them.

Read by behaviour (the view's attribute), so lists import no other feature."""

from typing import Any

from sqlalchemy import Select
from starlette.datastructures import URL
from starlette.requests import Request

# The list parameter that shows the trash, and its one value.
TRASH_PARAM = "trash"
TRASH_ON = "1"


def trash_column(view: Any) -> Any | None:
    """The view's soft-delete column (an attribute of its model), or None."""
    name = getattr(view, "soft_delete_column", None)
    return getattr(view.model, name) if name else None


def wants_trash(view: Any, request: Request) -> bool:
    return (
        trash_column(view) is not None
        and request.query_params.get(TRASH_PARAM) == TRASH_ON
    )


def trash_params(view: Any) -> frozenset[str]:
    """The list parameters the trash adds to ``view``'s (none without one)."""
    return frozenset({TRASH_PARAM}) if trash_column(view) is not None else frozenset()


def scoped(view: Any, request: Request, stmt: Select[Any]) -> Select[Any]:
    """``stmt`` without trashed rows, or (``?trash=1``) with only them."""
    column = trash_column(view)
    if column is None:
        return stmt
    if wants_trash(view, request):
        return stmt.where(column.is_not(None))
    return stmt.where(column.is_(None))


def trash_links(view: Any, request: Request) -> dict[str, Any] | None:
    """For the list's header: whether it shows the trash, and the link to the
    other side; None for a view without a trash."""
    if trash_column(view) is None:
        return None
    url = URL(str(request.url_for("admin:list", identity=view.identity)))
    showing = wants_trash(view, request)
    return {
        "showing": showing,
        "url": str(url if showing else url.include_query_params(trash=TRASH_ON)),
    }
