"""A whole table's CSV export: the time to read the streamed file and the peak
resident memory the serving process needed for it.

Ours answers a GET of a big export with a confirmation page whose form POSTs
(with the CSRF token) to the same URL; plain sqladmin streams on the GET. The
time covers both steps. Memory is read from ``/proc/<pid>/status`` of the
uvicorn process (one worker: the one serving): its peak (``VmHWM``) is reset
to the current RSS first (``5`` written to ``clear_refs``), so the growth is
the peak over the runs minus the RSS before the first.
"""

import gc
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from benchmarks.measure import Stats, failure, login, percentile
from benchmarks.pages import post_form
from benchmarks.servers import Server
from benchmarks.statements import HEADER


@dataclass(frozen=True)
class ExportStats:
    timing: Stats
    lines: int = 0
    rss_before: int = 0  # bytes
    rss_peak: int = 0

    @property
    def growth(self) -> int:
        return self.rss_peak - self.rss_before


@dataclass(frozen=True)
class Download:
    size: int
    lines: int
    statements: int | None


class ExportFailed(Exception):
    pass


def memory(pid: int) -> dict[str, int]:
    """``VmRSS`` and ``VmHWM`` of process ``pid``, in bytes."""
    values: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) * 1024
    return values


def reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def _read(response: httpx.Response) -> Download:
    if response.status_code != 200:
        response.read()
        raise ExportFailed(failure(response))
    size = lines = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        lines += chunk.count(b"\n")
    counted = response.headers.get(HEADER)
    return Download(size, lines, int(counted) if counted is not None else None)


def download(
    client: httpx.Client, path: str, poster: httpx.Client | None = None
) -> Download:
    """The file at ``path``, through the confirmation page when one comes;
    ``poster`` sends the POST (a client on another connection)."""
    with client.stream("GET", path) as response:
        if not response.headers.get("content-type", "").startswith("text/html"):
            return _read(response)
        page = response.read().decode()
    form = post_form(page, path.split("?")[0])
    if form is None or form.action is None:
        raise ExportFailed(f"GET {path}: an HTML page without an export form")
    if poster is not None:
        poster.cookies = client.cookies  # the session as the page left it
    with (poster or client).stream("POST", form.action, data=form.fields) as posted:
        if posted.headers.get("content-type", "").startswith("text/html"):
            raise ExportFailed(f"POST {form.action}: HTML, not a file")
        return _read(posted)


def measure_export(
    client: httpx.Client, server: Server, path: str, runs: int
) -> ExportStats:
    """``runs`` timed downloads of ``path`` (no warm-up: memory is measured
    from the first) and the server's peak RSS growth over them."""
    gc.collect()
    before = memory(server.pid)["VmRSS"]
    reset_peak(server.pid)
    seconds: list[float] = []
    got: Download | None = None
    try:
        for _ in range(runs):
            started = time.perf_counter()
            got = download(client, path)
            seconds.append(time.perf_counter() - started)
    except (ExportFailed, httpx.HTTPError) as error:
        return ExportStats(Stats(runs=len(seconds), error=str(error) or repr(error)))
    assert got is not None
    timing = Stats(
        runs=runs,
        p50=statistics.median(seconds),
        p95=percentile(seconds, 0.95),
        size=got.size,
        statements=got.statements,
    )
    return ExportStats(
        timing,
        lines=got.lines,
        rss_before=before,
        rss_peak=memory(server.pid)["VmHWM"],
    )


def across_connections(server: Server, path: str, times: int, timeout: float) -> str:
    """Export confirmations POSTed on another connection than their page came
    from (with several workers, often another process): what went wrong, or
    "" when every one gave its file."""
    session = login(server, timeout)
    try:
        for attempt in range(times):
            with (
                httpx.Client(base_url=server.url, timeout=timeout) as getter,
                httpx.Client(base_url=server.url, timeout=timeout) as poster,
            ):
                getter.cookies, poster.cookies = session.cookies, session.cookies
                try:
                    download(getter, path, poster)
                except (ExportFailed, httpx.HTTPError) as error:
                    return f"attempt {attempt + 1}: {error}"
    finally:
        session.close()
    return ""
