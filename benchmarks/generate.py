"""Deterministic shop data at a scale factor, loaded in bulk.

Scale 1 is 100k customers, 10k products, 200k orders and 500k order items; the
same scale and seed always give the same rows. Rows carry explicit ids (1..n), so
other code can name rows without querying. PostgreSQL is loaded with ``COPY``
(psycopg), other databases with SQLAlchemy Core ``insert()`` executemany batches
of :data:`BATCH` rows; then the id sequences are moved past the data and the
tables analysed, as a long-lived database would be.

``python -m benchmarks.generate --db sqlite|postgresql --scale 0.1`` loads a
fresh benchmark database on its own.
"""

import argparse
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Index, Table, insert, text

from benchmarks.shop import BenchCustomer, BenchOrder, BenchOrderItem, BenchProduct

T = TypeVar("T")
Row = tuple[Any, ...]

BATCH = 10_000
SEED = 20_240_601
EPOCH = datetime(2023, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=730)
CENT = Decimal("0.01")


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = words(
    "Ada Alan Alice Amir Anna Aria Ben Bruno Carla Chen Chloe Dan Diego Dora Elena "
    "Emil Eva Farah Felix Grace Hana Hugo Ines Ivan Jade Jonas Julia Kai Kim Lara "
    "Leo Lina Luca Maria Marek Maya Mia Nadia Nina Noah Olga Omar Oscar Paula Pedro "
    "Rosa Ruth Sam Sara Sofia Tariq Tess Theo Uma Vera Victor Wen Yara Yusuf Zoe"
)
LAST_NAMES = words(
    "Adams Alvarez Baker Berg Brown Costa Cruz Dubois Evans Fischer Garcia Gomez "
    "Hansen Hoffmann Ito Jansen Johnson Kaya Kowalski Kumar Larsen Lee Lopez Martin "
    "Meyer Moreau Morris Nagy Novak Okafor Olsen Patel Perez Petrov Quinn Rossi "
    "Sato Schmidt Silva Smith Suzuki Tanaka Torres Vogel Wagner Walsh Weber Wong "
    "Young Zhang"
)
CITIES = words(
    "Amsterdam Athens Berlin Bogota Cairo Chicago Delhi Dublin Hanoi Helsinki "
    "Istanbul Jakarta Lagos Lima Lisbon London Madrid Manila Montreal Nairobi Oslo "
    "Paris Porto Prague Seoul Sydney Tokyo Toronto Vienna Warsaw"
)
ADJECTIVES = words("Basic Classic Compact Deluxe Eco Mini Pro Smart Sturdy Ultra")
NOUNS = words(
    "Backpack Bottle Cable Chair Charger Desk Drill Kettle Lamp Mug Notebook Pen "
    "Router Scarf Speaker Stand Teapot Towel Umbrella Watch"
)
STATUSES = ("pending", "paid", "shipped", "delivered", "cancelled")
STATUS_WEIGHTS = (10, 15, 20, 50, 5)
NOTES = (
    "Leave at the door.",
    "Gift wrap, please.",
    "Call before delivery.",
    "Second attempt.",
)

CUSTOMER_COLUMNS = ("id", "email", "full_name", "city", "created_at")
PRODUCT_COLUMNS = ("id", "sku", "name", "price")
ORDER_COLUMNS = ("id", "customer_id", "status", "created_at", "total", "note")
ITEM_COLUMNS = ("id", "order_id", "product_id", "quantity", "unit_price")


@dataclass(frozen=True)
class Counts:
    """How many rows of each table."""

    customers: int
    products: int
    orders: int
    items: int

    @classmethod
    def at_scale(cls, scale: float) -> "Counts":
        def scaled(base: int) -> int:
            return max(1, round(base * scale))

        return cls(scaled(100_000), scaled(10_000), scaled(200_000), scaled(500_000))

    @property
    def total(self) -> int:
        return self.customers + self.products + self.orders + self.items


def full_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def email_of(name: str, n: int) -> str:
    return f"{name.lower().replace(' ', '.')}.{n}@example.com"


def moment(rng: random.Random, index: int, count: int) -> datetime:
    """Times that grow with the id, with an hour of jitter, as real rows do."""
    step = SPAN * (index / count)
    return EPOCH + step + timedelta(seconds=rng.randrange(3600))


def customer_rows(count: int, seed: int = SEED) -> Iterator[Row]:
    rng = random.Random(seed)  # reproducible data, not secrets
    for n in range(1, count + 1):
        name = full_name(rng)
        created = moment(rng, n, count)
        yield (n, email_of(name, n), name, rng.choice(CITIES), created)


def product_rows(count: int, seed: int = SEED + 1) -> Iterator[Row]:
    rng = random.Random(seed)
    for n in range(1, count + 1):
        name = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {n}"
        price = Decimal(rng.randrange(99, 50_000)) * CENT
        yield (n, f"SKU-{n:07d}", name, price)


