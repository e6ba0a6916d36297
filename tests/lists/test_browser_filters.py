"""In a real browser, on the demo's orders: a requester picked by typing a
name, a date period, a chip removed, the filter panel closed and remembered
(and closed at first on a phone's width)."""

import re
from pathlib import Path
from typing import Any

import pytest

from admin_app.settings import Settings
from tests.browser import logged_in_page
from tests.conftest import make_settings
from tests.lists.test_filter_panel import demo  # noqa: F401 (a fixture)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path, models=["models"])


def shown(page: Any) -> list[str]:
    text = " ".join(page.locator("tbody tr").all_inner_texts())
    return sorted(set(re.findall(r"PO-[0-9]+", text)))


def test_pick_by_name_a_period_and_remove_a_chip(
    page: Any,
    demo: dict[str, Any],  # noqa: F811
) -> None:
    page.goto("/admin/order/list")
    cell = page.locator('[data-filter="requester_id"]')
    cell.locator(".select2-selection").click()
    cell.locator(".select2-search__field").fill("Maya")
    page.locator(".select2-results__option", has_text="Maya Lin").click()
    cell.locator("button[type=submit]").click()
    page.wait_for_url(f"**requester_id={demo['users'][0]}**")
    assert shown(page) == ["PO-1", "PO-2"]
    assert "requester_id=&" not in page.url  # the empty key box is not sent

    page.locator('[data-filter="created_at"] a[data-preset="today"]').click()
    page.wait_for_url("**created_at_op=within**")
    assert shown(page) == ["PO-1"]
    chips = page.locator("#filter-chips .filter-chip")
    assert chips.count() == 2
    assert "Requester: Maya Lin" in chips.first.inner_text()

    chips.filter(has_text="Requester").click()
    page.wait_for_url(lambda url: "requester_id" not in url)
    assert shown(page) == ["PO-1"]
    assert page.locator("#filter-chips .filter-chip").count() == 1


def test_the_panel_closes_and_stays_closed_and_starts_closed_on_a_phone(
    chromium: Any,
    live_server: str,
    demo: dict[str, Any],  # noqa: F811
) -> None:
    page = logged_in_page(chromium, live_server)
    try:
        page.goto("/admin/order/list")
        panel = page.locator("#filter-panel")
        assert panel.evaluate("el => el.open")
        page.locator("#filter-panel > summary").click()
        assert not panel.evaluate("el => el.open")
        assert not page.locator('[data-filter="status"]').is_visible()
        page.reload()
        assert not page.locator("#filter-panel").evaluate("el => el.open")
        page.locator("#filter-panel > summary").press("Enter")
        page.reload()
        assert page.locator("#filter-panel").evaluate("el => el.open")
    finally:
        page.context.close()

    phone = logged_in_page(chromium, live_server)
    try:
        phone.set_viewport_size({"width": 390, "height": 800})
        phone.goto("/admin/order/list")
        assert not phone.locator("#filter-panel").evaluate("el => el.open")
        phone.locator("#filter-panel > summary").click()
        assert phone.locator('[data-filter="status"]').is_visible()
    finally:
        phone.context.close()


def test_without_javascript_a_key_box_and_a_plain_select_filter(
    chromium: Any,
    live_server: str,
    demo: dict[str, Any],  # noqa: F811
) -> None:
    page = logged_in_page(chromium, live_server, javascript=False)
    try:
        page.goto("/admin/order/list")
        cell = page.locator('[data-filter="requester_id"]')
        cell.locator('input[name="requester_id"]').fill(str(demo["users"][2]))
        cell.locator("button[type=submit]").click()
        page.wait_for_url("**requester_id=**")
        assert shown(page) == ["PO-4", "PO-5", "PO-6"]
        picked = page.locator('[data-filter="requester_id"] select option:checked')
        assert picked.all_inner_texts() == ["Olivia Bianchi"]
        # Applied again as it stands, with a name typed into the key box.
        cell = page.locator('[data-filter="requester_id"]')
        cell.locator('input[name="requester_id"]').fill("Maya")
        cell.locator("button[type=submit]").click()
        page.wait_for_url("**requester_id=Maya**")
        assert (
            "“Requester” cannot use “Maya”"
            in page.locator(".alert-danger").inner_text()
        )
        assert shown(page) == [f"PO-{n}" for n in range(1, 7)]
    finally:
        page.context.close()
