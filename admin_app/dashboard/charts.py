"""Charts drawn in Python as inline SVG: no script, nothing fetched.

Colours are classes (``dashboard-band-N``, in ``css/dashboard.css``) over
Tabler's CSS variables and ``currentColor``, so a dark theme recolours them.
Each chart is ``role="img"`` with an ``aria-label`` summing it up; the
figures themselves are in a visually hidden table beside it (the templates).
"""

from collections.abc import Sequence

from markupsafe import Markup, escape

# Bands coloured apart; more groups than this reuse the colours.
BANDS = 8
SPARK_WIDTH, SPARK_HEIGHT = 120, 32
BAR_WIDTH, BAR_HEIGHT = 600, 160


def _svg(width: int, height: int, label: str, body: str, kind: str) -> Markup:
    """``body`` is numbers and class names only; the label is escaped."""
    return Markup(  # noqa: S704
        f'<svg class="dashboard-chart dashboard-{kind}" viewBox="0 0 {width} {height}"'
        f' preserveAspectRatio="none" role="img" aria-label="{escape(label)}"'
        ' focusable="false" xmlns="http://www.w3.org/2000/svg">'
        f"{body}</svg>"
    )


def sparkline(values: Sequence[float], label: str) -> Markup:
    """A line of ``values`` (oldest first) with its area shaded."""
    if not values:
        return Markup("")
    top = max(values) or 1.0
    step = SPARK_WIDTH / max(len(values) - 1, 1)
    points = [
        (
            round(i * step, 2),
            round(SPARK_HEIGHT - 2 - (v / top) * (SPARK_HEIGHT - 4), 2),
        )
        for i, v in enumerate(values)
    ]
    line = " ".join(f"{x},{y}" for x, y in points)
    area = f"0,{SPARK_HEIGHT} {line} {SPARK_WIDTH},{SPARK_HEIGHT}"
    body = (
        f'<polygon class="dashboard-spark-area" points="{area}"/>'
        f'<polyline class="dashboard-spark-line" points="{line}" fill="none"'
        ' stroke="currentColor" stroke-width="1.5" vector-effect="non-scaling-stroke"/>'
    )
    return _svg(SPARK_WIDTH, SPARK_HEIGHT, label, body, "sparkline")


def stacked_bars(bands: Sequence[Sequence[float]], label: str) -> Markup:
    """A bar per period, each band stacked on the previous ones (the axis's
    dates are HTML under it: text in a stretched SVG would stretch too)."""
    if not bands or not bands[0]:
        return Markup("")
    periods = len(bands[0])
    totals = [sum(band[i] for band in bands) for i in range(periods)]
    top = max(totals) or 1.0
    slot = BAR_WIDTH / periods
    gap = min(2.0, slot / 4)
    plot = BAR_HEIGHT - 1
    parts = [
        f'<line class="dashboard-axis" x1="0" y1="{plot}" x2="{BAR_WIDTH}"'
        f' y2="{plot}" stroke="currentColor" stroke-width="1"/>'
    ]
    for i in range(periods):
        base = float(plot)
        for number, band in enumerate(bands):
            height = band[i] / top * (plot - 2)
            if height <= 0:
                continue
            base -= height
            parts.append(
                f'<rect class="dashboard-band-{number % BANDS}"'
                f' x="{round(i * slot + gap / 2, 2)}" y="{round(base, 2)}"'
                f' width="{round(slot - gap, 2)}" height="{round(height, 2)}"/>'
            )
    return _svg(BAR_WIDTH, BAR_HEIGHT, label, "".join(parts), "bars")
