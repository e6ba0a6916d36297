"""The dry run and the confirmed import, each over the whole file, streamed a
chunk at a time (these run in a worker thread, through
:func:`admin_app.db.run_in_session`).

The dry run reads, never writes, and ends with a rollback. The confirm runs
the same checks again in one transaction and writes each chunk as it goes;
all-or-nothing unless the person chose only the valid rows, and refused as a
whole (rolled back) when what it finds differs from what the preview showed.
Its progress (rows done of the total) is kept in this process for the page
that polls it.
"""

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from sqladmin.i18n import gettext
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session
from sqlmodel import col

from admin_app.exports.formats import neutralise
from admin_app.forms.integrity import explain_database_error
from admin_app.imports.checking import CHUNK_ROWS, Checked, Checker
from admin_app.imports.readers import Opened
from admin_app.imports.records import ImportRecord, State
from admin_app.imports.writing import Writer

SHOWN_REFUSED = 20
ERROR_COLUMN = "error"
COUNTED = ("create", "update", "unchanged", "refused")

# import id → (rows done, rows in all): the confirm's progress, in this process.
PROGRESS: dict[str, tuple[int, int]] = {}


class ImportFailed(Exception):
    """The confirmed import wrote nothing; ``str()`` says why."""


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTED, 0))
    # The first refused rows: (row number, messages).
    refused: list[tuple[int, list[str]]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, chunk: Sequence[Checked]) -> None:
        for item in chunk:
            self.counts[item.action] += 1
            if item.action == "refused" and len(self.refused) < SHOWN_REFUSED:
                self.refused.append((item.number, item.errors))


def chunks(opened: Opened) -> Iterator[list[tuple[int, list[str]]]]:
    rows = iter(opened.rows)
    while chunk := list(islice(rows, CHUNK_ROWS)):
        yield chunk


def dry_run(
    session: Session, checker: Checker, opened: Opened, refused_file: Path
) -> Report:
    """What the file would do; its refused rows, with an error column, written
    to ``refused_file`` (cells as exports write them: never a formula)."""
    report = Report()
    try:
        with refused_file.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow([*opened.headers, ERROR_COLUMN])
            for chunk in chunks(opened):
                checked = checker.check(session, chunk)
                report.add(checked)
                for item in checked:
                    if item.action == "refused":
                        cells = [neutralise(cell) for cell in item.cells]
                        writer.writerow([*cells, neutralise("; ".join(item.errors))])
    finally:
        session.rollback()
    return report


def confirm(
    session: Session,
    checker: Checker,
    writer: Writer,
    opened: Opened,
    record_id: str,
    expected: dict[str, int],
    valid_only: bool,
) -> Report:
    """Check and write every row in ``session``'s one transaction, mark the
    import done and commit; or roll back and raise :class:`ImportFailed`."""
    report = Report()
    total = sum(expected.get(name, 0) for name in COUNTED)
    PROGRESS[record_id] = (0, total)
    try:
        for chunk in chunks(opened):
            checked = checker.check(session, chunk)
            report.add(checked)
            if report.counts["refused"] and not valid_only:
                raise ImportFailed(
                    gettext("Row %(row)s was refused: nothing was imported.")
                    % {"row": report.refused[0][0]}
                )
            writer.write(session, checked)
            PROGRESS[record_id] = (report.total, total)
        if {k: report.counts[k] for k in COUNTED} != {
            k: expected.get(k, 0) for k in COUNTED
        }:
            raise ImportFailed(
                gettext(
                    "The table changed since the preview (its counts differ now): "
                    "nothing was imported. Preview the file again."
                )
            )
        moved(
            session,
            record_id,
            State.running,
            State.done,
            counts=report.counts,
            finished_at=datetime.now(UTC),
        )
        session.commit()
    except ImportFailed:
        session.rollback()
        raise
    except DBAPIError as exc:
        session.rollback()
        explained = explain_database_error(exc, checker.model, {}, None)
        raise ImportFailed(
            gettext("The database refused the import: %(why)s Nothing was imported.")
            % {"why": str(explained)}
        ) from None
    except (StatementError, ValueError) as exc:
        session.rollback()
        raise ImportFailed(
            gettext("A value could not be written (%(why)s): nothing was imported.")
            % {"why": type(exc).__name__}
        ) from None
    finally:
        PROGRESS.pop(record_id, None)
    return report


def moved(
    session: Session, record_id: str, was: State, now: State, **values: Any
) -> bool:
    """Move the import from state ``was`` to ``now`` (with ``values``) in
    ``session``'s transaction, if it is still in ``was``: a conditional
    UPDATE, so of two requests doing it, one does."""
    result: Any = session.execute(
        update(ImportRecord)
        .where(col(ImportRecord.id) == record_id, col(ImportRecord.state) == was.value)
        .values(state=now.value, **values)
    )
    return bool(result.rowcount == 1)


def claim(session: Session, record_id: str) -> bool:
    """Mark a previewed import running, in a transaction of its own; False
    when it is not previewed any more (confirmed already, or running)."""
    claimed = moved(session, record_id, State.previewed, State.running)
    session.commit()
    return claimed


def release(session: Session, record_id: str) -> None:
    """A failed confirm's import is previewed again (it may be confirmed with
    only its valid rows, or previewed anew)."""
    moved(session, record_id, State.running, State.previewed)
    session.commit()
