"""A few demo users and orders at known times, for the dashboard's tests."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine
from sqlmodel import Session

from models.tables import Order, OrderStatus, User

NOW = datetime.now(UTC)


def add_orders(engine: Engine) -> dict[str, int]:
    """Two requesters; Ada has three orders, Bob one, and one is older than
    30 days. Returns the users' ids by first name."""
    with Session(engine) as session:
        ada = User(
            email="ada@example.com", full_name="Ada Lovelace", hashed_password="x"
        )
        bob = User(
            email="bob@example.com", full_name="Bob Babbage", hashed_password="x"
        )
        session.add_all([ada, bob])
        session.flush()
        assert ada.id is not None and bob.id is not None
        rows = [
            (ada.id, OrderStatus.draft, NOW - timedelta(hours=1)),
            (ada.id, OrderStatus.shipped, NOW - timedelta(days=2)),
            (ada.id, OrderStatus.draft, NOW - timedelta(days=10)),
            (bob.id, OrderStatus.approved, NOW - timedelta(days=40)),
        ]
        for number, (requester, status, at) in enumerate(rows):
            session.add(
                Order(
                    reference=f"PO-{number:06}",
                    requester_id=requester,
                    status=status,
                    total=Decimal("10.00"),
                    created_at=at,
                )
            )
        session.commit()
        return {"ada": ada.id, "bob": bob.id}
