"""Every page kind of the demo, read by axe-core in chromium (light theme),
wide (1400 px) and narrow (390 px): no serious or critical violations (an
input without a label, a button without a name, text below 4.5:1 contrast,
ARIA misused). The checker is ``tests.browser.assert_accessible``, for any
browser test to call."""

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

import models.tables  # noqa: F401  (the demo's tables, made by the engine fixture)
from admin_app.auth.passwords import hash_password
from admin_app.settings import Settings
from models.seed import seed
from tests.browser import accessibility_violations
from tests.conftest import make_settings

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
    "admin users": "/admin/admin-user/list",
    "audit list": "/admin/audit-entry/list",
}


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path, models=["models"])


@pytest.fixture
def demo(engine: Engine) -> None:
    with Session(engine) as session:
        seed(session, hash_password=hash_password)
        session.commit()


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


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_kind_has_no_serious_violations(  # type: ignore[no-untyped-def]
    page, chromium, live_server: str, demo: None, width: str
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


def test_a_bool_cell_says_yes_or_no(page, demo: None) -> None:  # type: ignore[no-untyped-def]
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
