"""admin_app's own tables. ``import admin_app.tables`` puts them in
``SQLModel.metadata``: an application's Alembic env does it so autogenerate
knows them (see README, "Adding admin_app's tables to your Alembic history")."""

from admin_app.audit.entries import AuditEntry
from admin_app.auth.models import AdminSession, AdminUser, Grant, LoginThrottle
from admin_app.dashboard.snapshots import DashboardSnapshot
from admin_app.imports.records import ImportRecord
from admin_app.saved_views.models import SavedView

# The tables the admin serves pages for (to admins only: see
# admin_app.security.permissions), then those only admin_app's code reads:
# widgets' kept figures; saved views (managed from their lists, by
# admin_app.saved_views; a page for them would put a link in every admin's
# sidebar); imports (seen from their own pages, admin_app.imports.routes, and
# their audit entries).
SERVED_TABLES = (AdminUser, AdminSession, LoginThrottle, Grant, AuditEntry)
ADMIN_TABLES = (*SERVED_TABLES, DashboardSnapshot, SavedView, ImportRecord)

__all__ = [
    "ADMIN_TABLES",
    "SERVED_TABLES",
    "AdminSession",
    "AdminUser",
    "AuditEntry",
    "DashboardSnapshot",
    "Grant",
    "ImportRecord",
    "LoginThrottle",
    "SavedView",
]
