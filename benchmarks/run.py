"""The whole benchmark: our admin against plain sqladmin on the same data in
the same run - lists, search, filters, detail, forms, pickers, CSV export and
list throughput with one and two workers.

    python -m benchmarks.run --db sqlite|postgresql --scale 1 --runs 7

Loads a fresh shop (:mod:`benchmarks.generate`), starts ours and plain sqladmin
in its ``naive`` and ``tuned`` setups (:mod:`benchmarks.plain_app`), one
uvicorn worker each, logs in to each and times every scenario of
:mod:`benchmarks.scenarios`; then the customers' CSV export with the servers'
memory; then list page 1 under concurrent clients, ours and naive sqladmin,
with 1 and 2 workers. Writes ``benchmarks/results/<date>-<db>-scale<N>.md``
and a bar chart of the ratios beside it (``.png``).
"""

import argparse
import platform
import sys
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from importlib.metadata import version

import httpx

from benchmarks.chart import draw
from benchmarks.databases import (
    BenchDatabase,
    DbKind,
    existing_database,
    fresh_database,
)
from benchmarks.exporting import ExportStats, across_connections, measure_export
from benchmarks.filters import filter_scenarios
from benchmarks.inlines import inline_rows
from benchmarks.measure import Stats, login, measure
from benchmarks.pages import next_link
from benchmarks.report import (
    Row,
    export_table,
    items_notes,
    result_path,
    table,
    throughput_table,
    write,
)
from benchmarks.scenarios import (
    CUSTOMERS,
    HEAVY_SKIPPED_FROM,
    ORDERS,
    Scenario,
    list_scenarios,
    offset_page,
    page_scenarios,
    ratio,
)
from benchmarks.servers import Server, ours, plain
from benchmarks.throughput import Throughput, throughput


@dataclass
class Results:
    rows: list[Row]
    exports: dict[str, ExportStats]
    loads: list[Throughput]
    # What went wrong POSTing a CSRF form on another connection (2 workers).
    across_workers: str | None = None


def progress(text: str) -> None:
    print(f"… {text}", file=sys.stderr, flush=True)


class Timer:
    """Each (admin, path) timed once, however many rows compare with it."""

    def __init__(self, clients: dict[str, httpx.Client], args: argparse.Namespace):
        self.clients = clients
        self.args = args
        self.done: dict[tuple[str, str], Stats] = {}

    def time(self, admin: str, path: str, runs: int, warmup: int) -> Stats:
        key = (admin, path)
        if key not in self.done:
            self.done[key] = measure(self.clients[admin], path, runs, warmup)
        return self.done[key]

    def row(self, scenario: Scenario) -> Row:
        args = self.args
        progress(f"{scenario.name} (vs {scenario.against})")
        if scenario.ours_error:
            mine = Stats(error=scenario.ours_error)
        else:
            path = scenario.ours_path or scenario.path
            mine = self.time("ours", path, args.runs, args.warmup)
        if scenario.theirs_skipped:
            return Row(scenario, mine, None, scenario.theirs_skipped)
        if scenario.heavy and args.scale >= HEAVY_SKIPPED_FROM:
            return Row(
                scenario, mine, None, f"skipped at scale ≥ {HEAVY_SKIPPED_FROM:g}"
            )
        if scenario.heavy:
            theirs = self.time(scenario.against, scenario.path, args.heavy_runs, 0)
        else:
            theirs = self.time(scenario.against, scenario.path, args.runs, args.warmup)
        return Row(scenario, mine, theirs)


def keyset_path(client: httpx.Client, page: int) -> str | None:
    """The Next link of ours' page ``page - 1``, as a path."""
    response = client.get(f"{ORDERS}/list?page={page - 1}")
    link = next_link(response.text) if response.status_code == 200 else None
    if link is None:
        return None
    url = httpx.URL(link)
    return url.raw_path.decode()


def scenario_rows(args: argparse.Namespace, database: BenchDatabase) -> list[Row]:
    """Every scenario, on ours and the two sqladmin setups running side by side."""
    with ExitStack() as stack:
        servers: list[tuple[str, AbstractContextManager[Server]]] = [
            ("ours", ours(database.url)),
            ("naive", plain(database.url, "naive")),
            ("tuned", plain(database.url, "tuned")),
        ]
        clients = {
            name: login(stack.enter_context(server), args.timeout)
            for name, server in servers
        }
        for client in clients.values():
            stack.callback(client.close)
        timer = Timer(clients, args)
        counts = database.counts
        via_next = keyset_path(clients["ours"], offset_page(counts))
        scenarios = list_scenarios(counts, args.scale, database.kind, via_next)
        scenarios += page_scenarios(counts, args.scale)
        scenarios += filter_scenarios(counts, args.scale)
        rows = [timer.row(scenario) for scenario in scenarios]
        progress("order edit form with 50 items, and saving it")
        return rows + inline_rows(clients["ours"], database.url, args.runs, args.warmup)


