"""Charts are SVG drawn in Python: an image to screen readers, coloured by
classes (a dark theme recolours them), with values escaped."""

import re

from admin_app.dashboard.charts import BAR_HEIGHT, sparkline, stacked_bars


def test_a_sparkline_is_a_labelled_image_in_the_current_colour() -> None:
    svg = str(sparkline([0, 2, 4, 1], 'rows "per" day <b>'))
    assert 'role="img"' in svg
    assert 'aria-label="rows &#34;per&#34; day &lt;b&gt;"' in svg
    assert 'stroke="currentColor"' in svg
    points = re.search(r'polyline[^>]+points="([^"]+)"', svg)
    assert points is not None
    ys = [float(point.split(",")[1]) for point in points.group(1).split()]
    assert ys.index(min(ys)) == 2  # the highest value is drawn highest
    assert str(sparkline([], "empty")) == ""


def test_bars_stack_their_bands_and_scale_to_the_tallest() -> None:
    svg = str(stacked_bars([[1, 0, 2], [1, 0, 2]], "orders"))
    rects = re.findall(r'<rect class="dashboard-band-(\d)"[^>]+height="([\d.]+)"', svg)
    assert [band for band, _ in rects] == ["0", "1", "0", "1"]  # none for zero
    heights = [float(height) for _, height in rects]
    assert heights[2] + heights[3] == max(heights) * 2
    assert heights[2] + heights[3] <= BAR_HEIGHT
    assert "style=" not in svg  # the CSP allows no inline styles
    assert str(stacked_bars([], "nothing")) == ""


def test_all_zero_draws_an_axis_only() -> None:
    svg = str(stacked_bars([[0, 0, 0]], "quiet"))
    assert "<rect" not in svg and "<line" in svg
