"""The sidebar: the registered views the user may open, in groups.

The user's groups come first, in the order their first view was registered;
the administration group (admin_app's own tables) comes last. A view's
``category`` and ``icon`` win; views that leave them unset (a plain
``ModelView``, a custom page) get the ones their name and module suggest.
A group none of whose views the user may open is not drawn: the
administration group is absent for everyone but admins. Under a model, the
user's saved views of it (their own, then the shared ones), read with the
user: nothing for a user who has none.
"""

from dataclasses import dataclass, field
from typing import Any

from sqladmin.i18n import gettext
from starlette.datastructures import URL
from starlette.requests import Request

from admin_app.navigation.naming import ADMINISTRATION, icon_for, module_category
from admin_app.saved_views.opening import ViewLink, links_by_model


@dataclass(frozen=True)
class Link:
    """One view in the sidebar."""

    identity: str
    name: str
    url: str
    icon: str | None
    current: bool
    # The user's saved views of the model, drawn under it.
    views: tuple[ViewLink, ...] = ()


@dataclass
class Group:
    """A heading and the views under it."""

    name: str
    links: list[Link] = field(default_factory=list)

    @property
    def is_administration(self) -> bool:
        return self.name == ADMINISTRATION

    @property
    def title(self) -> str:
        """The heading as read: the administration group's translated."""
        return gettext(ADMINISTRATION) if self.is_administration else self.name

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


def view_category(view: Any) -> str:
    """The group ``view`` is drawn in."""
    category = getattr(view, "category", None)
    if isinstance(category, str) and category:
        return category
    model = getattr(view, "model", None)
    return module_category((model or type(view)).__module__)


def view_icon(view: Any) -> str | None:
    """The view's icon; for a view without an ``infer_icon`` hook (a plain
    ``ModelView``, a custom page) that leaves it unset, the one its name
    suggests. An ``AutoModelView``'s hook has had its say already."""
    icon = getattr(view, "icon", None)
    if (isinstance(icon, str) and icon) or hasattr(view, "infer_icon"):
        return icon or None
    model = getattr(view, "model", None)
    return icon_for(model.__name__ if model is not None else type(view).__name__)


def _url(view: Any, request: Request) -> str:
    if view.is_model:
        return str(request.url_for("admin:list", identity=view.identity))
    return str(request.url_for(f"admin:view-{view.identity}"))


def _is_current(view: Any, url: str, request: Request) -> bool:
    if view.is_model:
        return bool(view.identity == request.path_params.get("identity"))
    return request.url.path.rstrip("/") == URL(url).path.rstrip("/")


def _name(view: Any) -> str:
    return str(getattr(view, "name_plural", None) or view.name)


def sidebar(admin: Any, request: Request) -> list[Group]:
    """The groups of views the current user may open, for this page."""
    groups: dict[str, Group] = {}
    registered = list(getattr(admin, "views", ()))
    saved = links_by_model(registered, request)
    for view in registered:
        if not (view.is_visible(request) and view.is_accessible(request)):
            continue
        url = _url(view, request)
        name = view_category(view)
        group = groups.setdefault(name, Group(name))
        group.links.append(
            Link(
                identity=view.identity,
                name=_name(view),
                url=url,
                icon=view_icon(view),
                current=_is_current(view, url, request),
                views=tuple(saved.get(view.identity, ())) if view.is_model else (),
            )
        )
    ordered = sorted(groups.values(), key=lambda group: group.is_administration)
    return ordered
