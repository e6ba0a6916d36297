"""The benchmark's shop schema: customers, products, orders and their items.

Every SQLModel table shares ``SQLModel.metadata``, so these tables carry a
``bench_`` prefix (and the classes a ``Bench`` one) to stay clear of the demo and
test tables. ``BenchCustomer`` defines no ``__str__``: our admin labels it by its
``full_name`` column, plain sqladmin prints SQLModel's every-field ``__str__``.
Data for it comes from :mod:`benchmarks.generate`.
"""

import enum
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import ColumnElement, DateTime
from sqlmodel import Field, Relationship, SQLModel, col

from admin_app.dashboard import Dashboard, Kpi, Ranking, TimeSeries


class BenchOrderStatus(enum.StrEnum):
    """Where an order is in its life."""

    pending = "pending"
    paid = "paid"
    shipped = "shipped"
    delivered = "delivered"
    cancelled = "cancelled"


class BenchCustomer(SQLModel, table=True):
    """Someone who orders."""

    __tablename__ = "bench_customer"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True, max_length=254)
    full_name: str = Field(index=True, max_length=120)
    city: str = Field(max_length=80)
    # Set by the application when a customer is added (a form, an import).
    created_at: datetime = Field(
        default_factory=lambda: datetime.now(UTC),
        sa_type=DateTime(timezone=True),
        index=True,
    )

    orders: list["BenchOrder"] = Relationship(back_populates="customer")


class BenchProduct(SQLModel, table=True):
    """Something to order."""

    __tablename__ = "bench_product"

    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(unique=True, max_length=32)
    name: str = Field(index=True, max_length=120)
    price: Decimal = Field(max_digits=10, decimal_places=2)

    order_items: list["BenchOrderItem"] = Relationship(back_populates="product")


class BenchOrder(SQLModel, table=True):
    """One customer's order (the page under test: a key to 100k customers)."""

    __tablename__ = "bench_order"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="bench_customer.id", index=True)
    status: BenchOrderStatus = Field(default=BenchOrderStatus.pending)
    created_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    total: Decimal = Field(max_digits=12, decimal_places=2)
    note: str | None = Field(default=None, max_length=200)

    customer: Optional["BenchCustomer"] = Relationship(back_populates="orders")
    items: list["BenchOrderItem"] = Relationship(back_populates="order")


class BenchOrderItem(SQLModel, table=True):
    """One line of an order."""

    __tablename__ = "bench_order_item"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="bench_order.id", index=True)
    product_id: int = Field(foreign_key="bench_product.id", index=True)
    quantity: int
    unit_price: Decimal = Field(max_digits=10, decimal_places=2)

    order: Optional["BenchOrder"] = Relationship(back_populates="items")
    product: Optional["BenchProduct"] = Relationship(back_populates="order_items")


SHOP_TABLES: tuple[type[SQLModel], ...] = (
    BenchCustomer,
    BenchProduct,
    BenchOrder,
    BenchOrderItem,
)


def _last_month_of_data() -> ColumnElement[bool]:
    """Orders of the generated data's last 30 days (it ends on 2025-01-01)."""
    return col(BenchOrder.created_at) >= datetime(2024, 12, 2, tzinfo=UTC)


# The bench's declared widgets (benchmarks/dashboard.py), as an ops team would
# write them; the series ends where the generated data does, not today. The
# two over a month of orders (80,000 at scale 10) are kept ahead
# (``refresh_seconds``); their "live" twins read on each request, for the
# benchmark's comparison.
KEPT_AHEAD = 300


def _orders_per_day(title: str, refresh_seconds: int | None) -> TimeSeries:
    return TimeSeries(
        title,
        BenchOrder,
        BenchOrder.created_at,
        by=BenchOrder.status,
        until=date(2024, 12, 31),
        refresh_seconds=refresh_seconds,
    )


def _top_customers(title: str, refresh_seconds: int | None) -> Ranking:
    return Ranking(
        title,
        BenchOrder,
        by=BenchOrder.customer_id,
        where=_last_month_of_data,
        heading="Orders",
        refresh_seconds=refresh_seconds,
    )


dashboard = Dashboard(
    _orders_per_day("Orders per day", KEPT_AHEAD),
    Kpi(
        "Open orders",
        BenchOrder,
        where=col(BenchOrder.status).not_in(
            [BenchOrderStatus.delivered, BenchOrderStatus.cancelled]
        ),
    ),
    _top_customers("Top customers, last month of data", KEPT_AHEAD),
    _orders_per_day("Orders per day, live", None),
    _top_customers("Top customers, live", None),
)
