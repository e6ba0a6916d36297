"""Requests per second under a fixed number of concurrent clients: a small
asyncio + httpx load driver.

Each client logs in on its own (GET the login page, POST it with its CSRF
token), then its session cookie moves to a fresh async connection, so that
with several workers the login, the page and the session store meet in
different processes. The clients GET one path in a loop: ``warmup`` seconds
uncounted (every worker up and warm), then ``seconds`` counted. Every answer
that is not a 200 is counted as a failure.
"""

import asyncio
import math
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field, replace

import httpx

from benchmarks.measure import login
from benchmarks.servers import Server


@dataclass(frozen=True)
class Throughput:
    admin: str
    workers: int
    clients: int
    seconds: float
    requests: int = 0
    p50: float = math.nan
    statuses: dict[str, int] = field(default_factory=dict)
    # The driver's CPU time over the wall time: near 1, it was the bottleneck.
    driver_cpu: float = math.nan
    error: str | None = None

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else math.nan

    @property
    def failures(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != "200")


async def _client_loop(
    client: httpx.AsyncClient,
    path: str,
    counting_from: float,
    until: float,
    latencies: list[float],
    statuses: Counter[str],
) -> None:
    while (started := time.perf_counter()) < until:
        try:
            response = await client.get(path)
            status = str(response.status_code)
        except httpx.HTTPError as error:
            status = type(error).__name__
        if started >= counting_from:
            latencies.append(time.perf_counter() - started)
            statuses[status] += 1


async def _drive(
    server: Server,
    path: str,
    jars: list[httpx.Cookies],
    warmup: float,
    seconds: float,
    timeout: float,
) -> tuple[list[float], Counter[str]]:
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    clients = [
        httpx.AsyncClient(base_url=server.url, cookies=jar, timeout=timeout)
        for jar in jars
    ]
    counting_from = time.perf_counter() + warmup
    try:
        await asyncio.gather(
            *(
                _client_loop(
                    client,
                    path,
                    counting_from,
                    counting_from + seconds,
                    latencies,
                    statuses,
                )
                for client in clients
            )
        )
    finally:
        for client in clients:
            await client.aclose()
    return latencies, statuses


def throughput(
    server: Server,
    path: str,
    clients: int = 8,
    seconds: float = 10.0,
    warmup: float = 2.0,
    timeout: float = 60.0,
) -> Throughput:
    """``clients`` logged-in clients GETting ``path`` for ``seconds``."""
    result = Throughput(server.label, server.workers, clients, seconds)
    try:
        sessions = [login(server, timeout) for _ in range(clients)]
    except (RuntimeError, httpx.HTTPError) as error:
        return replace(result, error=f"login: {error}")
    jars = [session.cookies for session in sessions]
    for session in sessions:
        session.close()
    cpu, wall = time.process_time(), time.perf_counter()
    latencies, statuses = asyncio.run(
        _drive(server, path, jars, warmup, seconds, timeout)
    )
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return replace(
        result,
        requests=statuses["200"],
        p50=statistics.median(latencies) if latencies else math.nan,
        statuses=dict(statuses),
        driver_cpu=cpu / wall,
    )
