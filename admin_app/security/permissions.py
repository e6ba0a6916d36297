"""Who may do what: roles, per-model grants, and the authorization backend that
makes sqladmin's own checks (menu, buttons, every route) ask them.

A user has one :class:`~admin_app.auth.models.Role`. For each view (by its
identity, as in the admin's URLs) a :class:`~admin_app.auth.models.Grant` row
for that role says what the role may do; without one, the role's defaults
(:data:`ROLE_DEFAULTS`) apply. Every right needs ``view``: a user who may not
see a model's rows may do nothing else with them, and the model is gone from
the menu and answers 403 by URL.

admin_app's own tables (:data:`ADMIN_ONLY`) ignore grants: admins only, and
the audit trail read-only even for them.

The rights are read once per request, in :meth:`RoleAuthorization.load` (one
query, cached on ``request.state``), then every ``has_permission`` is a lookup.
"""

import enum
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import partial
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from sqladmin.authorization import Action, AuthorizationBackend
from sqladmin.helpers import slugify_class_name
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col
from starlette.requests import Request

from admin_app.audit.entries import AuditEntry
from admin_app.auth.models import AdminSession, AdminUser, Grant, LoginThrottle, Role
from admin_app.db import run_in_session

if TYPE_CHECKING:
    from sqladmin.application import BaseAdmin


class Right(enum.StrEnum):
    """What a grant allows on a model's rows."""

    view = "view"
    add = "add"
    change = "change"
    delete = "delete"
    export = "export"
    # Bringing rows in from a file (admin_app.imports): adds and changes many
    # rows at once, so a right of its own.
    import_ = "import"


@dataclass(frozen=True)
class Rights:
    """One role's rights on one view."""

    view: bool = False
    add: bool = False
    change: bool = False
    delete: bool = False
    export: bool = False
    import_: bool = False

    def allows(self, right: Right) -> bool:
        # Rights without view mean nothing: acting on rows one may not see
        # would leak them (a 403 or not says whether a key exists).
        return self.view and bool(getattr(self, right.name))

    @classmethod
    def of(cls, grant: Grant) -> "Rights":
        return cls(
            view=grant.can_view,
            add=grant.can_add,
            change=grant.can_change,
            delete=grant.can_delete,
            export=grant.can_export,
            import_=grant.can_import,
        )

    def __str__(self) -> str:
        names = (f.name.rstrip("_") for f in fields(self) if getattr(self, f.name))
        return ", ".join(names)


NOTHING = Rights()
EVERYTHING = Rights(
    view=True, add=True, change=True, delete=True, export=True, import_=True
)

# A role's rights on a view that has no grant row for it. Viewers read but do
# not export (a bulk copy is a right of its own, granted per model); editors
# add, change and export but do not delete, nor import (a file writes
# thousands of rows at once, past the care each form gets: granted per model);
# admins do everything.
ROLE_DEFAULTS: Mapping[Role, Rights] = MappingProxyType(
    {
        Role.viewer: Rights(view=True),
        Role.editor: Rights(view=True, add=True, change=True, export=True),
        Role.admin: EVERYTHING,
    }
)

# admin_app's own tables: admins only, whatever the grants say (an editor must
# never grant himself rights or read sessions). Sessions and throttle counters
# are made by logging in, not by hand: they can be looked at and deleted
# (a logout, an unlock). The audit trail is never written through the admin.
ADMIN_ONLY: Mapping[type[Any], Rights] = MappingProxyType(
    {
        AdminUser: EVERYTHING,
        Grant: EVERYTHING,
        AdminSession: Rights(view=True, delete=True),
        LoginThrottle: Rights(view=True, delete=True),
        AuditEntry: Rights(view=True, export=True),
    }
)

# sqladmin's action names, and the right each needs.
ACTION_RIGHTS: Mapping[str, Right] = MappingProxyType(
    {
        Action.LIST: Right.view,
        Action.DETAILS: Right.view,
        Action.CREATE: Right.add,
        Action.EDIT: Right.change,
        Action.DELETE: Right.delete,
        Action.EXPORT: Right.export,
        Action.IMPORT: Right.import_,
        **{right.value: right for right in Right},
    }
)
# A custom ``@action`` changes rows unless its view says otherwise in
# ``action_rights = {"slug": "view"}``.
CUSTOM_ACTION_RIGHT = Right.change
CUSTOM_ACTION_PREFIX = "action:"

STATE_ATTR = "admin_app_permissions"


@dataclass(frozen=True)
class Permissions:
    """What the current user may do, as read at the start of the request."""

    user_id: int | None
    role: Role | str
    # The role's grant rows, by view identity.
    granted: Mapping[str, Rights]

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    def rights(self, identity: str, admin_only: Rights | None = None) -> Rights:
        """The rights on the view ``identity``; ``admin_only`` are the fixed
        rights of an admin-only view (grants do not apply to it)."""
        if admin_only is not None:
            return admin_only if self.is_admin else NOTHING
        granted = self.granted.get(identity)
        if granted is not None:
            return granted
        # An unknown stored role (read as text) gets nothing.
        return ROLE_DEFAULTS.get(self.role, NOTHING)  # type: ignore[arg-type]


