"""Results as markdown tables, printed and kept in ``benchmarks/results/``."""

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from benchmarks.exporting import ExportStats
from benchmarks.measure import Stats
from benchmarks.scenarios import Scenario, ratio
from benchmarks.throughput import Throughput

RESULTS_DIR = Path(__file__).resolve().parent / "results"
# The export targets: time against sqladmin's; memory for 1M rows.
EXPORT_RATIO = 0.5
EXPORT_GROWTH_MB = 50


@dataclass(frozen=True)
class Row:
    scenario: Scenario
    ours: Stats
    # None: sqladmin was not asked (``skipped`` says why).
    theirs: Stats | None
    skipped: str = ""

    @property
    def ratio(self) -> float:
        return ratio(self.ours, self.theirs)

    @property
    def label(self) -> str:
        return f"{self.scenario.name} (vs {self.scenario.against})"


def seconds(value: float) -> str:
    if math.isnan(value):
        return "—"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def size(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f} MB"
    return f"{value / 1000:.1f} kB" if value >= 1000 else f"{value:.0f} B"


def times(value: float) -> str:
    if math.isnan(value):
        return "—"
    return f"{value:.2g}x" if value < 0.1 else f"{value:.2f}x"


def cells(stats: Stats | None, skipped: str = "") -> list[str]:
    if stats is None:
        return [skipped or "—", "—", "—", "—"]
    if stats.error:
        return [f"**{stats.error}**", "—", "—", "—"]
    statements = "—" if stats.statements is None else str(stats.statements)
    return [seconds(stats.p50), seconds(stats.p95), size(stats.size), statements]


def verdict(met: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "—"}[met]


def table(rows: list[Row]) -> str:
    header = (
        "| scenario | sqladmin setup | ours p50 | ours p95 | ours size | ours SQL "
        "| sqladmin p50 | sqladmin p95 | sqladmin size | sqladmin SQL "
        "| ours / sqladmin | target | met |"
    )
    lines = [header, "|" + "---|" * 13]
    for row in rows:
        target = row.scenario.target
        met = target.met(row.ours, row.theirs) if target else None
        values = [
            row.scenario.name, row.scenario.against, *cells(row.ours),
            *cells(row.theirs, row.skipped), times(row.ratio),
            target.text() if target else "", verdict(met) if target else "",
        ]  # fmt: skip
        lines.append("| " + " | ".join(values) + " |")
    return "\n".join(lines)


def items_notes(rows: list[Row]) -> str:
    """What the forms and pickers held: ``<option>``s, or picker results."""
    notes: dict[str, list[str]] = {}
    for row in rows:
        if "form" not in row.scenario.name and "picker" not in row.scenario.name:
            continue
        parts = notes.setdefault(row.scenario.name, [f"ours {row.ours.items}"])
        if row.theirs is not None and row.theirs.items is not None:
            parts.append(f"sqladmin {row.scenario.against} {row.theirs.items}")
    return "\n".join(f"- {name}: " + ", ".join(parts) for name, parts in notes.items())


def export_table(exports: dict[str, ExportStats]) -> str:
    lines = [
        "| admin | rows | p50 | p95 | size | SQL | RSS before | peak RSS growth |",
        "|" + "---|" * 8,
    ]
    for admin, export in exports.items():
        timing = export.timing
        if timing.error:
            lines.append(f"| {admin} | **{timing.error}** |" + " — |" * 6)
            continue
        values = [
            admin, f"{max(0, export.lines - 1):,}", *cells(timing),
            size(export.rss_before), size(export.growth),
        ]  # fmt: skip
        lines.append("| " + " | ".join(values) + " |")
    ours, theirs = exports.get("ours"), exports.get("sqladmin naive")
    if ours is not None and theirs is not None:
        value = ratio(ours.timing, theirs.timing)
        time_met = None if math.isnan(value) else value <= EXPORT_RATIO
        growth_met = None if ours.timing.error else ours.growth < EXPORT_GROWTH_MB * 1e6
        lines += [
            "",
            f"- time, ours / sqladmin: {times(value)} "
            f"(target ≤ {EXPORT_RATIO:g}x: {verdict(time_met)})",
            f"- ours' peak RSS growth: {size(ours.growth)} "
            f"(target < {EXPORT_GROWTH_MB} MB for 1M rows: {verdict(growth_met)})",
        ]
    return "\n".join(lines)


def throughput_table(results: list[Throughput]) -> str:
    lines = [
        "| admin | workers | clients | requests/s | p50 latency | answers "
        "| driver CPU |",
        "|" + "---|" * 7,
    ]
    for result in results:
        answers = ", ".join(
            f"{n:,} x {status}" for status, n in result.statuses.items()
        )
        rate = "—" if result.error else f"{result.per_second:,.1f}"
        values = [
            result.admin, str(result.workers), str(result.clients), rate,
            seconds(result.p50), result.error or answers or "—",
            f"{result.driver_cpu:.0%}",
        ]  # fmt: skip
        lines.append("| " + " | ".join(values) + " |")
    return "\n".join(lines)


def result_path(db: str, scale: float, suffix: str = "md") -> Path:
    return RESULTS_DIR / f"{date.today().isoformat()}-{db}-scale{scale:g}.{suffix}"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
