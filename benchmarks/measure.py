"""Timing HTTP requests against a logged-in admin: medians, p95s and sizes.

Percentiles are nearest-rank over the timed runs (with 5 runs the p95 is the
slowest one). A request that fails or times out ends its scenario; the error
is reported instead of figures.
"""

import gc
import json
import math
import re
import statistics
import time
from dataclasses import dataclass

import httpx

from benchmarks.databases import BENCH_PASSWORD, BENCH_USER
from benchmarks.pages import csrf_fields
from benchmarks.servers import Server
from benchmarks.statements import HEADER


@dataclass(frozen=True)
class Stats:
    """One scenario on one server."""

    runs: int = 0
    p50: float = math.nan
    p95: float = math.nan
    size: int = 0
    statements: int | None = None
    # <option> elements in an HTML page, or results in a picker's JSON.
    items: int | None = None
    error: str | None = None


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def login(server: Server, timeout: float) -> httpx.Client:
    """A client holding a session of :data:`BENCH_USER` on ``server``."""
    client = httpx.Client(base_url=server.url, timeout=timeout)
    page = client.get(f"{server.admin_path}/login")
    response = client.post(
        f"{server.admin_path}/login",
        data={
            "username": BENCH_USER,
            "password": BENCH_PASSWORD,
            **csrf_fields(page.text),
        },
    )
    if response.status_code != 302 or "login" in response.headers.get("location", ""):
        client.close()
        raise RuntimeError(f"cannot log in to {server.label}: {response.status_code}")
    return client


def _items(response: httpx.Response) -> int:
    if response.headers.get("content-type", "").startswith("application/json"):
        return len(json.loads(response.content).get("results", []))
    return response.content.count(b"<option")


def failure(response: httpx.Response) -> str:
    """``HTTP 500 for GET /path: <the body's text, shortened>``, fit for a
    markdown table cell."""
    text = re.sub(r"(<[^>]*>|\s)+", " ", response.text[:2000]).replace("|", "/")
    request = response.request
    target = f"{request.method} {request.url.raw_path.decode()}"
    return f"HTTP {response.status_code} for {target}: {text.strip()[:160]}"


def measure(client: httpx.Client, path: str, runs: int, warmup: int) -> Stats:
    """``runs`` timed GETs of ``path`` after ``warmup`` untimed ones."""
    seconds: list[float] = []
    response: httpx.Response | None = None
    gc.collect()  # not the garbage of the previous (maybe 80 MB) scenario
    try:
        for attempt in range(warmup + runs):
            started = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                return Stats(error=failure(response))
            if attempt >= warmup:
                seconds.append(elapsed)
    except httpx.TimeoutException:
        return Stats(runs=len(seconds), error=f"timeout (> {client.timeout.read} s)")
    assert response is not None
    counted = response.headers.get(HEADER)
    return Stats(
        runs=len(seconds),
        p50=statistics.median(seconds),
        p95=percentile(seconds, 0.95),
        size=len(response.content),
        statements=int(counted) if counted is not None else None,
        items=_items(response),
    )
