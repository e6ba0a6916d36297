"""A PNG bar chart of the ratios ours p50 / sqladmin p50 (below 1: ours is
faster), on a log scale; matplotlib (the ``bench`` extra) with its Agg backend."""

import math
from pathlib import Path

from benchmarks.report import times


def draw(ratios: list[tuple[str, float]], title: str, path: Path) -> bool:
    """One horizontal bar per ``(label, ratio)``; False when matplotlib is
    missing (``pip install -e '.[bench]'``) or no ratio is known."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot
    except ImportError:
        return False
    known = [(label, value) for label, value in ratios if not math.isnan(value)]
    if not known:
        return False
    labels = [label for label, _ in known]
    values = [value for _, value in known]
    figure, axes = pyplot.subplots(figsize=(11, 0.32 * len(known) + 1.6))
    colours = ["tab:green" if value <= 1 else "tab:red" for value in values]
    # Bars grow from 1 (as fast as sqladmin) to the ratio, either way.
    widths = [value - 1 for value in values]
    axes.barh(range(len(known)), widths, left=1, color=colours)
    axes.set_yticks(range(len(known)), labels, fontsize=8)
    axes.invert_yaxis()
    axes.set_xscale("log")
    # Room for the labels beyond the longest bars.
    axes.set_xlim(min(*values, 1) / 8, max(*values, 1) * 8)
    axes.axvline(1, color="black", linewidth=0.8)
    axes.set_xlabel("ours p50 / sqladmin p50 (log scale; below 1: ours is faster)")
    axes.set_title(title, fontsize=10)
    for index, value in enumerate(values):
        # Beyond the bar's free end, away from the line at 1.
        faster = value < 1
        axes.annotate(
            times(value), (value, index), xytext=(-3 if faster else 3, 0),
            textcoords="offset points", va="center", fontsize=7,
            ha="right" if faster else "left",
        )  # fmt: skip
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
    return True
