"""The demo's pages hold their layout at 390 px (a phone) and 1400 px: the page
never scrolls sideways, a wide table scrolls inside its card with its header
row in sight, and the filters sit beside the list or below it, never over it."""

from typing import Any

import pytest

from tests.browser import widths_on_databases
from tests.demo_site import demo, settings  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("demo")

WIDTHS = {"narrow": (390, 844), "wide": (1400, 900)}
PAGES = (
    "/admin/",
    "/admin/order/list",
    "/admin/user/list?search=ma",
    "/admin/order/details/10",
    "/admin/order/create",
    "/admin/project/edit/3",
    "/admin/order-item/delete?pks=1",
    "/admin/audit-entry/list",
)


def box(page: Any, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, selector
    return dict(found)


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@widths_on_databases(("sqlite", "narrow"), ("postgresql", "wide"))
def test_the_layout_holds(page, width: str) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    no_page_scrolls_sideways(page, width)
    the_list_and_its_filters_do_not_overlap(page, width)
    a_wide_table_scrolls_in_its_card_under_its_header(page, width)


def no_page_scrolls_sideways(page: Any, width: str) -> None:
    wide, _ = WIDTHS[width]
    wider = []
    for path in PAGES:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
        if scroll_width > wide:
            wider.append((path, scroll_width))
    assert not wider


def the_list_and_its_filters_do_not_overlap(page: Any, width: str) -> None:
    """The filter panel (lists/filters.html) sits above the table, in the list's
    card and as wide as it: the table keeps the card's whole width."""
    wide, _ = WIDTHS[width]
    page.goto("/admin/order/list")
    table = box(page, ".card .table-responsive")
    panel = box(page, "#filter-panel")
    assert not overlap(table, panel)
    assert panel["y"] + panel["height"] <= table["y"]  # above the rows
    for found in (table, panel):
        assert found["x"] >= 0 and found["x"] + found["width"] <= wide
    assert table["width"] >= panel["width"] - 2


def a_wide_table_scrolls_in_its_card_under_its_header(page: Any, width: str) -> None:
    wide, high = WIDTHS[width]
    page.goto("/admin/order/list")
    scroller = page.locator(".card > .table-responsive")
    sizes = scroller.evaluate(
        "(e) => [e.scrollWidth, e.clientWidth, e.scrollHeight, e.clientHeight]"
    )
    scroll_width, client_width, scroll_height, client_height = sizes
    assert scroll_height > client_height  # 50 rows: taller than the screen
    if width == "narrow":
        assert scroll_width > client_width  # the columns scroll sideways
    # The whole box (its scroll bars too) fits on the screen at once.
    assert box(page, ".card > .table-responsive")["height"] <= high
    assert box(page, ".card > .table-responsive")["width"] <= wide

    scroller.evaluate("(e) => { e.scrollTop = 600; e.scrollLeft = 100; }")
    header = box(page, ".card > .table-responsive thead th:last-child")
    top = box(page, ".card > .table-responsive")["y"]
    assert abs(header["y"] - top) < 1  # the header row stays at the top
    first_row = box(page, ".card > .table-responsive tbody tr:first-child")
    assert first_row["y"] < top  # scrolled out of sight above it


def test_a_detail_page_wraps_long_values_on_a_phone(page) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/admin/order/details/10")
    table = page.locator(".table-bordered").first
    scroll_width, client_width = table.evaluate(
        "(t) => [t.parentElement.scrollWidth, t.parentElement.clientWidth]"
    )
    assert scroll_width <= client_width  # nothing to scroll to: every value in sight
