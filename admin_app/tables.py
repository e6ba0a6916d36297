"""admin_app's own tables. ``import admin_app.tables`` puts them in
``SQLModel.metadata``: an application's Alembic env does it so autogenerate
knows them (see README, "Adding admin_app's tables to your Alembic history")."""

from admin_app.audit.entries import AuditEntry
from admin_app.auth.models import AdminSession, AdminUser, Grant, LoginThrottle
from admin_app.dashboard.snapshots import DashboardSnapshot
from admin_app.saved_views.models import SavedView

# The tables the admin serves pages for (to admins only: see
# admin_app.security.permissions), then those only admin_app's code reads:
# widgets' kept figures, and saved views (managed from their lists, by
# admin_app.saved_views; a page for them would put a link in every admin's
# sidebar).
SERVED_TABLES = (AdminUser, AdminSession, LoginThrottle, Grant, AuditEntry)
ADMIN_TABLES = (*SERVED_TABLES, DashboardSnapshot, SavedView)

__all__ = [
    "ADMIN_TABLES",
    "SERVED_TABLES",
    "AdminSession",
    "AdminUser",
    "AuditEntry",
    "DashboardSnapshot",
    "Grant",
    "LoginThrottle",
    "SavedView",
]
