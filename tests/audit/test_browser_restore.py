"""In a real browser: a row deleted from its list (the modal) is found again by
the audit trail's Deleted rows filter and restored from its history page, by
keyboard, the rows deleted with it included; a soft-deleting model's row goes
to the trash and comes back from it. axe-core checks the new pages."""

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, SQLModel, select

import tests.cascade_models as cascade
import tests.shapes.soft_delete as soft
from admin_app.settings import Settings
from tests.browser import assert_accessible
from tests.conftest import make_settings

MODELS = ["tests.sample_models", "tests.cascade_models", "tests.shapes.soft_delete"]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(
        database_url, tmp_path, models=MODELS, exclude_models=["OrchardLedger"]
    )


@pytest.fixture
def orchard(engine: Engine) -> int:
    with Session(engine) as session:
        orchard = cascade.Orchard(name="Old Hill")
        trees = [cascade.FruitTree(name=f"Apple {i}", orchard=orchard) for i in (1, 2)]
        session.add_all(trees)
        session.add(cascade.Harvest(name="Crop", tree=trees[0]))
        session.add(cascade.Beehive(name="Hive", orchard=orchard))
        session.commit()
        assert orchard.id is not None
        return orchard.id


@pytest.fixture
def documents(engine: Engine) -> None:
    with Session(engine) as session:
        soft.seed(session)
        session.commit()


def count(engine: Engine, model: type[SQLModel], *where: Any) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))  # type: ignore[no-any-return]


def delete_from_list(page: Any, identity: str, key: str) -> None:
    """Delete a row by its list's trash button and the modal's Delete."""
    page.goto(f"/admin/{identity}/list")
    page.click(f'a[data-bs-target="#modal-delete"][data-pk="{key}"]')
    confirm = page.locator("#modal-delete [data-role=delete-confirm]")
    confirm.wait_for(state="visible")
    page.wait_for_function(
        "() => !document.querySelector('#modal-delete [data-role=delete-confirm]')"
        ".disabled"
    )
    confirm.click()
    page.wait_for_url(f"**/admin/{identity}/list**")


def test_delete_then_restore_with_what_went_with_it(
    page: Any, engine: Engine, orchard: int
) -> None:
    delete_from_list(page, "orchard", str(orchard))
    assert count(engine, cascade.Orchard) == count(engine, cascade.FruitTree) == 0

    # The trail's Deleted rows filter links the row to its history page.
    page.goto("/admin/audit-entry/list?deleted=not_restored")
    page.click(f'a[href$="/admin/orchard/history/{orchard}"]')
    page.wait_for_url(f"**/admin/orchard/history/{orchard}")
    form = page.locator("[data-role=restore-form]")
    assert "Also restore the 4 rows deleted or unlinked with it" in form.inner_text()
    assert_accessible(page)

    # By keyboard: tick the box, then Restore.
    box = page.locator("[data-role=restore-with-it]")
    box.focus()
    page.keyboard.press("Space")
    assert box.is_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.role") == "restore"
    page.keyboard.press("Enter")

    page.wait_for_url(f"**/admin/orchard/details/{orchard}")
    assert "Restored orchard “Old Hill”" in page.content()
    assert count(engine, cascade.Orchard) == 1
    assert count(engine, cascade.FruitTree) == 2
    assert count(engine, cascade.Harvest) == 1
    assert count(engine, cascade.Beehive, cascade.Beehive.orchard_id == orchard) == 1
    page.goto("/admin/audit-entry/list?deleted=not_restored")
    assert page.locator(f'a[href$="/admin/orchard/history/{orchard}"]').count() == 0


def test_a_soft_deleted_row_goes_to_the_trash_and_back(
    page: Any, engine: Engine, documents: None
) -> None:
    delete_from_list(page, "soft-document", "plan")
    with Session(engine) as session:
        assert session.get(soft.SoftDocument, "plan").deleted_at is not None  # type: ignore[union-attr]
    assert page.locator('a[data-pk="plan"]').count() == 0

    page.click("[data-role=trash-link]")
    page.wait_for_url("**/admin/soft-document/list?trash=1")
    assert page.locator('a[data-pk="plan"]').count() == 1
    assert_accessible(page)

    page.goto("/admin/soft-document/details/plan")
    banner = page.locator("[data-role=in-trash]")
    assert "is in the trash" in banner.inner_text()
    assert_accessible(page)
    banner.locator("[data-role=restore]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.url.endswith("/admin/soft-document/details/plan")
    assert "Restored soft document “Plan”" in page.content()
    assert page.locator("[data-role=in-trash]").count() == 0
    with Session(engine) as session:
        assert session.get(soft.SoftDocument, "plan").deleted_at is None  # type: ignore[union-attr]
    page.goto("/admin/soft-document/list")
    assert re.search(r'data-pk="plan"', page.content())
