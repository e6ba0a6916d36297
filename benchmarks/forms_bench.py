"""Relationship forms and pickers at scale: our admin against plain sqladmin,
on the same data in the same run.

    python -m benchmarks.forms_bench --db sqlite|postgresql --scale 1 --runs 5

Loads a fresh shop (:mod:`benchmarks.generate`), starts our admin and plain
sqladmin in its ``naive`` and ``tuned`` setups (:mod:`benchmarks.plain_app`),
logs in to each and times: the Order edit page (a key to every customer), the
Order create page, and the customer picker's search. Prints a markdown table
and writes it to ``benchmarks/results/<date>-<db>-scale<N>-forms.md``.
"""

import argparse
import platform
import sys
from contextlib import ExitStack
from dataclasses import dataclass
from importlib.metadata import version

from benchmarks.databases import BenchDatabase, DbKind, fresh_database
from benchmarks.generate import FIRST_NAMES, Counts, sample_customer
from benchmarks.measure import login, measure
from benchmarks.report import Row, items_notes, result_path, table, write
from benchmarks.servers import Server, ours, plain

ORDER = "bench-order"  # sqladmin's identity of BenchOrder (slugified class name)
NO_MATCH = "zzq"


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    # The naive setup has no picker, and its pages are the slow ones.
    naive: bool


def scenarios(counts: Counts, scale: float) -> list[Scenario]:
    order_id = counts.orders // 2
    _, email = sample_customer(scale, counts.customers // 2)
    lookup = f"/admin/{ORDER}/ajax/lookup?name=customer&term="
    edit = f"/admin/{ORDER}/edit/{order_id}"
    # Prefixes of names early and late in name order (index walks differ).
    early, late = min(FIRST_NAMES)[:3], max(FIRST_NAMES)[:3]
    return [
        Scenario(f"Order edit page (order {order_id})", edit, True),
        Scenario("Order create page", f"/admin/{ORDER}/create", True),
        Scenario(f"customer picker, prefix {early!r}", lookup + early, False),
        Scenario(f"customer picker, prefix {late!r}", lookup + late, False),
        Scenario(f"customer picker, e-mail {email!r}", lookup + email, False),
        Scenario(f"customer picker, no match {NO_MATCH!r}", lookup + NO_MATCH, False),
    ]  # fmt: skip


def run(args: argparse.Namespace, database: BenchDatabase) -> list[Row]:
    rows: list[Row] = []
    with ExitStack() as stack:
        servers: dict[str, Server] = {
            "ours": stack.enter_context(ours(database.url)),
            "tuned": stack.enter_context(plain(database.url, "tuned")),
            "naive": stack.enter_context(plain(database.url, "naive")),
        }
        clients = {key: login(server, args.timeout) for key, server in servers.items()}
        for client in clients.values():
            stack.callback(client.close)
        for scenario in scenarios(database.counts, args.scale):
            print(f"… {scenario.name}", file=sys.stderr, flush=True)
            mine = measure(clients["ours"], scenario.path, args.runs, args.warmup)
            tuned = measure(clients["tuned"], scenario.path, args.runs, args.warmup)
            rows.append(Row(scenario.name, "form_ajax_refs", mine, tuned))
            if scenario.naive:
                naive = measure(clients["naive"], scenario.path, args.heavy_runs, 1)
                rows.append(Row(scenario.name, "naive", mine, naive))
    return rows


def document(args: argparse.Namespace, database: BenchDatabase, rows: list[Row]) -> str:
    counts = database.counts
    versions = ", ".join(
        f"{package} {version(package)}"
        for package in ("sqladmin", "sqlalchemy", "starlette", "uvicorn")
    )
    return "\n".join(
        [
            f"# Forms and pickers: {database.kind}, scale {args.scale:g}",
            "",
            f"- data: {counts.customers:,} customers, {counts.products:,} products, "
            f"{counts.orders:,} orders, {counts.items:,} order items "
            f"(loaded in {database.load_seconds:.1f} s)",
            f"- runs: {args.runs} timed after {args.warmup} warm-up "
            f"(naive sqladmin pages: {args.heavy_runs} after 1), "
            f"timeout {args.timeout:g} s; p95 is nearest-rank",
            f"- machine: {platform.machine()}, Python {platform.python_version()}, "
            f"{versions}; one uvicorn worker per admin",
            "- sqladmin setups (benchmarks/plain_app.py): *naive* = the usual "
            "auto-registration loop, forms left to sqladmin (a relation is a "
            "`<select>` of the whole table; it has no picker to search); "
            "*form_ajax_refs* = the same plus `form_ajax_refs` on many-to-one "
            "relations (customer: email, full_name) and one-to-many collections "
            "left out of forms, the best plain sqladmin offers",
            "- ours: admin_app with everything inferred from benchmarks/shop.py",
            "- SQL: statements run by the last timed request (login check included)",
            "- ratio: sqladmin p50 / ours p50 (above 1: ours is faster)",
            "",
            table(rows),
            "",
            "Items in each response (`<option>` elements, or picker results):",
            "",
            items_notes(rows),
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument(
        "--heavy-runs", type=int, default=3, help="runs of naive sqladmin's pages"
    )
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    kind: DbKind = args.db
    print(f"loading {kind} at scale {args.scale:g} …", file=sys.stderr, flush=True)
    database = fresh_database(kind, args.scale)
    rows = run(args, database)
    text = document(args, database, rows)
    print(text)
    path = result_path(kind, args.scale)
    write(path, text)
    print(f"written to {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
