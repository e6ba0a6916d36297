"""The trail above every page's title: Home, the model's list, the row,
what is done to it. Built from the route that answered and the page's own
context (its view, its row), so no page has to say it."""

from dataclasses import dataclass
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from sqladmin.helpers import get_object_identifier
from sqladmin.i18n import gettext
from starlette.requests import Request

from admin_app.labels import row_label


@dataclass(frozen=True)
class Crumb:
    """One step; the last (the page itself) has no link."""

    text: str
    url: str | None = None


# A model page's route name → the last step's text (the row's own pages end
# with the row, linked to its details when the step below it is shown).
_STEPS = {
    "create": "New",
    "edit": "Edit",
    "history": "History",
    "delete": "Delete",
    "export": "Export",
    "saved_views": "Saved views",
}
_ROW_PAGES = ("details", "edit", "history")
_ACCOUNT = {"account_password": "Password", "account_time_zone": "Time zone"}


def route_name(request: Request) -> str:
    """The name of the admin route that answered (``list``, ``details``, …);
    "" for none (a page not found)."""
    route = request.scope.get("route")
    name = getattr(route, "name", None)
    return name if isinstance(name, str) else ""


def _step(name: str, values: dict[str, Any]) -> str:
    if name.startswith("action-"):
        # A custom action's confirmation: the action's own label.
        return str(values.get("label") or gettext("Action"))
    return gettext(_STEPS[name]) if name in _STEPS else ""


def _custom_view(name: str, values: dict[str, Any]) -> Any:
    """The custom page (a sqladmin ``BaseView``) whose route is ``name``."""
    for view in getattr(values.get("admin"), "views", ()):
        if getattr(view, "is_model", True):
            continue
        own = f"view-{view.identity}"
        if name == own or name.startswith(own + "-"):
            return view
    return None


def _row(values: dict[str, Any]) -> Any:
    for key in ("obj", "model", "row"):
        found = values.get(key)
        if found is not None and not isinstance(found, type):
            return found
    return None


def _row_crumb(view: Any, request: Request, values: dict[str, Any]) -> Crumb | None:
    """The row a page is about, named by its label, linked to its details."""
    row = _row(values)
    pk = request.path_params.get("pk")
    if row is not None:
        text = row_label(row)
        pk = get_object_identifier(row)
    elif pk is not None:
        text = str(values.get("row_label") or pk)
    else:
        return None
    url = None
    if view.can_view_details:
        url = str(request.url_for("admin:details", identity=view.identity, pk=pk))
    return Crumb(text, url)


def trail(request: Request, values: dict[str, Any]) -> list[Crumb]:
    """The breadcrumbs of the page drawn with ``values`` for ``request``."""
    home = Crumb(gettext("Home"), str(request.url_for("admin:index")))
    name = route_name(request)
    if name == "index":
        return [Crumb(home.text)]
    view = values.get("model_view")
    crumbs = [home]
    if name in _ACCOUNT:
        account = request.url_for("admin:account_password")
        crumbs.append(Crumb(gettext("Your account"), str(account)))
        crumbs.append(Crumb(gettext(_ACCOUNT[name])))
    elif view is not None and getattr(view, "is_model", False):
        name_plural = str(view.name_plural)
        crumbs.append(
            Crumb(
                name_plural, str(request.url_for("admin:list", identity=view.identity))
            )
        )
        if name in _ROW_PAGES:
            row = _row_crumb(view, request, values)
            if row is not None:
                crumbs.append(row)
        step = _step(name, values)
        if step:
            crumbs.append(Crumb(step))
    elif "status_code" in values:
        crumbs.append(
            Crumb(gettext("Error %(code)s") % {"code": values["status_code"]})
        )
    elif (custom := _custom_view(name, values)) is not None:
        crumbs.append(Crumb(str(custom.name)))
    elif values.get("title"):
        crumbs.append(Crumb(str(values["title"])))
    # The page itself: not a link.
    last = crumbs[-1]
    crumbs[-1] = Crumb(last.text)
    return crumbs


@pass_context
def breadcrumbs(context: Context) -> list[Crumb]:
    """:func:`trail` for the template being drawn (a Jinja global)."""
    values = context.get_all()
    request = values.get("request")
    if not isinstance(request, Request):
        return []
    return trail(request, values)