def product_prices(count: int) -> list[Decimal]:
    """Each product's price, by id - 1 (the same stream as :func:`product_rows`)."""
    return [row[3] for row in product_rows(count)]


def order_batches(
    counts: Counts, seed: int = SEED + 2
) -> Iterator[tuple[list[Row], list[Row]]]:
    """Orders and their items, :data:`BATCH` orders at a time. Order ``k`` (from
    0) owns items ``k*I//O .. (k+1)*I//O - 1``, so every order has 2 or 3 items at
    scale 1 and the item count is exact."""
    rng = random.Random(seed)
    prices = product_prices(counts.products)
    for start in range(0, counts.orders, BATCH):
        orders: list[Row] = []
        items: list[Row] = []
        for k in range(start, min(start + BATCH, counts.orders)):
            first = k * counts.items // counts.orders
            last = (k + 1) * counts.items // counts.orders
            total = Decimal(0)
            for item_id in range(first + 1, last + 1):
                product = rng.randrange(counts.products)
                quantity = rng.randint(1, 5)
                total += quantity * prices[product]
                items.append((item_id, k + 1, product + 1, quantity, prices[product]))
            status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
            note = rng.choice(NOTES) if rng.random() < 0.2 else None
            customer = rng.randint(1, counts.customers)
            created = moment(rng, k + 1, counts.orders)
            orders.append((k + 1, customer, status, created, total, note))
        yield orders, items


def chunks(rows: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def write(
    connection: Connection, table: Table, columns: Sequence[str], rows: list[Row]
) -> None:
    """Append ``rows`` (tuples in ``columns`` order) to ``table``."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        names = ", ".join(columns)
        statement = f"COPY {table.name} ({names}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)
        return
    connection.execute(
        insert(table), [dict(zip(columns, row, strict=True)) for row in rows]
    )


def finish(connection: Connection, tables: Sequence[Table]) -> None:
    """Sequences past the explicit ids; planner statistics up to date. On
    PostgreSQL a ``VACUUM`` too, or autovacuum would start on the fresh rows
    (competing with the measurements) and first reads would set hint bits."""
    if connection.dialect.name == "postgresql":
        for table in tables:
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT max(id) FROM {table.name}))"
                )
            )
        connection.execute(text("VACUUM ANALYZE"))
    elif connection.dialect.name == "mysql":  # MariaDB: ids past the rows already
        names = ", ".join(table.name for table in tables)
        connection.execute(text(f"ANALYZE TABLE {names}")).fetchall()
    else:
        connection.execute(text("ANALYZE"))


def _defer_checks(connection: Connection, tables: Sequence[Table]) -> list[Index]:
    """On PostgreSQL, what makes a bulk load slow, until the rows are in: the
    secondary indexes are dropped (returned, to be built again: one sort each
    instead of millions of inserts) and, for a superuser, the foreign key
    triggers are off for the transaction (the generated keys are consistent).
    Scale 10 loads in about a third of the time."""
    if connection.dialect.name != "postgresql":
        return []
    connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    superuser = connection.execute(
        text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    ).scalar()
    if superuser:
        connection.execute(text("SET LOCAL session_replication_role = replica"))
    indexes = [index for table in tables for index in table.indexes]
    for index in indexes:
        index.drop(connection)
    return indexes


def load(engine: Engine, scale: float) -> Counts:
    """Fill the (empty) shop tables at ``scale``; return the row counts."""
    counts = Counts.at_scale(scale)
    customers = BenchCustomer.__table__  # type: ignore[attr-defined]
    products = BenchProduct.__table__  # type: ignore[attr-defined]
    orders = BenchOrder.__table__  # type: ignore[attr-defined]
    items = BenchOrderItem.__table__  # type: ignore[attr-defined]
    tables = [customers, products, orders, items]
    with engine.begin() as connection:
        deferred = _defer_checks(connection, tables)
        for chunk in chunks(customer_rows(counts.customers)):
            write(connection, customers, CUSTOMER_COLUMNS, chunk)
        for chunk in chunks(product_rows(counts.products)):
            write(connection, products, PRODUCT_COLUMNS, chunk)
        for order_rows, item_rows in order_batches(counts):
            write(connection, orders, ORDER_COLUMNS, order_rows)
            write(connection, items, ITEM_COLUMNS, item_rows)
        for index in deferred:
            index.create(connection)
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        finish(connection, tables)
        connection.commit()
    return counts


def sample_customer(scale: float, index: int) -> tuple[str, str]:
    """The ``(full_name, email)`` of customer ``index`` (1-based) at ``scale``."""
    count = Counts.at_scale(scale).customers
    row = next(islice(customer_rows(count), index - 1, None))
    return row[2], row[1]


def main() -> None:
    from benchmarks.databases import fresh_database

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--scale", type=float, default=0.1)
    args = parser.parse_args()
    started = time.perf_counter()
    database = fresh_database(args.db, args.scale)
    elapsed = time.perf_counter() - started
    print(f"{database.url}: {database.counts} in {elapsed:.1f} s")


if __name__ == "__main__":
    main()
