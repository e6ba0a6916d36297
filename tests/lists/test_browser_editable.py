"""In a real browser: an editable list's cells are edited in place and saved
with the page's Save button; a bad value comes back as an error on its cell;
a many-to-one cell is a picker that searches."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session
from starlette.applications import Starlette

from admin_app.app import mount_admin
from tests.browser import ARTIFACTS, logged_in_page, serving
from tests.conftest import make_settings
from tests.form_models import Box, Gadget, Shelf
from tests.lists.test_editable import VIEWS


@pytest.fixture
def editable_server(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> Iterator[str]:
    app = Starlette()
    settings = make_settings(database_url, tmp_path, models=["tests.form_models"])
    mount_admin(app, engine=engine, views=VIEWS, settings=settings)
    with serving(app) as url:
        yield url


@pytest.fixture
def page(  # type: ignore[no-untyped-def]
    chromium, editable_server: str, request: pytest.FixtureRequest
) -> Iterator[object]:
    page = logged_in_page(chromium, editable_server)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
    page.context.close()


def counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {g.name: g.count for g in session.scalars(select(Gadget))}


def cell(page, name: str, column: str):  # type: ignore[no-untyped-def]
    """The input of ``column`` in the row of gadget ``name``."""
    return page.locator(f"input[aria-label='{column} of {name}']")


def test_edit_a_cell_save_then_see_an_error_on_a_cell(page, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        session.add_all([Gadget(name="Lamp", count=1), Gadget(name="Fan", count=2)])
        session.commit()

    page.goto("/admin/gadget/list")
    cell(page, "Fan", "Count").fill("12")
    page.click("[data-admin-app=list-edit] button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/admin/gadget/list")
    assert cell(page, "Fan", "Count").input_value() == "12"
    assert counts(engine) == {"Lamp": 1, "Fan": 12}

    cell(page, "Lamp", "Count").fill("-3")
    cell(page, "Fan", "Count").fill("13")
    cell(page, "Fan", "Count").press("Enter")  # Enter submits the page's form
    page.wait_for_selector(".invalid-feedback")
    lamp = cell(page, "Lamp", "Count")
    assert "is-invalid" in (lamp.get_attribute("class") or "")
    assert lamp.input_value() == "-3"
    message = page.locator(
        "td:has(input[aria-label='Count of Lamp']) .invalid-feedback"
    )
    assert "greater than or equal to 0" in message.inner_text()
    assert "Nothing was saved." in page.locator(".alert-danger").inner_text()
    assert counts(engine) == {"Lamp": 1, "Fan": 12}

    lamp.fill("3")
    page.click("[data-admin-app=list-edit] button[type=submit]")
    page.wait_for_url("**/admin/gadget/list")
    assert page.locator(".invalid-feedback").count() == 0
    assert counts(engine) == {"Lamp": 3, "Fan": 13}


def test_a_many_to_one_cell_picks_by_search(page, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        top, low = Shelf(label="Top shelf"), Shelf(label="Low shelf")
        session.add_all([top, low])
        session.flush()
        session.add(Box(label="Tools", shelf_id=top.id))
        session.commit()
        low_id = low.id

    page.goto("/admin/box/list")
    picker = page.locator("select[aria-label='Shelf of Tools']")
    picker.locator("xpath=following-sibling::span[1]").locator(
        ".select2-selection"
    ).click()
    page.locator(".select2-container--open .select2-search__field").press_sequentially(
        "Low"
    )
    page.click(".select2-results__option:has-text('Low shelf')")
    page.click("[data-admin-app=list-edit] button[type=submit]")
    page.wait_for_url("**/admin/box/list")
    with Session(engine) as session:
        assert session.scalars(select(Box)).one().shelf_id == low_id
