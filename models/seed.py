"""Demo data for the demo application.

``seed`` fills an empty database with a deterministic, realistic-looking data set
(teams, users, projects, memberships, purchase orders and their items) so the
admin has enough rows to exercise lists, search, filters and pagination. The
same random seed and fixed timestamps give identical data on every run.
"""

import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert
from sqlmodel import Session, SQLModel, select

from models.tables import (
    Order,
    OrderItem,
    OrderStatus,
    Project,
    ProjectMember,
    Team,
    User,
)

RANDOM_SEED = 20261126
BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)
# Shared by every demo user; a known, documented value, not a real credential.
DEMO_PASSWORD = "demo-password-not-for-login"  # noqa: S105
USER_COUNT = 600
PROJECT_COUNT = 60
# The projects (by position) seeded in the trash.
TRASHED_PROJECTS = (5, 17, 42)
ORDER_COUNT = 2000

TEAM_NAMES = (
    "Platform", "Payments", "Logistics", "Data", "Security", "Mobile",
    "Growth", "Support", "Finance", "Infrastructure", "Marketing", "Procurement",
)  # fmt: skip
FIRST_NAMES = (
    "Alice", "Bruno", "Chloe", "Daniel", "Elena", "Felix", "Grace", "Hugo",
    "Ines", "Jonas", "Kara", "Liam", "Maya", "Noah", "Olivia", "Pablo",
    "Quinn", "Rosa", "Samir", "Tara", "Umar", "Vera", "Wes", "Yara", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Andersen", "Bianchi", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia",
    "Hansen", "Ivanova", "Jensen", "Kowalski", "Lopez", "Martin", "Nakamura",
    "Okafor", "Petrov", "Rossi", "Schmidt", "Tanaka", "Novak", "Weber", "Young",
)  # fmt: skip
PROJECT_ADJECTIVES = (
    "Atlas", "Blue", "Copper", "Delta", "Ember", "Falcon", "Granite", "Harbor",
    "Iris", "Juniper", "Kestrel", "Lunar",
)  # fmt: skip
PROJECT_NOUNS = (
    "Gateway", "Ledger", "Pipeline", "Dashboard", "Migration", "Rollout",
    "Audit", "Portal", "Sync", "Warehouse",
)  # fmt: skip
# (sku, description, unit price in cents)
CATALOGUE = (
    ("HW-LAP-14", "Laptop 14-inch, 32 GB RAM", 149900),
    ("HW-MON-27", "Monitor 27-inch 4K", 38900),
    ("HW-DOCK-01", "USB-C docking station", 18900),
    ("HW-KBD-02", "Mechanical keyboard", 8900),
    ("HW-MSE-03", "Wireless mouse", 3900),
    ("HW-HDS-04", "Noise-cancelling headset", 21900),
    ("HW-CAM-05", "Conference webcam", 12900),
    ("SW-IDE-YR", "IDE licence, 1 year", 24900),
    ("SW-DSN-YR", "Design tool seat, 1 year", 14400),
    ("SW-MON-MO", "Monitoring SaaS, monthly", 49900),
    ("CL-VM-MO", "Cloud VM reservation, monthly", 31250),
    ("CL-STO-TB", "Object storage, per TB", 2300),
    ("OF-CHR-01", "Ergonomic office chair", 42900),
    ("OF-DSK-02", "Standing desk", 61900),
    ("OF-WBD-03", "Whiteboard 180x90", 15900),
    ("TR-CONF-01", "Conference ticket", 89900),
    ("TR-TRN-02", "Online training course", 29900),
    ("SV-CNS-DAY", "Consulting, per day", 120000),
)
NOTES = (
    "Please deliver to the second floor reception.",
    "Replacement for broken equipment.",
    "Needed before the quarterly release.",
    "Approved verbally by the team lead.",
    "Split delivery is fine.",
    "Renewal of an existing subscription.",
    "For the new hires starting next month.",
)
TAGS = ("hardware", "software", "onboarding", "renewal", "travel", "office", "q1")
# Weights keep most orders in the "interesting" middle of the workflow.
STATUS_WEIGHTS = {
    OrderStatus.draft: 15,
    OrderStatus.submitted: 25,
    OrderStatus.approved: 25,
    OrderStatus.shipped: 25,
    OrderStatus.cancelled: 10,
}
TABLES: tuple[type[SQLModel], ...] = (
    Team, User, Project, ProjectMember, Order, OrderItem,
)  # fmt: skip
CENT = Decimal("0.01")


