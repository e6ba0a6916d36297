"""The command palette's record search across every model
(``GET /admin/palette/search?q=``), for a few terms: an exact e-mail, a name
prefix, a key, a term matching nothing (ours alone: sqladmin has no palette).

    python -m benchmarks.palette --db postgresql --scale 1 [--reuse] [--runs 15]

Targets (issue 14): ≤ 25 ms at scale 1, ≤ 40 ms at scale 10. Each line gives
the median and p95 of the timed GETs, the response's size, the statements the
request ran (session and grants included) and the results found; the empty
term is the yardstick: what any signed-in request costs on this machine.
"""

from urllib.parse import urlencode

import httpx

from benchmarks.databases import from_command_line
from benchmarks.generate import sample_customer
from benchmarks.measure import Stats, login, measure
from benchmarks.scenarios import Target
from benchmarks.servers import ours

SEARCH = "/admin/palette/search"
# The customer whose e-mail, name and key are searched (1-based, exists at
# every scale).
CUSTOMER = 4242


def target(scale: float) -> Target:
    return Target(ms=25 if scale <= 1 else 40)


def terms(scale: float) -> dict[str, str]:
    """What is typed, by what it stands for."""
    name, email = sample_customer(scale, CUSTOMER)
    first, last = name.split(" ", 1)
    return {
        "an exact e-mail": email,
        "a name prefix": f"{first} {last[:2]}",
        "a first name": first,
        "a key": str(CUSTOMER),
        "nothing": "qqzzx",
        # No statement of the search's own: the sign-in check and the answer,
        # what every request pays (a yardstick on a busy machine).
        "no term (baseline)": "",
    }


def results(client: httpx.Client, term: str) -> int:
    """How many results the search gives ``term``."""
    body = client.get(f"{SEARCH}?{urlencode({'q': term})}").json()
    return sum(len(group["results"]) for group in body["groups"])


def palette_rows(
    client: httpx.Client, scale: float, runs: int, warmup: int
) -> list[tuple[str, str, Stats, int]]:
    """(what, term, figures, results) for each term."""
    rows = []
    for what, term in terms(scale).items():
        path = f"{SEARCH}?{urlencode({'q': term})}"
        rows.append(
            (what, term, measure(client, path, runs, warmup), results(client, term))
        )
    return rows


def summary(what: str, term: str, stats: Stats, found: int, goal: Target) -> str:
    if stats.error:
        return f"palette search, {what} ({term!r}): {stats.error}"
    met = "met" if goal.met(stats, None) else "missed"
    return (
        f"palette search, {what} ({term!r}): p50 {stats.p50 * 1000:.1f} ms, "
        f"p95 {stats.p95 * 1000:.1f} ms, {stats.size / 1000:.1f} kB, "
        f"{stats.statements} statements, {found} results, {stats.runs} runs "
        f"(target {goal.text()}: {met})"
    )


def main() -> None:
    args, database = from_command_line(__doc__.splitlines()[0], runs=15, warmup=3)
    goal = target(args.scale)
    with ours(database.url) as server:
        client = login(server, 180.0)
        try:
            rows = palette_rows(client, args.scale, args.runs, args.warmup)
        finally:
            client.close()
    print(f"{args.db}, scale {args.scale:g}:")
    for what, term, stats, found in rows:
        print(summary(what, term, stats, found, goal))


if __name__ == "__main__":
    main()
