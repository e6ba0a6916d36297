"""Opening a saved view against the list it stands for (ours alone: sqladmin
has no saved views): ``/admin/bench-order/list?view=<id>`` and the same
list's own URL, timed in turns, so both see the same machine.

    python -m benchmarks.saved_views --db postgresql --scale 1 [--reuse] [--runs 21]

Target (issue 15): opening a view costs what its list costs, a ratio of
about 1.0 (the view is read with the signed-in user, in the session's own
round trip; no redirect). Each line gives both medians, their ratio, and
the statements each request ran (session, grants and views included); the
first line is the list before the user had any view (what the sidebar and
the palette cost a user without views: nothing but the one bounded read).
"""

import statistics
import time

import httpx
from sqlalchemy import create_engine, delete, select
from sqlmodel import Session, SQLModel, col

from admin_app.auth.models import AdminUser
from admin_app.saved_views.models import SavedView
from benchmarks.databases import BENCH_USER, from_command_line
from benchmarks.filters import three_chips
from benchmarks.generate import Counts
from benchmarks.measure import login
from benchmarks.pages import csrf_fields
from benchmarks.scenarios import ORDERS
from benchmarks.servers import ours
from benchmarks.statements import HEADER


def lists(counts: Counts) -> dict[str, str]:
    """The lists saved, by what they are."""
    return {
        "three chips, sorted, 5 columns": (
            f"{three_chips(counts)}&sortBy=total&sort=desc"
            "&columns=id,customer,status,total,created_at"
        ),
        "newest first, 25 a page": "sortBy=created_at&sort=desc&pageSize=25",
    }


def prepare(url: str) -> None:
    """The views' table (a database made before it had one) and no views of
    the benchmark's user left from an earlier run."""
    engine = create_engine(url)
    try:
        SQLModel.metadata.create_all(engine, tables=[SavedView.__table__])  # type: ignore[attr-defined]
        with Session(engine) as session:
            user = session.scalars(
                select(AdminUser.id).where(col(AdminUser.username) == BENCH_USER)
            ).one()
            session.execute(delete(SavedView).where(col(SavedView.owner_id) == user))
            session.commit()
    finally:
        engine.dispose()


def save(client: httpx.Client, query: str, name: str) -> str:
    """Save ``query`` as a view; the view's URL."""
    page = client.get(f"{ORDERS}/list?{query}")
    page.raise_for_status()
    response = client.post(
        f"{ORDERS}/views",
        data={"name": name, "query": query, **csrf_fields(page.text)},
    )
    if response.status_code != 303:
        raise RuntimeError(f"saving failed: HTTP {response.status_code}")
    return response.headers["location"]


def timed(client: httpx.Client, path: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code} for {path}")
    return elapsed, int(response.headers.get(HEADER, -1)), len(response.content)


def in_turns(
    client: httpx.Client, paths: list[str], runs: int, warmup: int
) -> list[tuple[float, int, int]]:
    """(median seconds, statements, bytes) of each path, requested in turns
    (each turn in the other order: neither always goes first)."""
    seconds: list[list[float]] = [[] for _ in paths]
    last: list[tuple[float, int, int]] = [(0.0, 0, 0) for _ in paths]
    for attempt in range(warmup + runs):
        order = list(enumerate(paths))
        for index, path in order if attempt % 2 else order[::-1]:
            last[index] = timed(client, path)
            if attempt >= warmup:
                seconds[index].append(last[index][0])
    return [
        (statistics.median(times), found[1], found[2])
        for times, found in zip(seconds, last, strict=True)
    ]


def main() -> None:
    args, database = from_command_line(__doc__.splitlines()[0], runs=21, warmup=3)
    prepare(database.url)
    with ours(database.url) as server:
        client = login(server, 180.0)
        try:
            saved = lists(database.counts)
            first = next(iter(saved.values()))
            [(before, before_statements, _)] = in_turns(
                client, [f"{ORDERS}/list?{first}"], args.runs, args.warmup
            )
            rows = []
            for what, query in saved.items():
                view = save(client, query, what)
                plain, opened = in_turns(
                    client, [f"{ORDERS}/list?{query}", view], args.runs, args.warmup
                )
                rows.append((what, view, plain, opened))
        finally:
            client.close()
    print(f"{args.db}, scale {args.scale:g}, {args.runs} runs in turns:")
    print(
        f"{'the first list, before any view':34} p50 {before * 1000:6.1f} ms, "
        f"{before_statements} statements"
    )
    for what, _view, plain, opened in rows:
        ratio = opened[0] / plain[0]
        print(
            f"{what:34} list {plain[0] * 1000:6.1f} ms ({plain[1]} statements), "
            f"view {opened[0] * 1000:6.1f} ms ({opened[1]} statements): "
            f"ratio {ratio:.2f}"
        )


if __name__ == "__main__":
    main()
