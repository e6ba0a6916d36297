"""The demo's declared views: every option not set here is inferred."""

from admin_app import AutoModelView
from models.tables import OrderItem


class OrderItemAdmin(AutoModelView, model=OrderItem):
    """Quantities and prices are corrected in place on the list, a page at a
    time (admin_app.lists.editable)."""

    list_editable = ["quantity", "unit_price"]
