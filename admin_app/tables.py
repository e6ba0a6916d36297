"""admin_app's own tables. ``import admin_app.tables`` puts them in
``SQLModel.metadata``: an application's Alembic env does it so autogenerate
knows them (see README, "Adding admin_app's tables to your Alembic history")."""

from admin_app.audit.entries import AuditEntry
from admin_app.auth.models import AdminSession, AdminUser, Grant, LoginThrottle
from admin_app.imports.records import ImportRecord

ADMIN_TABLES = (AdminUser, AdminSession, LoginThrottle, Grant, AuditEntry, ImportRecord)
# Tables the admin has no page of: imports are seen from their own pages
# (admin_app.imports.routes) and their audit entries.
WITHOUT_VIEW = (ImportRecord,)

__all__ = [
    "ADMIN_TABLES",
    "WITHOUT_VIEW",
    "AdminSession",
    "AdminUser",
    "AuditEntry",
    "Grant",
    "ImportRecord",
    "LoginThrottle",
]
