"""In a real browser, with JavaScript off and on: a form saved as it was shown
keeps every relation, select2 shows the choices the HTML holds (each once), and
clearing a picker is saved as cleared."""

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from admin_app.settings import Settings
from tests.browser import logged_in_page
from tests.conftest import make_settings
from tests.forms.test_forms_without_js import rows, snapshot
from tests.relation_models import Crew

__all__ = ["rows"]  # the fixture, shared with the plain-HTTP tests


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path, models=["tests.relation_models"])


def crew_of(engine: Engine, crew_id: int) -> tuple[Any, ...]:
    with Session(engine) as session:
        crew = session.get(Crew, crew_id)
        assert crew is not None
        return (
            crew.name,
            crew.ship_id,
            crew.base_id,
            crew.dock_id,
            sorted(s.name for s in crew.skills),
            sorted(m.name for m in crew.missions),
        )


def test_without_javascript_a_save_keeps_every_relation(  # type: ignore[no-untyped-def]
    chromium, live_server: str, engine: Engine, rows: dict[str, Any]
) -> None:
    page = logged_in_page(chromium, live_server, javascript=False)
    before = snapshot(engine)
    page.goto(f"/admin/crew/edit/{rows['crew']}")
    # What each picker holds is visible without scripts.
    assert page.locator("select[name=ship] option:checked").inner_text() == "Nautilus"
    assert page.locator("select[name=skills] option:checked").all_inner_texts() == [
        "Rigging",
        "Cooking",
    ]
    page.fill("input[name=name]", "Ned Land")
    page.click("input[type=submit][value=Save]")
    page.wait_for_url("**/admin/crew/list**")
    after = snapshot(engine)
    assert after["rel_crew_skill"] == before["rel_crew_skill"]
    assert after["rel_assignment"] == before["rel_assignment"]
    name, ship, base, dock, skills, missions = crew_of(engine, rows["crew"])
    assert (name, ship, base, dock) == (
        "Ned Land",
        rows["ships"][0],
        rows["outposts"][0],
        rows["docks"][0],
    )
    assert (skills, missions) == (["Cooking", "Rigging"], ["Atlantis", "Fleece"])
    page.context.close()


def test_with_javascript_pickers_show_the_choices_once_and_save_unchanged(  # type: ignore[no-untyped-def]
    page, engine: Engine, rows: dict[str, Any]
) -> None:
    before = snapshot(engine)
    page.goto(f"/admin/crew/edit/{rows['crew']}")
    chips = page.locator("#skills + .select2 .select2-selection__choice")
    assert sorted(c.get_attribute("title") for c in chips.all()) == [
        "Cooking",
        "Rigging",
    ]
    shown = page.locator("#base + .select2 .select2-selection__rendered")
    assert 'North <b>"&' in shown.inner_text()
    page.click("input[type=submit][value=Save]")
    page.wait_for_url("**/admin/crew/list**")
    assert snapshot(engine) == before


def test_with_javascript_clearing_a_picker_and_a_pick_is_saved(  # type: ignore[no-untyped-def]
    page, engine: Engine, rows: dict[str, Any]
) -> None:
    page.goto(f"/admin/crew/edit/{rows['crew']}")
    page.click("#base + .select2 .select2-selection__clear")
    page.keyboard.press("Escape")
    page.locator(
        "#skills + .select2 .select2-selection__choice[title=Rigging] "
        ".select2-selection__choice__remove"
    ).click()
    page.keyboard.press("Escape")
    page.click("input[type=submit][value=Save]")
    page.wait_for_url("**/admin/crew/list**")
    _, ship, base, dock, skills, missions = crew_of(engine, rows["crew"])
    assert (ship, base, dock) == (rows["ships"][0], None, rows["docks"][0])
    assert (skills, missions) == (["Cooking"], ["Atlantis", "Fleece"])
