"""The audit trail in the admin: read-only (no create, edit or delete, for
anyone), exportable, filterable by user, model, action and date."""

from collections.abc import Callable
from dataclasses import replace
from typing import Any, ClassVar

from markupsafe import Markup, escape
from sqladmin import ModelView
from sqladmin.filters import AllUniqueStringValuesFilter, StaticValuesFilter
from sqladmin.i18n import gettext
from sqlalchemy import Select, select
from sqlmodel import col
from starlette.requests import Request

from admin_app.audit.entries import AuditEntry, shown_username
from admin_app.audit.restore import deleted_rows
from admin_app.db import run_in_session
from admin_app.lists.filters import DateRangeFilter
from admin_app.references import Labels, Reference, details_linker
from admin_app.security.csrf import csrf_token
from admin_app.views.inferred import AutoModelView


class UserFilter(AllUniqueStringValuesFilter):
    """The trail's users to filter by: the names entries were recorded for,
    not what failed logins typed
    (see :func:`admin_app.audit.entries.shown_username`)."""

    async def lookups(
        self, request: Request, model: Any, run_query: Callable[[Select[Any]], Any]
    ) -> list[tuple[str, str]]:
        named = (
            select(col(AuditEntry.username))
            .where(col(AuditEntry.user_id).is_not(None))
            .distinct()
        )
        return [("__all", "All")] + [(row[0], row[0]) for row in await run_query(named)]


class DeletedRowsFilter(StaticValuesFilter):
    """Entries of deleted (or trashed) rows: those not restored since, or
    all of them; each row links to its history page, where it is restored."""

    def __init__(self) -> None:
        super().__init__(
            AuditEntry.action,
            [("not_restored", "Not restored"), ("any", "All deletions")],
            title="Deleted rows",
            parameter_name="deleted",
        )
        # No column of its own: no counts per value (admin_app.lists.facets).
        self.column = None  # type: ignore[assignment]

    async def get_filtered_query(
        self, query: Select[Any], value: Any, model: Any
    ) -> Select[Any]:
        if value not in ("not_restored", "any"):
            return query
        return query.where(deleted_rows(not_restored=value == "not_restored"))


class AuditEntryAdmin(AutoModelView, model=AuditEntry):
    """Entries are written only with the changes they record."""

    name = "Audit entry"
    name_plural = "Audit trail"
    icon = "fa-solid fa-clock-rotate-left"
    can_create: ClassVar[bool] = False
    can_edit: ClassVar[bool] = False
    can_delete: ClassVar[bool] = False
    can_export: ClassVar[bool] = True
    column_list = ["at", "username", "action", "model", "pk", "remote_addr"]
    column_details_list = [
        "id",
        "at",
        "user_id",
        "username",
        "action",
        "model",
        "pk",
        "remote_addr",
        "import_id",
        "changes",
    ]
    column_export_list = column_details_list
    column_searchable_list = ["username", "model", "pk"]
    column_sortable_list = ["at", "username", "action", "model"]
    column_default_sort = [("id", True)]
    column_labels = {
        "at": "When",
        "username": "User",
        "action": "Action",
        "model": "Model",
        "pk": "Row",
        "remote_addr": "Address",
        "user_id": "User id",
        "import_id": "Import",
    }
    column_filters = [
        UserFilter("username", title="User"),
        AllUniqueStringValuesFilter("model", title="Model"),
        AllUniqueStringValuesFilter("action", title="Action"),
        DateRangeFilter("at", title="When"),
        DeletedRowsFilter(),
    ]

    async def prepare_rows(self, request: Request, rows: list[Any]) -> None:
        """The rows a page of entries names, by label: one query per table."""
        views = self._views_by_identity(request)
        labels = Labels()
        for entry in rows:
            if entry.model in views and entry.pk is not None:
                labels.want(views[entry.model].model, entry.pk)
        await run_in_session(self.session_maker, labels.load)
        link = details_linker(views.values(), request)
        request.state.audit_rows = {
            entry.id: _or_history(
                labels.get(views[entry.model].model, entry.pk, link), entry, request
            )
            for entry in rows
            if entry.model in views and entry.pk is not None
        }

    async def get_list_value(
        self, obj: Any, prop: str, request: Request | None = None
    ) -> tuple[Any, Any]:
        """An entry's row by its label, linked (see :meth:`prepare_rows`)."""
        if prop == "pk" and request is not None:
            named = getattr(request.state, "audit_rows", {}).get(obj.id)
            if named is not None:
                return obj.pk, _reference_html(named)
        return await super().get_list_value(obj, prop, request)

    async def get_detail_value(
        self, obj: Any, prop: str, request: Request | None = None
    ) -> tuple[Any, Any]:
        if prop == "import_id" and obj.import_id and request is not None:
            return obj.import_id, _import_html(request, obj)
        if prop == "pk" and request is not None:
            await self.prepare_rows(request, [obj])
            named = request.state.audit_rows.get(obj.id)
            if named is not None:
                return obj.pk, _reference_html(named)
        return await super().get_detail_value(obj, prop, request)

    def _views_by_identity(self, request: Request) -> dict[str, Any]:
        site = getattr(self, "_admin_ref", None)
        return {
            view.identity: view
            for view in getattr(site, "views", [])
            if isinstance(view, ModelView) and view.is_accessible(request)
        }

    async def get_prop_value(self, obj: Any, prop: str) -> Any:
        """Lists, detail pages and exports show a failed login's typed name
        only when it named a user."""
        if prop == "username" and isinstance(obj, AuditEntry):
            return shown_username(obj)
        return await super().get_prop_value(obj, prop)


def _or_history(named: Reference, entry: AuditEntry, request: Request) -> Reference:
    """A row that is gone links to its history page, where it is restored."""
    if not named.gone or named.url:
        return named
    url = request.url_for("admin:history", identity=entry.model, pk=named.key)
    return replace(named, url=str(url))


def _reference_html(named: Reference) -> Markup:
    text = escape(str(named))
    if named.url:
        return Markup(f'<a href="{escape(named.url)}">{text}</a>')  # noqa: S704
    return text


def _import_html(request: Request, entry: AuditEntry) -> Markup:
    """The import an entry belongs to: its page, and its undo (admin_app.imports)."""
    params = {"identity": entry.model or "", "import_id": entry.import_id or ""}
    page = request.url_for("admin:import_page", **params)
    undo = request.url_for("admin:import_undo", **params)
    return Markup(  # noqa: S704  (every value escaped)
        f'<a href="{escape(str(page))}">{escape(entry.import_id)}</a> '
        f'<form method="post" action="{escape(str(undo))}" class="d-inline ms-2">'
        f'<input type="hidden" name="csrf_token" value="{escape(csrf_token(request))}">'
        f'<button type="submit" class="btn btn-sm btn-outline-danger">'
        f"{escape(gettext('Undo this import'))}</button></form>"
    )


def views() -> list[type[AutoModelView]]:
    """A fresh :class:`AuditEntryAdmin` for one admin: sqladmin keeps the admin
    a view belongs to on its class, so two admins must not share one."""
    meta: Any = type(AuditEntryAdmin)
    return [
        meta(AuditEntryAdmin.__name__, (AuditEntryAdmin,), {"__module__": __name__})
    ]
