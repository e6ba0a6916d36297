"""A small order of benchmarks.shop's tables (a customer, two products, an
order with items), for the tests that edit an order's items inline."""

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Engine
from sqlmodel import Session

from benchmarks.shop import BenchCustomer, BenchOrder, BenchOrderItem, BenchProduct


def make_shop(engine: Engine, quantities: tuple[int, ...]) -> dict[str, int]:
    """One order with a pen item per quantity; the keys of the order and products."""
    with Session(engine) as session:
        customer = BenchCustomer(
            email="c@example.com",
            full_name="Carla",
            city="Rome",
            created_at=datetime.now(UTC),
        )
        pen = BenchProduct(sku="PEN", name="Pen", price=Decimal("1"))
        ink = BenchProduct(sku="INK", name="Ink", price=Decimal("2"))
        session.add_all([customer, pen, ink])
        session.flush()
        order = BenchOrder(
            customer_id=customer.id, created_at=datetime.now(UTC), total=Decimal("1")
        )
        session.add(order)
        session.flush()
        session.add_all(
            BenchOrderItem(
                order_id=order.id, product_id=pen.id, quantity=q, unit_price=1
            )
            for q in quantities
        )
        session.commit()
        assert order.id is not None and pen.id is not None and ink.id is not None
        return {"order": order.id, "pen": pen.id, "ink": ink.id}
