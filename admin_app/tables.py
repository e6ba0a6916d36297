"""admin_app's own tables. ``import admin_app.tables`` puts them in
``SQLModel.metadata``: an application's Alembic env does it so autogenerate
knows them (see README, "Adding admin_app's tables to your Alembic history")."""

from admin_app.audit.entries import AuditEntry
from admin_app.auth.models import AdminSession, AdminUser, Grant, LoginThrottle
from admin_app.dashboard.snapshots import DashboardSnapshot

# The tables the admin serves pages for (to admins only: see
# admin_app.security.permissions), then those only admin_app's code reads.
SERVED_TABLES = (AdminUser, AdminSession, LoginThrottle, Grant, AuditEntry)
ADMIN_TABLES = (*SERVED_TABLES, DashboardSnapshot)

__all__ = [
    "ADMIN_TABLES",
    "SERVED_TABLES",
    "AdminSession",
    "AdminUser",
    "AuditEntry",
    "DashboardSnapshot",
    "Grant",
    "LoginThrottle",
]