def fresh_servers(
    args: argparse.Namespace, database: BenchDatabase, rows: list[Row]
) -> Results:
    """On newly started servers, ours and naive sqladmin: the customers' CSV
    export (one worker: its memory is the process's), list page 1 under load
    with 1 and 2 workers, and, with 2, CSRF forms posted on other connections
    than their page."""
    results = Results(rows, {}, [])
    small = "bench-product" if database.counts.products > 1000 else "bench-customer"
    for workers in (1, 2):
        for admin in ("ours", "naive"):
            if workers > 1 and args.no_throughput:
                continue
            server = (
                ours(database.url, workers)
                if admin == "ours"
                else plain(database.url, admin, workers)
            )
            with server as running:
                if workers == 1:
                    label = "ours" if admin == "ours" else f"sqladmin {admin}"
                    results.exports[label] = export(args, running, admin)
                if not args.no_throughput:
                    progress(f"throughput: {admin}, {workers} worker(s)")
                    results.loads.append(
                        throughput(
                            running,
                            f"{ORDERS}/list",
                            clients=args.clients,
                            seconds=args.seconds,
                            timeout=args.timeout,
                        )
                    )
                if admin == "ours" and workers > 1:
                    progress("CSRF forms across connections")
                    results.across_workers = across_connections(
                        running, f"/admin/{small}/export/csv", 6, args.timeout
                    )
    return results


def export(args: argparse.Namespace, server: Server, admin: str) -> ExportStats:
    progress(f"CSV export of every customer: {admin}")
    runs = 1 if admin != "ours" and args.scale >= HEAVY_SKIPPED_FROM else 3
    client = login(server, args.timeout)
    try:
        return measure_export(client, server, f"{CUSTOMERS}/export/csv", runs)
    finally:
        client.close()


def document(
    args: argparse.Namespace, database: BenchDatabase, results: Results
) -> str:
    counts = database.counts
    versions = ", ".join(
        f"{package} {version(package)}"
        for package in ("sqladmin", "sqlalchemy", "starlette", "uvicorn")
    )
    loaded = (
        f"loaded in {database.load_seconds:.1f} s"
        if database.load_seconds == database.load_seconds
        else "loaded by an earlier run"
    )
    lines = [
        f"# admin_app vs plain sqladmin: {database.kind}, scale {args.scale:g}",
        "",
        f"- data: {counts.customers:,} customers, {counts.products:,} products, "
        f"{counts.orders:,} orders, {counts.items:,} order items ({loaded})",
        f"- runs: {args.runs} timed after {args.warmup} warm-up (naive sqladmin's "
        f"forms: {args.heavy_runs}, no warm-up), timeout {args.timeout:g} s; "
        "p50 = median, p95 nearest-rank; size = response body; SQL = statements "
        "the last timed request ran (login check included)",
        f"- machine: {platform.machine()}, Python {platform.python_version()}, "
        f"{versions}; one uvicorn worker per admin unless said",
        "- sqladmin setups (benchmarks/plain_app.py): *naive* = the usual "
        "auto-registration loop (every column listed and sortable, strings "
        "searchable, 50 a page, no filters, forms left to sqladmin); *tuned* = "
        "the same plus `form_ajax_refs`, collections out of forms and the filters "
        "ours infers (filters are compared with it: naive has none)",
        "- **ours / sqladmin** = ours p50 / sqladmin p50: below 1, ours is faster",
        "",
        table(results.rows),
        "",
        "Items in forms (`<option>` elements) and pickers (results):",
        "",
        items_notes(results.rows),
        "",
        "## CSV export of every customer",
        "",
        "Ours: GET (a confirmation page) then its form POSTed with the CSRF token; "
        "sqladmin: GET. Each on a newly started server (one worker), logged in; "
        "time to read the whole streamed file; RSS of that uvicorn process, the "
        "peak over the runs (no warm-up) minus the RSS before the first.",
        "",
        export_table(results.exports),
    ]
    if results.loads:
        lines += [
            "",
            f"## Throughput: `{ORDERS}/list`",
            "",
            f"{args.clients} concurrent logged-in clients (asyncio + httpx, on the "
            f"same machine) for {args.seconds:g} s after 2 s of warm-up; driver "
            "CPU = the driver's CPU time over its wall time (near 100%, the driver "
            "was the bottleneck).",
            "",
            throughput_table(results.loads),
        ]
    if results.across_workers is not None:
        outcome = results.across_workers or "all 6 gave their file"
        lines += [
            "",
            "Ours with 2 workers: 6 export confirmations fetched on one connection "
            f"and POSTed with their CSRF token on another: {outcome}.",
        ]
    return "\n".join([*lines, ""])


def ratios(results: Results) -> list[tuple[str, float]]:
    pairs = [(row.label, row.ratio) for row in results.rows]
    mine, theirs = results.exports.get("ours"), results.exports.get("sqladmin naive")
    if mine is not None and theirs is not None:
        pairs.append(
            ("CSV export, every customer (vs naive)", ratio(mine.timing, theirs.timing))
        )
    return pairs


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument(
        "--heavy-runs", type=int, default=2, help="runs of naive sqladmin's forms"
    )
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.add_argument("--clients", type=int, default=8, help="for throughput")
    parser.add_argument("--seconds", type=float, default=10.0, help="of throughput")
    parser.add_argument("--no-throughput", action="store_true")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the data already loaded"
    )
    return parser.parse_args()


def main() -> None:
    args = parse()
    kind: DbKind = args.db
    if args.reuse:
        database = existing_database(kind, args.scale)
    else:
        progress(f"loading {kind} at scale {args.scale:g}")
        database = fresh_database(kind, args.scale)
        progress(f"loaded in {database.load_seconds:.1f} s")
    results = fresh_servers(args, database, scenario_rows(args, database))
    text = document(args, database, results)
    print(text)
    path = result_path(kind, args.scale)
    write(path, text)
    title = f"admin_app vs sqladmin, {kind}, scale {args.scale:g}"
    drawn = draw(ratios(results), title, result_path(kind, args.scale, "png"))
    print(f"written to {path}" + (" and .png" if drawn else ""), file=sys.stderr)


if __name__ == "__main__":
    main()