def read_grants(session: Session, role: Role) -> dict[str, Rights]:
    """The grant rows of ``role``, by view identity: one query."""
    rows = session.scalars(select(Grant).where(col(Grant.role) == role))
    return {grant.model: Rights.of(grant) for grant in rows}


def current(request: Request) -> Permissions | None:
    """The permissions :meth:`RoleAuthorization.load` read for this request."""
    found = getattr(request.state, STATE_ATTR, None)
    return found if isinstance(found, Permissions) else None


def admin_only_rights(view: Any) -> Rights | None:
    """A view's fixed admin-only rights: those of admin_app's own tables, or
    everything for a view that sets ``admin_only = True``; None otherwise."""
    fixed = ADMIN_ONLY.get(getattr(view, "model", None))  # type: ignore[arg-type]
    if fixed is not None:
        return fixed
    return EVERYTHING if getattr(view, "admin_only", False) is True else None


def is_admin_only(view: Any) -> bool:
    return admin_only_rights(view) is not None


def right_for(view: Any, action: str) -> Right | None:
    """The right sqladmin's ``action`` on ``view`` needs; None for an action
    name nobody declared (refused)."""
    if action.startswith(CUSTOM_ACTION_PREFIX):
        slug = action.removeprefix(CUSTOM_ACTION_PREFIX)
        declared = (getattr(view, "action_rights", None) or {}).get(slug)
        if declared is None:
            return CUSTOM_ACTION_RIGHT
        return Right(declared) if declared in Right._value2member_map_ else None
    return ACTION_RIGHTS.get(action)


class RoleAuthorization(AuthorizationBackend):
    """sqladmin's authorization backend over roles and grants.

    Needs ``request.state.admin_user`` (set by
    :class:`~admin_app.auth.backend.AdminAuthBackend`); without it, or before
    :meth:`load` ran, everything is refused.
    """

    def __init__(self) -> None:
        self._admin: BaseAdmin | None = None

    def setup(self, admin: "BaseAdmin") -> None:
        self._admin = admin

    async def load(self, request: Request) -> None:
        user = getattr(request.state, "admin_user", None)
        if not isinstance(user, AdminUser) or self._admin is None:
            setattr(request.state, STATE_ATTR, None)
            return
        found = current(request)
        if found is not None and (found.user_id, found.role) == (user.id, user.role):
            return  # a second login_required in the same request
        role = user.role
        granted: dict[str, Rights] = {}
        preloaded = getattr(request.state, "admin_preloaded", None)
        if isinstance(preloaded, dict):
            granted = preloaded  # read with the user (auth.backend.preload)
        elif isinstance(role, Role):
            maker: Any = self._admin.session_maker
            granted = await run_in_session(maker, partial(read_grants, role=role))
        setattr(request.state, STATE_ATTR, Permissions(user.id, role, granted))

    def view_of(self, identity: str) -> Any:
        """The registered view (model or custom page) called ``identity``."""
        for view in self._admin.views if self._admin is not None else ():
            if view.identity == identity:
                return view
        return None

    def rights(self, request: Request, identity: str, view: Any = None) -> Rights:
        """The current user's rights on the view ``identity`` (``view``, when
        the caller has it)."""
        permissions = current(request)
        if permissions is None:
            return NOTHING
        view = view if view is not None else self.view_of(identity)
        return permissions.rights(identity, admin_only_rights(view))

    def has_permission(
        self, request: Request, identity: str, action: str, obj: Any | None = None
    ) -> bool:
        view = self.view_of(identity)
        right = right_for(view, str(action))
        return right is not None and self.rights(request, identity, view).allows(right)

    def may_view_model(self, request: Request, model: type[Any]) -> bool:
        """Whether the user may see rows of ``model``: through its view, or, for
        a model the admin has no view of, by the rules of the view it would have."""
        for view in self._admin.views if self._admin is not None else ():
            if getattr(view, "model", None) is model:
                return self.has_permission(request, view.identity, Action.LIST)
        permissions = current(request)
        if permissions is None:
            return False
        identity = slugify_class_name(model.__name__)
        return permissions.rights(identity, ADMIN_ONLY.get(model)).allows(Right.view)


def backend_of(admin: Any) -> RoleAuthorization | None:
    found = getattr(admin, "authorization_backend", None)
    return found if isinstance(found, RoleAuthorization) else None


def may_view_model(admin: Any, request: Request, model: type[Any]) -> bool:
    """Whether the current user may see ``model``'s rows (a picker's target).

    Without our backend (an admin configured with another), sqladmin's own
    checks of the model's view decide."""
    backend = backend_of(admin)
    if backend is not None:
        return backend.may_view_model(request, model)
    for view in getattr(admin, "views", ()):
        if getattr(view, "model", None) is model:
            return bool(view.is_accessible(request))
    return True
