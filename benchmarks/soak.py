"""The soak: many workers on one database, many clients, one worker killed.

``python -m benchmarks.soak --db postgresql|mariadb --seconds 60 --clients 40
--workers 4 [--scale 0.1]`` (``make soak`` runs both databases): a fresh
database migrated by ``admin-app db upgrade``, ``admin-app serve --workers N``,
then the clients of :mod:`benchmarks.soak_traffic` for ``--seconds``; at
``--kill-at`` seconds one uvicorn worker gets SIGKILL. It prints requests,
outcomes and p50/p95 per kind, then checks the database
(:mod:`benchmarks.soak_checks`) and exits 1 when a check fails, saying which.
The output is also written to ``benchmarks/results/<date>-soak-<db>.txt``.
"""

import argparse
import asyncio
import os
import platform
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, create_engine

from benchmarks import soak_state, soak_workers
from benchmarks.databases import BENCH_PASSWORD, BENCH_USER
from benchmarks.measure import percentile
from benchmarks.servers import Server
from benchmarks.soak_checks import check_answers, check_deletes, check_saves, outcome
from benchmarks.soak_setup import SoakDatabase, fresh_database, log_path, serving
from benchmarks.soak_traffic import (
    EDIT_FORM,
    MIX,
    Client,
    Record,
    Traffic,
    close,
    drive,
    sign_in,
)

RESULTS = Path(__file__).resolve().parent / "results"
# Answers that are no error: pages, redirects after a save or delete.
FINE = {"200", "302", "303"}
# The admin refusing as it should: a stale save, a row deleted by another.
REFUSED = {("save", "409"), ("delete", "404"), ("delete", "409")}


@dataclass
class Output:
    """Lines printed as they come, kept for the results file."""

    lines: list[str] = field(default_factory=list)

    def __call__(self, *lines: str) -> None:
        for line in lines or ("",):
            print(line, flush=True)
            self.lines.append(line)


@dataclass
class Run:
    """What a soak saw: its records, the kill, the workers and the database."""

    records: list[Record]
    # The edited orders' notes before the run.
    initial: dict[int, str | None]
    kill: soak_workers.Kill | None
    first: list[int]
    startup: float
    # Live workers at the end: the CPU seconds each had used, and the
    # clients' connections each held as the traffic ended.
    work: dict[int, float]
    held: dict[int, int]
    leftovers: soak_state.Leftovers
    deadlocks: int


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("postgresql", "mariadb"), default="postgresql")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--kill-at", type=float, default=25.0)
    parser.add_argument("--edited", type=int, default=8, help="orders saves share")
    parser.add_argument("--doomed", type=int, default=3000, help="customers to go")
    return parser.parse_args()


async def _signed_in(url: str, count: int, traffic: Traffic) -> list[Client]:
    gate = asyncio.Semaphore(8)

    async def one(number: int) -> Client:
        async with gate:
            return await sign_in(url, number, BENCH_USER, BENCH_PASSWORD, traffic)

    return list(await asyncio.gather(*(one(n) for n in range(1, count + 1))))


