"""Filters people can use, timed on ours (sqladmin has no such filters):
the foreign-key filter's picker, a list with three chips active, and a check
that counts per value keep the statements of a list page constant.

    python -m benchmarks.filters --db sqlite --scale 1 [--reuse] [--runs 7]

The scenarios also run in the whole benchmark (``benchmarks.run``, beside the
other filters). The check requests list pages that differ only by their page
(size or number) and compares the statements each ran (``statements.py``):
unfiltered (a big list: its counts come from indexes, up to the cap, or not
at all), narrowed to one customer (a small list: each choice filter's values
grouped), with three chips (under the cap: the status chosen is counted
without a statement) and half the orders by date (big and narrowed: no
counts).
"""

import argparse
import sys
from contextlib import ExitStack

from benchmarks.databases import existing_database, fresh_database
from benchmarks.generate import EPOCH, FIRST_NAMES, SPAN, Counts
from benchmarks.measure import Stats, login, measure
from benchmarks.scenarios import ORDERS, Scenario, Target, sample_customer_id
from benchmarks.servers import ours
from benchmarks.statements import HEADER

NOT_THEIRS = "n/a: sqladmin's filters have no picker, chips or ranges"


def three_chips(counts: Counts) -> str:
    """Cancelled orders within five weeks: a status and a from/to range."""
    low, high = (EPOCH + SPAN * 0.05).date(), (EPOCH + SPAN * 0.1).date()
    return f"status=cancelled&created_at_from={low}&created_at_to={high}"


def filter_scenarios(counts: Counts, scale: float) -> list[Scenario]:
    """The issue's filter targets: the picker ≤ 15 ms at scale 1, a list with
    three chips ≤ 30 ms."""
    lookup = f"{ORDERS}/filter-lookup?name=customer_id&term="
    picker = Target(ms=15) if scale <= 1 else None
    early, late = min(FIRST_NAMES)[:3], max(FIRST_NAMES)[:3]
    customer = sample_customer_id(counts)
    picks = "&".join(f"customer_id={customer + n}" for n in range(3))
    return [
        Scenario(f"FK filter picker lookup {early!r}", lookup + early, "tuned",
                 picker, theirs_skipped=NOT_THEIRS),
        Scenario(f"FK filter picker lookup {late!r}", lookup + late, "tuned",
                 picker, theirs_skipped=NOT_THEIRS),
        Scenario("list with three chips active", f"{ORDERS}/list?{three_chips(counts)}",
                 "tuned", Target(ms=30), theirs_skipped=NOT_THEIRS),
        Scenario("list with three customers picked", f"{ORDERS}/list?{picks}",
                 "tuned", Target(ms=30), theirs_skipped=NOT_THEIRS),
    ]  # fmt: skip


def reference_scenarios() -> list[Scenario]:
    """Pages the whole benchmark times too, measured here beside the filters:
    on a busy machine, what the filters cost is read against them."""
    early = min(FIRST_NAMES)[:3]
    return [
        Scenario("reference: list page 1", f"{ORDERS}/list", "naive"),
        Scenario(f"reference: form picker {early!r}",
                 f"{ORDERS}/ajax/lookup?name=customer&term={early}", "tuned"),
    ]  # fmt: skip


def statement_checks(counts: Counts) -> dict[str, list[str]]:
    """Lists whose pages must run as many statements as each other."""
    customer = sample_customer_id(counts)
    low, high = EPOCH.date(), (EPOCH + SPAN * 0.5).date()
    half = f"created_at_from={low}&created_at_to={high}"
    return {
        "unfiltered (big: counts from indexes or none)": [
            f"{ORDERS}/list?pageSize=25",
            f"{ORDERS}/list?pageSize=100",
            f"{ORDERS}/list?page=3",
        ],
        "one customer (small: grouped counts)": [
            f"{ORDERS}/list?customer_id={customer}&pageSize=25",
            f"{ORDERS}/list?customer_id={customer}&pageSize=100",
        ],
        "half the orders by date (big, narrowed: no counts)": [
            f"{ORDERS}/list?{half}&pageSize=25",
            f"{ORDERS}/list?{half}&pageSize=100",
            f"{ORDERS}/list?{half}&page=3",
        ],
        "three chips (under the cap)": [
            f"{ORDERS}/list?{three_chips(counts)}&pageSize=25",
            f"{ORDERS}/list?{three_chips(counts)}&pageSize=100",
            f"{ORDERS}/list?{three_chips(counts)}&page=3",
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="the loaded data")
    args = parser.parse_args()
    if args.reuse:
        database = existing_database(args.db, args.scale)
    else:
        print(f"… loading {args.db} at scale {args.scale:g}", file=sys.stderr)
        database = fresh_database(args.db, args.scale)
    failed = False
    with ExitStack() as stack:
        server = stack.enter_context(ours(database.url))
        client = login(server, 180.0)
        stack.callback(client.close)
        print(f"## Filters: {args.db}, scale {args.scale:g}, {args.runs} runs\n")
        print("| scenario | p50 ms | p95 ms | size kB | statements | target | met |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        scenarios = filter_scenarios(database.counts, args.scale)
        for scenario in scenarios + reference_scenarios():
            stats: Stats = measure(client, scenario.path, args.runs, args.warmup)
            target = scenario.target
            met = target.met(stats, None) if target else None
            failed |= met is False
            shown = "yes" if met else ("—" if met is None else "**no**")
            print(
                f"| {scenario.name} | {stats.p50 * 1000:.1f} | {stats.p95 * 1000:.1f}"
                f" | {stats.size / 1000:.1f} | {stats.statements}"
                f" | {target.text() if target else ''} | {shown} |"
                + (f" {stats.error}" if stats.error else "")
            )
        print("\n| list | statements per page | constant |")
        print("| --- | --- | --- |")
        for name, paths in statement_checks(database.counts).items():
            found = []
            for path in paths:
                response = client.get(path)
                response.raise_for_status()
                found.append(int(response.headers[HEADER]))
            constant = len(set(found)) == 1
            failed |= not constant
            print(f"| {name} | {', '.join(map(str, found))} | "
                  f"{'yes' if constant else '**no**'} |")  # fmt: skip
    print(f"\ncommand: python -m benchmarks.filters --db {args.db} "
          f"--scale {args.scale:g} --runs {args.runs}")  # fmt: skip
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
