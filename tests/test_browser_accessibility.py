"""Every page kind of the demo, read by axe-core in chromium (light theme),
wide (1400 px) and narrow (390 px): no serious or critical violations (an
input without a label, a button without a name, text below 4.5:1 contrast,
ARIA misused). The checker is ``tests.browser.assert_accessible``, for any
browser test to call. And the keyboard alone reaches every control of a list
and a form, and saves the form."""

from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from models.tables import Project
from tests.browser import accessibility_violations, widths_on_databases
from tests.demo_site import demo, settings  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("demo")

WIDTHS = {"wide": (1400, 900), "narrow": (390, 844)}

# Page kind → path on the seeded demo (its keys are the same on every run).
PAGES = {
    "dashboard": "/admin/",
    "list": "/admin/order/list",
    "list, searched and filtered": "/admin/order/list?search=PO-00&status=shipped"
    "&is_urgent=true&sortBy=total&sort=desc",
    "list, no rows": "/admin/order/list?search=nothing-like-this",
    "list, last page": "/admin/order/list?page=last",
    "details": "/admin/order/details/10",
    "create": "/admin/order/create",
    "edit": "/admin/project/edit/3",
    "delete confirmation": "/admin/order-item/delete?pks=1",
    "export confirmation": "/admin/order/export/csv",
    "account password": "/admin/account/password",
    "account time zone": "/admin/account/time-zone",
    "admin users": "/admin/admin-user/list",
    "audit list": "/admin/audit-entry/list",
}


def refused_edit(page: Any) -> None:
    """The project edit form sent back with an error (its name emptied, the
    browser's own check of ``required`` turned off)."""
    page.goto("/admin/project/edit/3")
    page.fill("#name", "")
    page.eval_on_selector("#name", "input => { input.form.noValidate = true; }")
    page.click("input[type=submit][value=Save]")
    page.wait_for_selector(".is-invalid, .invalid-feedback")


def saved_edit_history(page: Any) -> None:
    """A project renamed, then its history page (one entry to show)."""
    page.goto("/admin/project/edit/3")
    page.fill("#name", "Lunar Gateway II")
    page.click("input[type=submit][value=Save]")
    page.wait_for_url("**/admin/project/list**")
    page.goto("/admin/project/history/3")


def delete_dialog(page: Any) -> None:
    """The list with a row's delete dialog open (sqladmin's modal)."""
    page.goto("/admin/order/list")
    page.click("tbody tr:first-child a[data-bs-target='#modal-delete']")
    page.wait_for_selector("#modal-delete.show")


STATES = {
    "edit, refused": refused_edit,
    "history": saved_edit_history,
    "list, delete dialog": delete_dialog,
}


@widths_on_databases(("sqlite", "wide"), ("postgresql", "narrow"))
def test_every_page_kind_has_no_serious_violations(  # type: ignore[no-untyped-def]
    page, chromium, live_server: str, width: str
) -> None:
    wide, high = WIDTHS[width]
    found: list[str] = []

    visitor = chromium.new_context(
        base_url=live_server, viewport={"width": wide, "height": high}
    )
    login = visitor.new_page()
    login.goto("/admin/login")
    found += accessibility_violations(login)
    visitor.close()

    page.set_viewport_size({"width": wide, "height": high})
    for path in PAGES.values():
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        found += accessibility_violations(page)
    for reach in STATES.values():
        reach(page)
        page.wait_for_load_state("networkidle")
        found += accessibility_violations(page)
    assert not found, "\n".join(found)


def test_a_bool_cell_says_yes_or_no(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/admin/order/list?is_urgent=true")
    cells = page.locator("tbody tr:first-child td:has(.fa-check)")
    assert cells.count() == 1
    assert cells.first.locator(".fa-check").get_attribute("aria-hidden") == "true"
    # Shown: the tick alone; read: the word.
    assert cells.first.locator(".visually-hidden").text_content() == "Yes"
    assert cells.first.text_content().strip() == "Yes"
    page.goto("/admin/order/list?is_urgent=false")
    crosses = page.locator("tbody tr:first-child td:has(.fa-times)")
    assert crosses.first.text_content().strip() == "No"


# The controls a keyboard must reach: every one shown and enabled, but a
# select2 picker's own <select> (its combobox stands in for it) and a link
# marked disabled (the search's Clear with no search).
_MARK_CONTROLS = """() => {
  const found = [...document.querySelectorAll(
    "a[href], button, input, select, textarea, [tabindex]:not([tabindex='-1'])"
  )].filter((e) => !e.disabled && e.type !== "hidden"
    && e.getClientRects().length > 0
    && getComputedStyle(e).visibility !== "hidden"
    && !e.classList.contains("select2-hidden-accessible")
    && e.getAttribute("aria-disabled") !== "true"
    && !e.closest("[aria-hidden=true], [inert]")
    // Inside a closed <details> (a list's Columns menu): not shown until opened.
    && !e.closest("details:not([open]) > :not(summary)"));
  found.forEach((e, i) => { e.dataset.keyboard = String(i); });
  return found.map((e) => e.outerHTML.slice(0, 100));
}"""


def tab_through(page: Any) -> tuple[list[str], set[int]]:
    """Every control the page shows, and which of them pressing Tab from the
    top of the page reached (until focus came round again)."""
    controls = page.evaluate(_MARK_CONTROLS)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    reached: set[int] = set()
    # A date-time input is a Tab stop per part (day, month, year, hour, …).
    for _ in range(len(controls) * 4 + 20):
        page.keyboard.press("Tab")
        mark = page.evaluate("() => document.activeElement.dataset.keyboard")
        if mark is not None:
            reached.add(int(mark))
        if len(reached) == len(controls):
            break
    return controls, reached


def test_the_keyboard_reaches_every_control_of_a_list(  # type: ignore[no-untyped-def]
    page,
) -> None:
    page.goto("/admin/order/list?pageSize=25&status=submitted")
    controls, reached = tab_through(page)
    assert len(controls) > 25 * 4  # a row: its box, View, Edit, Delete, links
    missed = [controls[i] for i in range(len(controls)) if i not in reached]
    assert not missed, missed
    # The first stop is the skip link, which leads past the menu.
    page.reload()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == (
        "Skip to content"
    )
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('main')")


def test_the_keyboard_fills_and_saves_an_edit_form(  # type: ignore[no-untyped-def]
    page, engine: Engine
) -> None:
    page.goto("/admin/project/edit/3")
    controls, reached = tab_through(page)
    missed = [controls[i] for i in range(len(controls)) if i not in reached]
    assert not missed, missed

    # A picker's chosen member is taken out by keyboard too.
    chosen = page.locator("#members option:checked")
    before = chosen.count()
    page.focus(".select2-selection__choice__remove")
    page.keyboard.press("Enter")
    assert chosen.count() == before - 1
    page.keyboard.press("Escape")  # the picker opens its search: close it

    page.evaluate("() => document.activeElement.blur()")
    for _ in range(len(controls)):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "name":
            break
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("Keyboard Gateway")
    for _ in range(len(controls)):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.value") == "Save":
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/project/list**")
    with Session(engine) as session:
        project = session.get(Project, 3)
        assert project is not None and project.name == "Keyboard Gateway"
