"""The audit trail in the admin: read-only (no create, edit or delete, for
anyone), exportable, filterable by user, model, action and date."""

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from sqladmin.filters import AllUniqueStringValuesFilter, OperationColumnFilter
from sqlalchemy import Select
from starlette.exceptions import HTTPException

from admin_app.audit import AuditEntry
from admin_app.views import AutoModelView


class MomentFilter(OperationColumnFilter):
    """Entries on, after or before a date (``2024-05-01``) or a moment
    (``2024-05-01T12:00``), read in UTC unless it names its offset.

    sqladmin's own operation filter treats sqlmodel's ``UTCDateTime`` column
    as text (it is a type decorator, not a ``DateTime``)."""

    def get_operation_options(self, column_obj: Any) -> list[tuple[str, str]]:
        return [("on", "On"), ("after", "After"), ("before", "Before")]

    async def get_filtered_query(
        self, query: Select[Any], operation: str, value: Any, model: Any
    ) -> Select[Any]:
        text = str(value or "").strip()
        if not text or not operation:
            return query
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise HTTPException(
                400, f"Invalid value for the filter {self.title!r}."
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        column = getattr(model, str(self.column))
        if operation == "on":
            start = moment.replace(hour=0, minute=0, second=0, microsecond=0)
            return query.where(column >= start, column < start + timedelta(days=1))
        if operation == "after":
            return query.where(column > moment)
        if operation == "before":
            return query.where(column < moment)
        raise HTTPException(400, f"Invalid filter operation for {self.title!r}.")


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
        "changes",
    ]
    column_export_list = column_details_list
    column_searchable_list = ["username", "model", "pk"]
    column_sortable_list = ["at", "username", "action", "model"]
    column_default_sort = [("id", True)]
    column_labels = {
        "at": "When",
        "username": "User",
        "pk": "Row",
        "remote_addr": "Address",
        "user_id": "User id",
    }
    column_filters = [
        AllUniqueStringValuesFilter("username", title="User"),
        AllUniqueStringValuesFilter("model", title="Model"),
        AllUniqueStringValuesFilter("action", title="Action"),
        MomentFilter("at", title="When"),
    ]


def views() -> list[type[AutoModelView]]:
    """A fresh :class:`AuditEntryAdmin` for one admin: sqladmin keeps the admin
    a view belongs to on its class, so two admins must not share one."""
    meta: Any = type(AuditEntryAdmin)
    return [
        meta(AuditEntryAdmin.__name__, (AuditEntryAdmin,), {"__module__": __name__})
    ]
