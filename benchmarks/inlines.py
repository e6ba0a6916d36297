"""Inlines under load: an order's edit form with 50 items, and saving it with
all 50 changed (ours alone: sqladmin has no inline forms).

    python -m benchmarks.inlines --db sqlite --scale 1 [--reuse] [--runs 7]

Run on its own it loads the shop (or reuses it), starts ours and prints both
figures; :mod:`benchmarks.run` adds the same two rows to its table. The order
is made once, marked by its note, with 50 items of the first 50 products.
"""

import statistics
import time
from decimal import Decimal

import httpx
from sqlalchemy import create_engine, select
from sqlmodel import Session

from benchmarks.databases import from_command_line
from benchmarks.measure import Stats, failure, login, measure, percentile
from benchmarks.pages import post_form
from benchmarks.report import Row
from benchmarks.scenarios import ORDERS, Scenario, Target
from benchmarks.servers import ours
from benchmarks.shop import BenchOrder, BenchOrderItem

ITEMS = 50
NOTE = "inlines benchmark: 50 items"
EDIT_TARGET = Target(ms=20, kb=40)
SAVE_TARGET = Target(ms=100)
NO_INLINES = "n/a: sqladmin has no inline forms"


def prepare_order(database_url: str) -> int:
    """The id of the benchmark's order of :data:`ITEMS` items (made once)."""
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            found = session.scalars(
                select(BenchOrder.id).where(BenchOrder.note == NOTE)
            ).first()
            if found is not None:
                return found
            first = session.get(BenchOrder, 1)
            assert first is not None, "the shop is loaded"
            order = BenchOrder(
                customer_id=first.customer_id,
                created_at=first.created_at,
                total=Decimal("0"),
                note=NOTE,
            )
            session.add(order)
            session.flush()
            session.add_all(
                BenchOrderItem(
                    order_id=order.id,
                    product_id=product,
                    quantity=1,
                    unit_price=Decimal("9.99"),
                )
                for product in range(1, ITEMS + 1)
            )
            session.commit()
            assert order.id is not None
            return order.id
    finally:
        engine.dispose()


def edit_scenario(order: int) -> Scenario:
    return Scenario(
        f"order edit form with {ITEMS} items",
        f"{ORDERS}/edit/{order}",
        "tuned",
        EDIT_TARGET,
        theirs_skipped=NO_INLINES,
    )


def save_scenario(order: int) -> Scenario:
    return Scenario(
        f"saving it, {ITEMS} items changed (POST)",
        f"{ORDERS}/edit/{order}",
        "tuned",
        SAVE_TARGET,
        theirs_skipped=NO_INLINES,
    )


def measure_save(client: httpx.Client, order: int, runs: int, warmup: int) -> Stats:
    """Each run: GET the form (untimed), change every item's quantity, time
    the POST (a redirect when saved)."""
    path = f"{ORDERS}/edit/{order}"
    seconds: list[float] = []
    size = 0
    for attempt in range(warmup + runs):
        page = client.get(path)
        form = post_form(page.text, path)
        if page.status_code != 200 or form is None:
            return Stats(error=failure(page))
        fields = dict(form.fields)
        changed = 0
        for name, value in form.fields.items():
            if name.endswith("-quantity") and value:
                fields[name] = str(int(value) % 9 + 1)
                changed += 1
        if changed != ITEMS:
            return Stats(error=f"{changed} items in the form, not {ITEMS}")
        fields["save"] = "Save"
        started = time.perf_counter()
        response = client.post(path, data=fields)
        elapsed = time.perf_counter() - started
        if response.status_code != 302:
            return Stats(error=failure(response))
        size = len(response.content)
        if attempt >= warmup:
            seconds.append(elapsed)
    return Stats(
        runs=len(seconds),
        p50=statistics.median(seconds),
        p95=percentile(seconds, 0.95),
        size=size,
    )


def inline_rows(
    client: httpx.Client, database_url: str, runs: int, warmup: int
) -> list[Row]:
    """Both scenarios on ``client`` (logged in to ours)."""
    order = prepare_order(database_url)
    edit, save = edit_scenario(order), save_scenario(order)
    return [
        Row(edit, measure(client, edit.path, runs, warmup), None, NO_INLINES),
        Row(save, measure_save(client, order, runs, warmup), None, NO_INLINES),
    ]


def main() -> None:
    args, database = from_command_line(__doc__.splitlines()[0], runs=7, warmup=2)
    with ours(database.url) as server:
        client = login(server, 180.0)
        try:
            rows = inline_rows(client, database.url, args.runs, args.warmup)
        finally:
            client.close()
    for row in rows:
        print(summary(row))


def summary(row: Row) -> str:
    stats, target = row.ours, row.scenario.target
    figures = stats.error or (
        f"p50 {stats.p50 * 1000:.1f} ms, p95 {stats.p95 * 1000:.1f} ms, "
        f"{stats.size / 1000:.1f} kB, {stats.runs} runs"
    )
    if target is None:
        return f"{row.scenario.name}: {figures}"
    met = "met" if target.met(stats, None) else "missed"
    return f"{row.scenario.name}: {figures} (target {target.text()}: {met})"


if __name__ == "__main__":
    main()
