"""The dashboard: its frame and each widget's body, cold (every widget's cache
off: ``ADMIN_DASHBOARD_CACHE_SECONDS=0``) and warm (the default cache).

    python -m benchmarks.dashboard --db postgresql --scale 1 --reuse [--runs 15]

Every shop model's card and the bench's declared widgets (benchmarks/shop.py:
orders per day by status, open orders, top customers), plus the admin's own
(recent changes, failed sign-ins, migrations). Targets: the page 60 ms, each
widget 30 ms, at scale 10 on PostgreSQL. Medians of ``--runs`` timed GETs.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import httpx

from benchmarks.databases import URL_ENV, from_command_line
from benchmarks.measure import Stats, login, measure
from benchmarks.servers import Server, serve

PAGE_MS = 60
WIDGET_MS = 30
COLD = {"ADMIN_DASHBOARD_CACHE_SECONDS": "0"}


@contextmanager
def server(database_url: str, cold: bool) -> Iterator[Server]:
    env = {URL_ENV: database_url, **(COLD if cold else {})}
    label = "ours-dashboard-cold" if cold else "ours-dashboard"
    with serve(label, "benchmarks.our_app:make_app", env) as running:
        yield running


def widget_paths(client: httpx.Client) -> list[tuple[str, str]]:
    """``(slug, path)`` of each box the dashboard's frame shows."""
    page = client.get("/admin/")
    page.raise_for_status()
    found = re.findall(r'data-widget="([^"]+)"\s+data-widget-url="([^"]+)"', page.text)
    return [
        (slug, urlsplit(url).path + "?" + urlsplit(url).query) for slug, url in found
    ]


def run(database_url: str, cold: bool, runs: int, warmup: int) -> dict[str, Stats]:
    with server(database_url, cold) as running:
        client = login(running, 180.0)
        try:
            results = {"page": measure(client, "/admin/", runs, warmup)}
            for slug, path in widget_paths(client):
                results[slug] = measure(client, path, runs, warmup)
        finally:
            client.close()
    return results


def cell(stats: Stats | None) -> str:
    if stats is None:
        return "-"
    if stats.error:
        return stats.error[:60]
    return f"{stats.p50 * 1000:.1f}"


def main() -> None:
    args, database = from_command_line(
        __doc__.splitlines()[0], db="postgresql", runs=15, warmup=2
    )
    cold = run(database.url, True, args.runs, args.warmup)
    warm = run(database.url, False, args.runs, args.warmup)
    print(f"dashboard, {args.db}, scale {args.scale:g}: p50 ms over {args.runs} runs")
    print("| what | cold | warm | statements (cold) | target |")
    print("| --- | ---: | ---: | ---: | --- |")
    for name, stats in cold.items():
        target = PAGE_MS if name == "page" else WIDGET_MS
        met = not stats.error and stats.p50 * 1000 <= target
        print(
            f"| {name} | {cell(stats)} | {cell(warm.get(name))} "
            f"| {stats.statements if stats.statements is not None else '-'} "
            f"| {target} ms: {'met' if met else 'missed'} (cold) |"
        )


if __name__ == "__main__":
    main()
