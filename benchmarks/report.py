"""Results as a markdown table, printed and kept in ``benchmarks/results/``."""

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from benchmarks.measure import Stats

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Row:
    scenario: str
    setup: str
    ours: Stats
    theirs: Stats | None


def seconds(value: float) -> str:
    if math.isnan(value):
        return "—"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def size(value: int) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f} MB"
    return f"{value / 1000:.1f} kB" if value >= 1000 else f"{value} B"


def cells(stats: Stats | None) -> list[str]:
    if stats is None:
        return ["—"] * 4
    if stats.error:
        return [stats.error, "—", "—", "—"]
    statements = "—" if stats.statements is None else str(stats.statements)
    return [seconds(stats.p50), seconds(stats.p95), size(stats.size), statements]


def ratio(row: Row) -> str:
    theirs = row.theirs
    if theirs is None or theirs.error or math.isnan(row.ours.p50):
        return "—"
    value = theirs.p50 / row.ours.p50
    return f"{value:.2f}x" if value < 1 else f"{value:,.1f}x"


def table(rows: list[Row]) -> str:
    header = (
        "| scenario | sqladmin setup | ours p50 | ours p95 | ours bytes | ours SQL "
        "| sqladmin p50 | sqladmin p95 | sqladmin bytes | sqladmin SQL "
        "| sqladmin p50 / ours p50 |"
    )
    lines = [header, "|" + "---|" * 11]
    for row in rows:
        values = [
            row.scenario, row.setup, *cells(row.ours), *cells(row.theirs), ratio(row)
        ]  # fmt: skip
        lines.append("| " + " | ".join(values) + " |")
    return "\n".join(lines)


def items_notes(rows: list[Row]) -> str:
    """What each response held: ``<option>``s on pages, results from pickers."""
    notes: dict[str, list[str]] = {}
    for row in rows:
        parts = notes.setdefault(row.scenario, [f"ours {row.ours.items}"])
        if row.theirs is not None and row.theirs.items is not None:
            parts.append(f"sqladmin {row.setup} {row.theirs.items}")
    return "\n".join(f"- {name}: " + ", ".join(parts) for name, parts in notes.items())


def result_path(db: str, scale: float, kind: str = "forms") -> Path:
    return RESULTS_DIR / f"{date.today().isoformat()}-{db}-scale{scale:g}-{kind}.md"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
