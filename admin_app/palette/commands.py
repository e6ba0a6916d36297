"""The palette's commands and the page's shortcut targets, for one request.

Commands are what the user may open: each model's list and create page (by
the same permissions as the menu and the routes), the dashboard, the audit
trail, their account, and on a row's page its history. The page carries only
its shortcut targets; the palette's dialogs bring the models' commands and
the places' names, and the script matches them as the user types;
:func:`matching` does the same for the page without it.

The shortcut targets (``n`` new, ``e`` edit, ``g`` then a letter) are the
URLs of the page's own model and row, when the user may use them.
"""

from dataclasses import asdict, dataclass
from typing import Any

from sqladmin import ModelView
from sqladmin.authorization import Action
from sqladmin.i18n import gettext
from starlette.requests import Request
from starlette.routing import NoMatchFound

from admin_app.audit.entries import AuditEntry


@dataclass(frozen=True)
class Command:
    """One thing to open: its words, its section and its URL."""

    label: str
    section: str
    url: str
    # What may be typed for it besides its label's words.
    keywords: str = ""


def _url(request: Request, name: str, **params: Any) -> str:
    try:
        return str(request.url_for(name, **params))
    except NoMatchFound:
        return ""


def _signed_in(request: Request) -> bool:
    return getattr(request.state, "admin_user", None) is not None


def model_commands(views: list[Any], request: Request) -> list[Command]:
    """Each model's list and create page the user may open."""
    go, new = gettext("Go to"), gettext("New")
    found: list[Command] = []
    for view in views:
        if not isinstance(view, ModelView):
            continue
        if not (view.is_visible(request) and view.is_accessible(request)):
            continue
        plural, name = str(view.name_plural), str(view.name)
        if view.has_permission(request, Action.LIST):
            url = _url(request, "admin:list", identity=view.identity)
            found.append(Command(plural, go, url, view.identity))
        if view.can_create and view.has_permission(request, Action.CREATE):
            url = _url(request, "admin:create", identity=view.identity)
            label = gettext("New %(name)s") % {"name": name}
            found.append(Command(label, new, url, f"create add {view.identity}"))
    return found


def audit_view(views: list[Any], request: Request) -> ModelView | None:
    """The audit trail's view, when the user may list it."""
    for view in views:
        if (
            isinstance(view, ModelView)
            and view.model is AuditEntry
            and view.is_accessible(request)
            and view.has_permission(request, Action.LIST)
        ):
            return view
    return None


def page_view(views: list[Any], request: Request) -> ModelView | None:
    """The model view of the page being drawn, if it is one's."""
    identity = request.path_params.get("identity")
    for view in views:
        if isinstance(view, ModelView) and view.identity == identity:
            return view if view.is_accessible(request) else None
    return None


def row_key(request: Request) -> str | None:
    """The key of the row the page shows (a details or edit page)."""
    pk = request.path_params.get("pk")
    return pk if isinstance(pk, str) and pk else None


def place_names() -> dict[str, tuple[str, str]]:
    """The places the ``g`` letters lead to, by shortcut, as the palette names
    them: a label, and keywords that find it."""
    return {
        "g d": (gettext("Dashboard"), "home index"),
        "g a": (gettext("Audit trail"), "history log"),
        "g u": (gettext("Your account"), "password profile user"),
        "g h": (gettext("History of this row"), "audit changes"),
    }


def place_commands(views: list[Any], request: Request) -> list[Command]:
    """The dashboard, the audit trail, the account, this row's history: the
    places this page's ``g`` shortcuts lead to (:func:`shortcut_targets`)."""
    targets = shortcut_targets(views, request)
    go = gettext("Go to")
    return [
        Command(label, go, targets[key], keywords)
        for key, (label, keywords) in place_names().items()
        if targets.get(key)
    ]


def commands_for(views: list[Any], request: Request) -> list[Command]:
    """Everything the user may run from the palette on this page."""
    if not _signed_in(request):
        return []
    return place_commands(views, request) + model_commands(views, request)


def shortcut_targets(views: list[Any], request: Request) -> dict[str, str]:
    """Where the single-key shortcuts lead from this page: ``new`` and
    ``edit`` (this model's, this row's), ``list`` (this model's), and the
    ``g`` letters."""
    if not _signed_in(request):
        return {}
    targets = {"g d": _url(request, "admin:index")}
    account = _url(request, "admin:account_password")
    if account:
        targets["g u"] = account
    trail = audit_view(views, request)
    if trail is not None:
        targets["g a"] = _url(request, "admin:list", identity=trail.identity)
    view, pk = page_view(views, request), row_key(request)
    if view is None:
        return targets
    if view.has_permission(request, Action.LIST):
        targets["g l"] = _url(request, "admin:list", identity=view.identity)
    if view.can_create and view.has_permission(request, Action.CREATE):
        targets["n"] = _url(request, "admin:create", identity=view.identity)
    if pk is not None:
        if view.can_edit and view.has_permission(request, Action.EDIT):
            targets["e"] = _url(request, "admin:edit", identity=view.identity, pk=pk)
        if view.has_permission(request, Action.DETAILS):
            history = _url(request, "admin:history", identity=view.identity, pk=pk)
            if history:
                targets["g h"] = history
    return targets


def words(text: str) -> list[str]:
    return text.casefold().replace("-", " ").replace("_", " ").split()


def matches(command: Command, term: str) -> bool:
    """Whether every word typed starts a word of the command's label, section
    or keywords (``new ord`` finds "New order")."""
    typed = words(term)
    if not typed:
        return True
    own = words(f"{command.label} {command.section} {command.keywords}")
    return all(any(word.startswith(part) for word in own) for part in typed)


def matching(commands: list[Command], term: str) -> list[Command]:
    """The commands ``term`` names: the label it is first, then those it
    starts (shorter first), then the others, each in the admin's order."""
    found = [command for command in commands if matches(command, term)]
    folded = term.casefold().strip()
    if not folded:
        return found

    def rank(command: Command) -> tuple[int, int]:
        label = command.label.casefold()
        if label == folded:
            return (0, 0)
        return (1, len(label)) if label.startswith(folded) else (2, 0)

    return sorted(found, key=rank)


def as_json(commands: list[Command]) -> list[dict[str, str]]:
    return [asdict(command) for command in commands]
