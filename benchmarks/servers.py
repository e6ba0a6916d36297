"""Admins under uvicorn, each in its own process (its own GIL) on a free
127.0.0.1 port, for as long as a ``with`` block runs.

:func:`serve` starts any ASGI factory; :func:`ours` and :func:`plain` the two
admins of this benchmark. Each server's output goes to
``benchmarks/data/<label>.log``.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from benchmarks.databases import DATA_DIR, URL_ENV
from benchmarks.plain_app import IMPORT_ENV, SETUP_ENV

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class Server:
    label: str
    url: str
    # uvicorn's process: with one worker, the one serving the requests.
    pid: int
    workers: int = 1
    admin_path: str = "/admin"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}); see {log}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"server not up after {START_TIMEOUT:.0f} s; see {log}")


@contextmanager
def serve(
    label: str, factory: str, env: Mapping[str, str], workers: int = 1
) -> Iterator[Server]:
    """``uvicorn --factory factory`` with ``env`` added to the environment."""
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", "--factory", factory,
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    with running(f"{label}-{workers}w", command, port, env) as process:
        yield Server(label, f"http://127.0.0.1:{port}", process.pid, workers)


@contextmanager
def running(
    name: str, command: list[str], port: int, env: Mapping[str, str], cwd: Path = REPO
) -> Iterator[subprocess.Popen[bytes]]:
    """``command`` (a server on ``port``) started, answering, and stopped at the
    end; its output in ``benchmarks/data/<name>.log``."""
    DATA_DIR.mkdir(exist_ok=True)
    log = DATA_DIR / f"{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=cwd, env={**os.environ, **env}, stdout=output, stderr=output
        )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/admin/login", process, log)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def ours(database_url: str, workers: int = 1) -> AbstractContextManager[Server]:
    return serve(
        "ours", "benchmarks.our_app:make_app", {URL_ENV: database_url}, workers
    )


def plain(
    database_url: str, setup: str, workers: int = 1, imports: bool = False
) -> AbstractContextManager[Server]:
    env = {URL_ENV: database_url, SETUP_ENV: setup}
    if imports:
        env[IMPORT_ENV] = "1"
    return serve(f"sqladmin-{setup}", "benchmarks.plain_app:make_app", env, workers)
