"""admin_app's own tables. ``import admin_app.tables`` puts them in
``SQLModel.metadata``: an application's Alembic env does it so autogenerate
knows them (see README, "Adding admin_app's tables to your Alembic history")."""

from admin_app.audit.entries import AuditEntry
from admin_app.auth.models import AdminSession, AdminUser, Grant, LoginThrottle

ADMIN_TABLES = (AdminUser, AdminSession, LoginThrottle, Grant, AuditEntry)

__all__ = [
    "ADMIN_TABLES",
    "AdminSession",
    "AdminUser",
    "AuditEntry",
    "Grant",
    "LoginThrottle",
]
