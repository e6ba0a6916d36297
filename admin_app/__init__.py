"""admin_app: a secure, fast browser admin for any module of SQLModel tables."""

from admin_app.app import create_app, mount_admin
from admin_app.settings import Settings, get_settings
from admin_app.views import AutoModelView

__all__ = ["AutoModelView", "Settings", "create_app", "get_settings", "mount_admin"]
__version__ = "0.1.0"
