"""uvicorn's worker processes, as ``/proc`` shows them: which are the serve
process's workers, one killed with SIGKILL, and whether (and when) the
supervisor started another in its place."""

import os
import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # "pid (comm) state ppid …": comm may hold spaces and parentheses.
    return text.rpartition(")")[2].split()


def workers(parent: int) -> set[int]:
    """The live worker processes of uvicorn's supervisor ``parent`` (its
    children started by multiprocessing's spawn, not its resource tracker)."""
    found = set()
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        if fields is None or fields[1] != str(parent) or fields[0] == "Z":
            continue
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command:
            found.add(int(entry.name))
    return found


def cpu_seconds(pid: int) -> float | None:
    """User and system CPU time ``pid`` has used so far."""
    fields = _stat(pid)
    if fields is None:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS


@dataclass(frozen=True)
class Kill:
    """One worker killed, and its replacement."""

    pid: int
    # Seconds since the run began.
    at: float
    replacement: int | None = None
    # Seconds from the kill until the replacement process existed.
    replaced_after: float | None = None


def connections(pids: Iterable[int], port: int) -> dict[int, int]:
    """How many established TCP connections to ``port`` each of ``pids``
    holds (its sockets' inodes, looked up in ``/proc/net/tcp``)."""
    established = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local_port = int(fields[1].rpartition(":")[2], 16)
            if local_port == port and fields[3] == "01":  # ESTABLISHED
                established.add(fields[9])
    held = {}
    for pid in pids:
        held[pid] = sum(1 for target in _sockets(pid) if target[8:-1] in established)
    return held


def _sockets(pid: int) -> list[str]:
    """``socket:[inode]`` for each socket ``pid`` has open."""
    found = []
    try:
        descriptors = list((PROC / str(pid) / "fd").iterdir())
    except OSError:
        return []
    for descriptor in descriptors:
        try:
            target = str(descriptor.readlink())
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            found.append(target)
    return found


def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


def replacement(parent: int, before: set[int], timeout: float = 30.0) -> int | None:
    """The worker that appears beside those left of ``before`` within
    ``timeout`` seconds, or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        new = workers(parent) - before
        if new:
            return min(new)
        time.sleep(0.1)
    return None
