"""In a real browser: an order's items edited in the order's form. A row is
added by the script (its product picked with the row's picker), one changed,
one deleted, all saved with the order; a row's errors are shown on that row."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

import benchmarks.shop  # noqa: F401  (its tables)
from admin_app.settings import Settings
from benchmarks.shop import BenchOrderItem
from tests.conftest import make_settings
from tests.shop_rows import make_shop


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path, models=["benchmarks.shop"])


@pytest.fixture
def shop(engine: Engine) -> dict[str, Any]:
    return make_shop(engine, (1, 2))


# The inline's rows of inputs (a row's own errors, if any, are a row before it).
ROWS = '[data-role="inline-rows"] > tr:not([data-role])'


def pick(page: Any, name: str, typed: str, choice: str) -> None:
    """Open the select2 picker named ``name``, type, and click ``choice``."""
    page.click(f"select[name='{name}'] + .select2 .select2-selection")
    page.locator(".select2-container--open .select2-search__field").press_sequentially(
        typed
    )
    page.click(f".select2-results__option:has-text('{choice}')")


def items(engine: Engine) -> list[tuple[int, int, Decimal]]:
    with Session(engine) as session:
        rows = session.scalars(select(BenchOrderItem).order_by("id"))
        return [(r.product_id, r.quantity, r.unit_price) for r in rows]


def test_add_edit_delete_items_and_save(
    page: Any, engine: Engine, shop: dict[str, Any]
) -> None:
    page.goto(f"/admin/bench-order/edit/{shop['order']}")
    inline = page.locator('[data-inline="items"]')
    assert inline.locator(ROWS).count() == 5  # 2 items, 3 blank
    page.fill("input[name='items-0-quantity']", "7")
    page.check("input[name='items-1-_delete']")
    inline.locator('[data-role="inline-add"]').click()
    assert inline.locator(ROWS).count() == 6
    assert page.input_value("input[name='items-_total']") == "6"
    pick(page, "items-5-product", "In", "Ink")
    page.fill("input[name='items-5-quantity']", "3")
    page.fill("input[name='items-5-unit_price']", "2.25")
    page.click("input[type=submit][value=Save]")
    page.wait_for_url("**/admin/bench-order/list**")

    assert items(engine) == [
        (shop["pen"], 7, Decimal("1.00")),
        (shop["ink"], 3, Decimal("2.25")),
    ]


def test_errors_are_shown_on_the_row(
    page: Any, engine: Engine, shop: dict[str, Any]
) -> None:
    page.goto(f"/admin/bench-order/edit/{shop['order']}")
    page.fill("input[name='items-0-quantity']", "5")
    page.fill("input[name='items-2-quantity']", "3")  # a new row without a product
    page.fill("input[name='items-2-unit_price']", "1")
    page.click("input[type=submit][value=Save]")
    page.wait_for_selector('[data-admin-app="row-errors"]')

    row = page.locator(f'[data-inline="items"] {ROWS}').nth(2)
    assert row.locator(".invalid-feedback").inner_text() == "This field is required."
    assert row.locator("select.is-invalid").count() == 1
    # The edits are still in the form; nothing was saved.
    assert page.input_value("input[name='items-0-quantity']") == "5"
    assert [q for _, q, _ in items(engine)] == [1, 2]
