"""The demo application's models.

These tables, schemas and seed data exist to demonstrate the admin; in a real
deployment point ``ADMIN_MODELS`` at your own module instead.
"""

# The sidebar's group for these tables (admin_app.navigation.naming).
__admin_category__ = "Purchasing"

from models.schemas import UserCreate, UserUpdate
from models.seed import seed
from models.tables import (
    Order,
    OrderItem,
    OrderStatus,
    Project,
    ProjectMember,
    Team,
    User,
)
from models.views import OrderItemAdmin
from models.widgets import dashboard

__all__ = [
    "Order",
    "OrderItem",
    "OrderItemAdmin",
    "OrderStatus",
    "Project",
    "ProjectMember",
    "Team",
    "User",
    "UserCreate",
    "UserUpdate",
    "dashboard",
    "seed",
]
