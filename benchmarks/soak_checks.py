"""What the soak checks, from its records and what the database holds after it:
no save lost or half-written, none refused yet written, every delete done once
and audited, no error but those of the killed worker's requests.

Pure functions over plain values (``soak_state`` reads them from the
database), each returning the problems it found, one line each.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from benchmarks.soak_traffic import Record

# Transport errors of requests that began this long after the kill are still
# the killed worker's: a client's kept-alive connection to it fails on reuse.
KILL_GRACE = 5.0


@dataclass(frozen=True)
class Update:
    """An ``update`` audit entry of an edited order: its ``note`` before and
    after, and the fields it says changed."""

    id: int
    row: int
    before: str | None
    after: str | None
    fields: frozenset[str]


def killed(record: Record, killed_at: float | None) -> bool:
    """Whether ``record`` is one of the killed worker's: a request that got no
    answer, in flight at the kill or begun just after it."""
    if killed_at is None or record.error is None:
        return False
    return record.ended >= killed_at and record.started <= killed_at + KILL_GRACE


def outcome(record: Record, killed_at: float | None) -> str:
    """How a request ended, as the report counts it."""
    if killed(record, killed_at):
        return f"killed worker: {record.error}"
    return record.outcome


def check_answers(records: Iterable[Record], killed_at: float | None) -> list[str]:
    """No 5xx and no request without an answer, but the killed worker's."""
    problems = Counter[str]()
    for record in records:
        if record.status is not None and record.status >= 500:
            if killed_at is None or not (
                record.started <= killed_at + KILL_GRACE and record.ended >= killed_at
            ):
                problems[f"{record.kind}: HTTP {record.status}"] += 1
        elif record.error is not None and not killed(record, killed_at):
            problems[f"{record.kind}: {record.error} (no answer)"] += 1
    return [f"{what} x{count}" for what, count in problems.most_common()]


def _in_doubt(record: Record) -> bool:
    """A save whose outcome its client never learnt."""
    return record.error is not None or (record.status or 0) >= 500


def check_saves(
    records: Iterable[Record],
    initial: Mapping[int, str | None],
    final: Mapping[int, str | None],
    updates: Sequence[Update],
) -> list[str]:
    """Every save answered with its redirect is in the trail once, and the row
    holds the last of them; a refused one is nowhere; the trail of each row is
    one unbroken chain from its first value to its last, note changes only."""
    problems: list[str] = []
    saves = [record for record in records if record.kind == "save" and record.marker]
    by_marker = {record.marker: record for record in saves}
    audited = Counter(update.after for update in updates)
    for record in saves:
        seen = audited[record.marker]
        if record.done and seen != 1:
            problems.append(
                f"save {record.marker} of order {record.row} answered "
                f"{record.status} but is in the trail {seen} times"
            )
        elif not record.done and not _in_doubt(record) and seen:
            problems.append(
                f"save {record.marker} of order {record.row} was refused "
                f"({record.status}) but is in the trail"
            )
        elif _in_doubt(record) and seen > 1:
            problems.append(f"save {record.marker} is in the trail {seen} times")
    trails: dict[int, list[Update]] = defaultdict(list)
    for update in sorted(updates, key=lambda entry: entry.id):
        trails[update.row].append(update)
    for row, value in initial.items():
        problems += _check_row(row, value, final.get(row), trails[row], by_marker)
        done = [r for r in saves if r.row == row and r.done]
        if done and final.get(row) == value:
            problems.append(f"order {row}: {len(done)} saves answered, none kept")
    return problems


def _check_row(
    row: int,
    initial: str | None,
    final: str | None,
    trail: list[Update],
    by_marker: Mapping[str | None, Record],
) -> list[str]:
    problems = []
    value = initial
    for update in trail:
        if update.fields != {"note"}:
            shown = ", ".join(sorted(update.fields))
            problems.append(f"order {row}: entry {update.id} changed {shown}")
        if update.before != value:
            problems.append(
                f"order {row}: entry {update.id} changed {update.before!r}, "
                f"but the note was {value!r} (a save lost)"
            )
        if update.after not in by_marker:
            problems.append(f"order {row}: entry {update.id} by no save of the run")
        value = update.after
    if final != value:
        problems.append(f"order {row} holds {final!r}, its trail ends at {value!r}")
    last = by_marker.get(final)
    if last is not None and trail:
        later = [
            r.marker
            for r in by_marker.values()
            if r is not None and r.row == row and r.done and r.started > last.ended
        ]
        if later:
            problems.append(
                f"order {row} holds {final!r}, but {len(later)} saves began after "
                f"it was answered and were answered too ({later[0]}, …)"
            )
    return problems


def check_deletes(
    records: Iterable[Record],
    doomed: Iterable[int],
    remaining: set[int],
    deleted: Mapping[int, int],
) -> list[str]:
    """Every delete answered done took its row; one refused (404, 409: none
    of the soak's customers is refused for another reason) found it gone;
    every doomed row gone is in the trail once, every one left has no entry.
    ``remaining``: the doomed rows still there; ``deleted``: delete entries
    per row."""
    problems = []
    done = Counter[int]()
    for record in records:
        if record.kind != "delete" or record.row is None:
            continue
        if record.done:
            done[record.row] += 1
            if record.row in remaining:
                problems.append(f"customer {record.row}: delete answered, row there")
        elif record.status in (404, 409) and record.row in remaining:
            problems.append(
                f"customer {record.row}: delete refused ({record.status}), row there"
            )
    for row, count in done.items():
        if count > 1:
            problems.append(f"customer {row}: {count} deletes of it answered done")
    for row in doomed:
        entries = deleted.get(row, 0)
        if row in remaining and entries:
            problems.append(f"customer {row}: a delete entry, but the row is there")
        elif row not in remaining and entries != 1:
            problems.append(f"customer {row}: gone, with {entries} delete entries")
    return problems
