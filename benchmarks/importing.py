"""A 100,000-row CSV of customers imported: ours (upload with its dry run and
preview, then confirm) against sqladmin's own CSV importer, on the same file.

Each server runs under uvicorn in its own process; the peak resident memory
of that process is read from ``/proc/<pid>/status`` (``VmHWM``, reset to the
current RSS first, see :mod:`benchmarks.exporting`), so the growth is the peak
during the import minus the RSS before it. Plain sqladmin gets the fix it
needs to read a SQLModel ``str`` column at all (its ``AutoString`` is refused
as "Invalid value" otherwise: the bug this import replaces), ``can_import``
and a file size limit the file fits in.

    python -m benchmarks.importing --db sqlite --scale 1 [--rows 100000]
"""

import csv
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from benchmarks.databases import DATA_DIR, from_command_line
from benchmarks.exporting import memory, reset_peak
from benchmarks.measure import login
from benchmarks.pages import csrf_fields
from benchmarks.servers import Server, ours, plain

TIMEOUT = 600.0
_IMPORT_PAGE = re.compile(r"/admin/bench-customer/import/([0-9a-f]{32})$")


@dataclass(frozen=True)
class Step:
    seconds: float
    rss_before: int
    rss_peak: int

    @property
    def growth_mb(self) -> float:
        return (self.rss_peak - self.rss_before) / 1024 / 1024


def write_customers(path: Path, rows: int) -> Path:
    """``rows`` new customers (e-mails no shop row has), as a CSV with a header:
    an empty ``id`` and a ``created_at``, which sqladmin's importer requires
    (its form has every column); ours maps ``created_at`` to nothing (the
    model sets it) and the empty ``id`` to the key, new rows getting theirs."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "email", "full_name", "city", "created_at"])
        for index in range(rows):
            moment = start + timedelta(seconds=index)
            writer.writerow(
                [
                    "",
                    f"imported{index}@example.org",
                    f"Imported Customer {index}",
                    ("Lyon", "Oslo", "Porto", "Riga")[index % 4],
                    moment.strftime("%Y-%m-%d %H:%M:%S"),
                ]
            )
    return path


def _measured(
    server: Server, action: Callable[[], httpx.Response]
) -> tuple[Step, httpx.Response]:
    reset_peak(server.pid)
    before = memory(server.pid)["VmRSS"]
    started = time.perf_counter()
    response = action()
    seconds = time.perf_counter() - started
    return Step(seconds, before, memory(server.pid)["VmHWM"]), response


def ours_import(server: Server, path: Path) -> tuple[Step, Step, str]:
    client = login(server, TIMEOUT)
    page = client.get("/admin/bench-customer/import")
    fields = csrf_fields(page.text)

    def upload() -> httpx.Response:
        with path.open("rb") as file:
            return client.post(
                "/admin/bench-customer/import",
                data={**fields, "encoding": "utf-8"},
                files={"file": (path.name, file, "text/csv")},
            )

    upload_step, answer = _measured(server, upload)
    location = answer.headers.get("location", "")
    if location.endswith("/mapping"):
        # The file's created_at fills no field: the mapping step, which runs
        # the dry run when posted. Both steps are the preview's time.
        mapping = client.get(location)
        chosen = dict(
            re.findall(
                r'name="(column_\d+)">(?:(?!</select>).)*?'
                r'<option value="(\w*)" selected',
                mapping.text,
                re.S,
            )
        )
        posted = {**csrf_fields(mapping.text), **chosen, "match": ""}
        mapping_step, answer = _measured(
            server, lambda: client.post(location, data=posted)
        )
        upload_step = Step(
            upload_step.seconds + mapping_step.seconds,
            upload_step.rss_before,
            max(upload_step.rss_peak, mapping_step.rss_peak),
        )
        location = answer.headers.get("location", "")
    preview_step = upload_step
    found = _IMPORT_PAGE.search(location)
    if answer.status_code != 303 or found is None:
        raise RuntimeError(
            f"upload answered {answer.status_code} {location}: {answer.text[:500]}"
        )
    preview = client.get(location)
    counts = re.findall(r'data-count="(\w+)">([\d,]+)<', preview.text)
    confirm_fields = csrf_fields(preview.text)
    confirm_step, done = _measured(
        server,
        lambda: client.post(f"{location}/confirm", data=confirm_fields),
    )
    result = client.get(done.headers.get("location", location))
    done_counts = re.findall(r'data-count="(\w+)">([\d,]+)<', result.text)
    if "import-result" not in result.text:
        alert = re.search(r'role="alert">([^<]*)<', result.text)
        said = alert.group(1) if alert else result.text[:300]
        raise RuntimeError(f"confirm did not finish ({done.headers}): {said}")
    return preview_step, confirm_step, f"preview {counts}, done {done_counts}"


def plain_import(server: Server, path: Path) -> tuple[Step, str]:
    client = login(server, TIMEOUT)

    def upload() -> httpx.Response:
        with path.open("rb") as file:
            return client.post(
                "/admin/bench-customer/import",
                files={"csvfile": (path.name, file, "text/csv")},
            )

    step, answer = _measured(server, upload)
    return step, f"{answer.status_code} {answer.text[-300:]!r}"


def forget_imported(url: str) -> None:
    """Delete the rows ours imported, so sqladmin imports the same file anew."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("DELETE FROM bench_customer WHERE email LIKE 'imported%'")
            )
    finally:
        engine.dispose()


def main() -> None:
    args, database = from_command_line(
        "Import a CSV of customers: ours (preview, confirm) and plain sqladmin's."
    )
    rows = 100_000
    path = write_customers(DATA_DIR / f"customers-{rows}.csv", rows)
    size = path.stat().st_size / 1024 / 1024
    print(f"{database.kind}, scale {args.scale}: {rows:,} rows, {size:.1f} MB")
    forget_imported(database.url)  # a --reuse'd database's last run
    with ours(database.url) as server:
        preview, confirm, said = ours_import(server, path)
    print(
        f"ours: preview {preview.seconds:.1f} s (+{preview.growth_mb:.0f} MB "
        f"peak RSS), confirm {confirm.seconds:.1f} s "
        f"(+{confirm.growth_mb:.0f} MB); {said}"
    )
    forget_imported(database.url)
    with plain(database.url, "naive", imports=True) as server:
        step, said = plain_import(server, path)
    print(f"sqladmin: import {step.seconds:.1f} s (+{step.growth_mb:.0f} MB); {said}")
    ratio = step.seconds / max(preview.seconds + confirm.seconds, 1e-9)
    print(f"ratio sqladmin / ours (preview + confirm): {ratio:.2f}")


if __name__ == "__main__":
    main()
