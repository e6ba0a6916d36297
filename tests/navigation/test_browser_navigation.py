"""The sidebar in chromium: at 390 px it is one "Menu" button that the keyboard
opens, scripts or not; at 1400 px it is open; the current page is marked by
more than colour; and axe-core finds nothing serious at either width, with
the environment label (red or amber) on the page."""

from pathlib import Path
from typing import Any

import pytest

from admin_app.settings import Settings
from tests.browser import (
    accessibility_violations,
    logged_in_page,
    widths_on_databases,
)
from tests.conftest import make_settings

WIDTHS = {"narrow": (390, 844), "wide": (1400, 900)}


@pytest.fixture
def environment_name() -> str:
    return "production"


@pytest.fixture
def settings(database_url: str, tmp_path: Path, environment_name: str) -> Settings:
    return make_settings(database_url, tmp_path, environment=environment_name)


def resize(page: Any, width: str) -> None:
    wide, high = WIDTHS[width]
    page.set_viewport_size({"width": wide, "height": high})


def tab_to(page: Any, selector: str, presses: int = 15) -> None:
    """Tab from the top of the page until ``selector`` has the focus."""
    page.locator("body").focus()
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"{selector} never took the focus")


def opens_by_keyboard(page: Any) -> None:
    menu = page.locator("#navbar-menu")
    club = menu.locator("a[data-identity=club]")
    assert not club.is_visible()  # collapsed
    tab_to(page, "#navbar-menu summary")
    page.keyboard.press("Enter")
    assert club.is_visible()
    page.keyboard.press("Tab")  # into the menu: its first link
    first = menu.locator("a[data-identity]").first
    assert first.evaluate("(a) => a === document.activeElement")
    tab_to(page, "#navbar-menu a[data-identity=club]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/club/list")


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_the_narrow_menu_opens_by_keyboard(page: Any) -> None:
    resize(page, "narrow")
    page.goto("/admin/")
    opens_by_keyboard(page)
    # The page it led to is the one marked, and the menu is closed again.
    current = page.locator("#navbar-menu a[aria-current=page]")
    assert current.get_attribute("data-identity") == "club"
    assert not current.is_visible()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_narrow_menu_opens_without_scripts(chromium: Any, live_server: str) -> None:
    page = logged_in_page(chromium, live_server, javascript=False)
    try:
        resize(page, "narrow")
        page.goto("/admin/")
        opens_by_keyboard(page)
    finally:
        page.context.close()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_wide_menu_is_open_and_marks_the_current_page(page: Any) -> None:
    resize(page, "wide")
    page.goto("/admin/member/list")
    menu = page.locator("#navbar-menu")
    assert not menu.locator("summary").is_visible()
    headings = menu.locator(".admin-nav-heading").all_inner_texts()
    assert [text.strip().lower() for text in headings] == [
        "sample models",
        "administration",
    ]
    current = menu.locator("a[aria-current=page]")
    assert current.get_attribute("data-identity") == "member"
    other = menu.locator("a[data-identity=club]")
    assert current.is_visible() and other.is_visible()

    def looks(link: Any) -> list[str]:
        return link.evaluate(  # type: ignore[no-any-return]
            "(a) => { const s = getComputedStyle(a);"
            " return [s.fontWeight, s.boxShadow, s.backgroundColor]; }"
        )

    # Not by colour alone: bolder, with a bar at its side.
    weight, bar, _ = looks(current)
    other_weight, other_bar, _ = looks(other)
    assert int(weight) > int(other_weight)
    assert bar != "none" and other_bar == "none"
    # The environment label, by its text.
    label = page.locator("[data-admin-app=environment]")
    assert label.is_visible()
    assert "production" in label.inner_text().lower()


@pytest.mark.parametrize("environment_name", ["production", "staging"])
@widths_on_databases(("sqlite", "narrow"), ("postgresql", "wide"))
def test_no_serious_violations_at_either_width(page: Any, width: str) -> None:
    resize(page, width)
    found = []
    for path in ("/admin/club/list", "/admin/account/password", "/admin/nope/list"):
        page.goto(path)
        if width == "narrow":
            page.locator("#navbar-menu summary").click()
        found += accessibility_violations(page)
    assert not found, "\n".join(found)