async def _killer(parent: int, at: float, traffic: Traffic) -> soak_workers.Kill:
    """At ``at`` seconds into the traffic, SIGKILL one worker; wait for the
    supervisor to start another."""
    await asyncio.sleep(max(0.0, at - traffic.now()))
    before = soak_workers.workers(parent)
    victim = sorted(before)[len(before) // 2]
    soak_workers.kill(victim)
    killed_at = traffic.now()
    new = await asyncio.to_thread(soak_workers.replacement, parent, before)
    after = traffic.now() - killed_at if new is not None else None
    return soak_workers.Kill(victim, killed_at, new, after)


async def _traffic(
    server: Server, traffic: Traffic, args: argparse.Namespace
) -> tuple[soak_workers.Kill | None, dict[int, int]]:
    """The clients' run, the kill, and the connections each worker held as
    the run ended."""
    signed = await _signed_in(server.url, args.clients, traffic)
    traffic.began = time.perf_counter()
    killing = asyncio.create_task(_killer(server.pid, args.kill_at, traffic))
    try:
        await drive(signed, args.seconds)
        port = int(server.url.rpartition(":")[2])
        held = soak_workers.connections(soak_workers.workers(server.pid), port)
    finally:
        await close(signed)
    if args.kill_at >= args.seconds:
        killing.cancel()
        return None, held
    return await killing, held


def _soak(db: SoakDatabase, engine: Engine, args: argparse.Namespace) -> Run:
    deadlocks = soak_state.deadlocks(engine)
    initial = soak_state.notes(engine, db.edited)
    traffic = Traffic(db.edited, list(db.doomed))
    with serving(db.url, args.workers) as server:
        first = soak_workers.workers(server.pid)
        startup = [soak_workers.cpu_seconds(pid) or 0.0 for pid in first]
        kill, held = asyncio.run(_traffic(server, traffic, args))
        time.sleep(2)  # the last statistics flushed, the pools idle
        leftovers = soak_state.leftovers(engine)
        work = {
            pid: soak_workers.cpu_seconds(pid) or 0.0
            for pid in soak_workers.workers(server.pid)
        }
    deadlocks = soak_state.deadlocks(engine) - deadlocks
    return Run(
        traffic.records,
        initial,
        kill,
        sorted(first),
        statistics.mean(startup) if startup else 0.0,
        work,
        held,
        leftovers,
        deadlocks,
    )


def _ms(values: list[float]) -> str:
    if not values:
        return f"{'-':>6} {'-':>6}"
    p50, p95 = statistics.median(values), percentile(values, 0.95)
    return f"{p50 * 1000:6.0f} {p95 * 1000:6.0f}"


def _counted(counter: Counter[str]) -> str:
    return ", ".join(f"{name} x{n}" for name, n in counter.most_common()) or "none"


def report(
    records: Sequence[Record], seconds: float, killed_at: float | None
) -> list[str]:
    """Requests, outcomes and p50/p95 per kind and overall; errors by kind."""
    lines = [f"{'kind':<10} {'requests':>8} {'p50 ms':>6} {'p95 ms':>6}  outcomes"]
    for kind in [*MIX, EDIT_FORM, "all"]:
        mine = [r for r in records if kind in ("all", r.kind)]
        answered = [r.seconds for r in mine if r.status is not None]
        outcomes = Counter(outcome(r, killed_at) for r in mine)
        shown = ", ".join(f"{name}: {n}" for name, n in sorted(outcomes.items()))
        lines.append(f"{kind:<10} {len(mine):>8} {_ms(answered)}  {shown}")
    errors = Counter(
        f"{r.kind} {outcome(r, killed_at)}"
        for r in records
        if r.outcome not in FINE and (r.kind, r.outcome) not in REFUSED
    )
    refused = Counter(
        f"{r.kind} {r.outcome}" for r in records if (r.kind, r.outcome) in REFUSED
    )
    return [
        *lines,
        f"requests/s: {len(records) / seconds:.1f} over {seconds:.0f} s",
        f"errors by kind: {_counted(errors)}",
        f"refused as they should be: {_counted(refused)}",
    ]


def _server_errors(workers: int) -> Counter[str]:
    """The last line of each traceback the server logged, counted."""
    found = Counter[str]()
    lines = Path(log_path(workers)).read_text(errors="replace").splitlines()
    for index, line in enumerate(lines):
        if line.startswith("Traceback"):
            end = next(
                (j for j in range(index + 1, len(lines)) if lines[j][:1] != " "),
                len(lines) - 1,
            )
            found[lines[end][:160]] += 1
    return found


def _workers(run: Run) -> list[str]:
    lines = [f"workers at start: {run.first}, {run.startup:.1f} CPU s each to start"]
    if run.kill is not None:
        kill = run.kill
        replaced = (
            f"replaced by {kill.replacement} after {kill.replaced_after:.1f} s"
            if kill.replacement is not None and kill.replaced_after is not None
            else "NOT replaced within 30 s"
        )
        lines.append(f"killed {kill.pid} (SIGKILL) at {kill.at:.1f} s; {replaced}")
    used = ", ".join(
        f"{pid} ({cpu:.1f} CPU s, {run.held.get(pid, 0)} connections)"
        for pid, cpu in sorted(run.work.items())
    )
    return [*lines, f"workers at the end: {used}"]


def _replaced(run: Run) -> list[str]:
    if run.kill is None:
        return []
    if run.kill.replacement is None:
        return ["no replacement"]
    new = run.kill.replacement
    if run.held.get(new, 0) == 0 and run.work.get(new, 0.0) < 2 * run.startup:
        return [f"{new} holds no connection and used no more CPU than to start"]
    return []


def _checks(
    db: SoakDatabase, engine: Engine, run: Run, kind: str
) -> dict[str, list[str]]:
    """Each check of the database after the run, with its problems."""
    killed_at = run.kill.at if run.kill else None
    final = soak_state.notes(engine, db.edited)
    updates = soak_state.updates(engine, db.edited)
    remaining = soak_state.remaining(engine, db.doomed)
    left = run.leftovers
    here = kind == "postgresql" or left.last_deadlock_here
    return {
        "answers: no 5xx, none lost but the killed worker's": check_answers(
            run.records, killed_at
        ),
        "saves: each done one kept once in row and trail, refused ones nowhere": (
            check_saves(run.records, run.initial, final, updates)
        ),
        "deletes: each done once, audited": check_deletes(
            run.records, db.doomed, remaining, soak_state.deletes(engine)
        ),
        "nothing left behind: lock waits, open transactions": [
            f"{n} {what}"
            for n, what in (
                (left.waiting_locks, "lock waits"),
                (left.open_transactions, "open transactions"),
            )
            if n
        ],
        "no deadlock": [f"{run.deadlocks} deadlocks"] if run.deadlocks and here else [],
        "a new worker in the killed one's place, serving": _replaced(run),
    }


def main() -> int:
    args = _arguments()
    out = Output()
    out(
        f"soak on {args.db}: {args.clients} clients, {args.workers} workers, "
        f"{args.seconds:.0f} s, scale {args.scale}, a worker killed at "
        f"{args.kill_at:.0f} s",
        f"python {platform.python_version()}, {os.cpu_count()} cores shared with "
        f"other work, {date.today()}",
    )
    started = time.perf_counter()
    db = fresh_database(args.db, args.scale, args.doomed, args.edited)
    out(
        f"database: {db.counts}, {len(db.doomed)} customers to delete, orders "
        f"{db.edited[0]}..{db.edited[-1]} edited; ready in "
        f"{time.perf_counter() - started:.1f} s",
        "",
    )
    engine = create_engine(db.url)
    try:
        run = _soak(db, engine, args)
        killed_at = run.kill.at if run.kill else None
        out(*report(run.records, args.seconds, killed_at), "", *_workers(run))
        saves = [r for r in run.records if r.kind == "save"]
        deleted = sum(r.done for r in run.records if r.kind == "delete")
        out(
            f"saves: {sum(r.done for r in saves)} done, "
            f"{sum(r.status == 409 for r in saves)} refused as stale; "
            f"deletes: {deleted} done",
            f"deadlocks the server resolved during the run: {run.deadlocks}"
            + (" (the whole server's count)" if args.db == "mariadb" else ""),
            f"after the run: {run.leftovers.waiting_locks} lock waits, "
            f"{run.leftovers.open_transactions} transactions open",
            f"server log tracebacks: {_counted(_server_errors(args.workers))}",
            "",
        )
        checks = _checks(db, engine, run, args.db)
    finally:
        engine.dispose()
    for name, problems in checks.items():
        out(f"{'FAIL' if problems else 'ok  '} {name}")
        for line in problems[:20]:
            out(f"       {line}")
        if len(problems) > 20:
            out(f"       ... and {len(problems) - 20} more")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{date.today()}-soak-{args.db}.txt"
    path.write_text("\n".join(out.lines) + "\n")
    print(f"\nwritten to {path}")
    return 1 if any(checks.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
