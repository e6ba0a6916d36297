"""The admin pages of admin_app's own users and grants (admins only: see
:mod:`admin_app.security.permissions`).

A user's password is set through the "set new password" input of the marked
``password_hash`` column (hashed by :func:`admin_app.auth.users.hash_new_password`,
never shown); a new password or a deactivation ends the user's sessions in the
same transaction (:mod:`admin_app.auth.models`), a new role counts from the
user's next request (the user is read on every request).
"""

from typing import Any

from sqladmin import ModelView
from sqlalchemy import inspect as sa_inspect
from starlette.requests import Request
from wtforms import Form, SelectField, validators

from admin_app.auth.models import AdminUser, Grant, Role
from admin_app.auth.users import UserError, check_username
from admin_app.forms.errors import FormErrors
from admin_app.forms.planning import FormPlan
from admin_app.security.permissions import is_admin_only
from admin_app.views.inferred import AutoModelView


def current_user_id(request: Request) -> int | None:
    user = getattr(request.state, "admin_user", None)
    return user.id if isinstance(user, AdminUser) else None


class AdminUserAdmin(AutoModelView, model=AdminUser):
    """Admin users: create (username, role, password), reset a password,
    deactivate, set the role. Nobody demotes, deactivates or deletes their
    own account here: the admin doing it would be locked out, maybe the last."""

    name = "Admin user"
    name_plural = "Admin users"
    icon = "fa-solid fa-user-shield"
    column_list = ["username", "role", "is_active", "last_login", "created_at"]
    column_details_list = [
        "id",
        "username",
        "role",
        "is_active",
        "created_at",
        "last_login",
    ]
    column_export_list = column_details_list
    # The password input is added by the hasher the column is marked with.
    form_columns = ["username", "role", "is_active"]
    column_searchable_list = ["username"]
    column_sortable_list = ["username", "role", "is_active", "last_login", "created_at"]
    column_default_sort = [("username", False)]
    column_labels = {"is_active": "Active", "last_login": "Last login"}

    async def check_can_delete(self, request: Request, model: Any) -> bool:
        if model is not None and getattr(model, "id", None) == current_user_id(request):
            return False
        return await super().check_can_delete(request, model)

    async def on_model_change(
        self, data: dict[str, Any], model: Any, is_created: bool, request: Request
    ) -> None:
        """Usernames as the CLI takes them; no locking oneself out."""
        errors = FormErrors()
        if "username" in data:
            try:
                model.username = check_username(str(data["username"]))
            except UserError as exc:
                errors.add("username", str(exc).capitalize() + ".")
        if not is_created and model.id == current_user_id(request):
            if model.role != Role.admin and _changed(model, "role"):
                errors.add("role", "You cannot take the admin role from yourself.")
            if not model.is_active:
                errors.add("is_active", "You cannot deactivate yourself.")
        if errors:
            raise errors
        await super().on_model_change(data, model, is_created, request)


def _changed(row: Any, attribute: str) -> bool:
    return bool(sa_inspect(row).attrs[attribute].history.has_changes())


def grant_targets(admin: Any) -> list[tuple[str, str]]:
    """The views grants can be about, as (identity, label) choices: every view
    but admin_app's own, which are admin-only whatever a grant says."""
    choices: list[tuple[str, str]] = []
    for view in getattr(admin, "views", ()):
        if not view.identity or is_admin_only(view):
            continue
        label = view.name_plural if isinstance(view, ModelView) else view.name
        choices.append((view.identity, f"{label} ({view.identity})"))
    return choices


class GrantAdmin(AutoModelView, model=Grant):
    """What a role may do with one view's rows; without a row, the role's
    defaults apply (see :data:`admin_app.security.permissions.ROLE_DEFAULTS`)."""

    name = "Grant"
    name_plural = "Grants"
    icon = "fa-solid fa-key"
    column_list = [
        "role",
        "model",
        "can_view",
        "can_add",
        "can_change",
        "can_delete",
        "can_export",
        "can_import",
    ]
    column_details_list = ["id", *column_list]
    column_export_list = column_details_list
    form_columns = column_list
    column_searchable_list = ["model"]
    column_sortable_list = ["role", "model"]
    column_default_sort = [("model", False), ("role", False)]
    column_labels = {
        "model": "View",
        "can_view": "View",
        "can_add": "Add",
        "can_change": "Change",
        "can_delete": "Delete",
        "can_export": "Export",
        "can_import": "Import",
    }
    form_args = {
        "model": {
            "label": "View",
            "description": "The admin page (model) this grant is about.",
        },
        "can_view": {"label": "May view", "description": "Needed for every right."},
        "can_add": {"label": "May add"},
        "can_change": {"label": "May change"},
        "can_delete": {"label": "May delete"},
        "can_export": {"label": "May export"},
        "can_import": {
            "label": "May import",
            "description": "Create and update rows from a file.",
        },
    }

    async def form_class_for(self, plan: FormPlan) -> type[Form]:
        """The form, with the view as a select of the registered views (known
        only once every view is added, so made on first use)."""
        classes: dict[str, type[Form]] = self.__dict__.setdefault("_grant_forms", {})
        if plan.mode not in classes:
            base = await super().form_class_for(plan)
            model = SelectField(
                "View",
                choices=[("", "—"), *grant_targets(self._admin_ref)],
                validators=[validators.InputRequired()],
                description=self.form_args["model"]["description"],
                render_kw={"class": "form-control form-select"},
            )
            classes[plan.mode] = type(base.__name__, (base,), {"model": model})
        return classes[plan.mode]


VIEWS: tuple[type[AutoModelView], ...] = (AdminUserAdmin, GrantAdmin)


def views() -> list[type[AutoModelView]]:
    """Fresh classes of :data:`VIEWS` for one admin: sqladmin keeps the admin a
    view belongs to on its class, so two admins must not share one."""
    fresh: list[type[AutoModelView]] = []
    for view in VIEWS:
        meta: Any = type(view)
        fresh.append(meta(view.__name__, (view,), {"__module__": __name__}))
    return fresh