def table_counts(session: Session) -> dict[str, int]:
    """Return the number of rows in every demo table, keyed by table name."""
    return {
        str(model.__tablename__): session.exec(
            select(func.count()).select_from(model)
        ).one()
        for model in TABLES
    }


def _insert_ids(
    session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]]
) -> list[int]:
    # Bulk INSERT ... RETURNING lets the database assign ids, so PostgreSQL
    # sequences stay in step, while keeping ids in the order of ``rows``.
    stmt = insert(model).returning(model.id, sort_by_parameter_order=True)  # type: ignore[attr-defined]
    return list(session.exec(stmt, params=rows).scalars())


def _at(days: float) -> datetime:
    return BASE_TIME + timedelta(days=days)


def seed(session: Session, *, hash_password: Callable[[str], str]) -> dict[str, int]:
    """Insert the demo data set unless data exists; return row counts per table."""
    if session.exec(select(Team.id).limit(1)).first() is not None:
        return table_counts(session)

    rng = random.Random(RANDOM_SEED)  # noqa: S311 - reproducible demo data, not crypto
    # One hash for everyone: hashing hundreds of times with argon2 is slow.
    password_hash = hash_password(DEMO_PASSWORD)

    team_rows = [
        {"name": name, "description": f"The {name} team.", "created_at": _at(i)}
        for i, name in enumerate(TEAM_NAMES)
    ]
    team_ids = _insert_ids(session, Team, team_rows)

    user_rows = []
    for n in range(1, USER_COUNT + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        user_rows.append(
            {
                "email": f"{first.lower()}.{last.lower()}{n}@example.com",
                "full_name": f"{first} {last}",
                "hashed_password": password_hash,
                "is_active": rng.random() >= 0.08,
                "team_id": rng.choice(team_ids) if rng.random() >= 0.05 else None,
                "created_at": _at(14 + rng.uniform(0, 60)),
            }
        )
    user_ids = _insert_ids(session, User, user_rows)

    names = [f"{a} {n}" for a in PROJECT_ADJECTIVES for n in PROJECT_NOUNS]
    project_rows = [
        {
            "name": name,
            "description": rng.choice((None, f"{name} initiative.")),
            "team_id": team_ids[i % len(team_ids)],
            "is_archived": rng.random() < 0.1,
            "created_at": _at(30 + rng.uniform(0, 30)),
            # A few in the trash, without another draw of the generator.
            "deleted_at": _at(62 + i / 10) if i in TRASHED_PROJECTS else None,
        }
        for i, name in enumerate(rng.sample(names, PROJECT_COUNT))
    ]
    project_ids = _insert_ids(session, Project, project_rows)

    member_rows = [
        {"project_id": project_id, "user_id": user_id}
        for project_id in project_ids
        for user_id in rng.sample(user_ids, rng.randint(3, 12))
    ]
    session.exec(insert(ProjectMember), params=member_rows)

    order_rows: list[dict[str, Any]] = []
    items_per_order: list[list[dict[str, Any]]] = []
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    # Sorted offsets make PO numbers increase with creation time, like a real app.
    offsets = sorted(rng.uniform(60, 330) for _ in range(ORDER_COUNT))
    for n, offset in enumerate(offsets, start=1):
        items, total = [], Decimal(0)
        for sku, description, cents in rng.sample(CATALOGUE, rng.randint(3, 8)):
            # Prices drift up to ±10% around the catalogue price, in whole cents.
            price = (Decimal(cents * rng.randint(90, 110) // 100) / 100).quantize(CENT)
            quantity = rng.randint(1, 12)
            total += quantity * price
            item = {"sku": sku, "description": description, "quantity": quantity}
            items.append({**item, "unit_price": price})
        order_rows.append(
            {
                "reference": f"PO-{n:06d}",
                "requester_id": rng.choice(user_ids),
                "project_id": rng.choice(project_ids) if rng.random() < 0.8 else None,
                "status": rng.choices(statuses, weights)[0],
                "total": total.quantize(CENT),
                "is_urgent": rng.random() < 0.1,
                "notes": rng.choice(NOTES) if rng.random() < 0.3 else None,
                "extra": {
                    "cost_center": f"CC-{rng.randint(10, 40)}",
                    "tags": sorted(rng.sample(TAGS, rng.randint(0, 3))),
                },
                "created_at": _at(offset),
            }
        )
        items_per_order.append(items)
    order_ids = _insert_ids(session, Order, order_rows)

    item_rows = [
        {"order_id": order_id, **item}
        for order_id, items in zip(order_ids, items_per_order, strict=True)
        for item in items
    ]
    session.exec(insert(OrderItem), params=item_rows)

    session.commit()
    return table_counts(session)
