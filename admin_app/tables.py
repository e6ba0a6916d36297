"""admin_app's own tables. ``import admin_app.tables`` puts them in
``SQLModel.metadata``: an application's Alembic env does it so autogenerate
knows them (see README, "Adding admin_app's tables to your Alembic history")."""

from admin_app.audit.entries import AuditEntry
from admin_app.auth.models import AdminSession, AdminUser, Grant, LoginThrottle
from admin_app.saved_views.models import SavedView

ADMIN_TABLES = (AdminUser, AdminSession, LoginThrottle, Grant, AuditEntry, SavedView)
# Tables without an admin page of their own: saved views are managed from
# their lists (admin_app.saved_views), and a page for them would put a link
# in every admin's sidebar.
UNLISTED_TABLES = (SavedView,)

__all__ = [
    "ADMIN_TABLES",
    "UNLISTED_TABLES",
    "AdminSession",
    "AdminUser",
    "AuditEntry",
    "Grant",
    "LoginThrottle",
    "SavedView",
]
