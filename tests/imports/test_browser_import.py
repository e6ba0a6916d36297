"""In a real browser, by keyboard where a person would: the list's Import
button, a file with good and bad rows previewed, the valid rows imported with
the progress shown, the import undone; hostile files refused with a message;
without JavaScript the same steps work as plain form posts. Every page passes
axe's serious and critical checks."""

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.browser import assert_accessible, logged_in_page
from tests.imports.helpers import settings  # noqa: F401  (the fixture)
from tests.imports.models import ImpPerson, ImpTeam

GOOD_AND_BAD = (
    "email,full_name,age,team_id\n"
    "ann@example.org,Ann,30,Red\n"
    "bob@example.org,Bob,-1,Red\n"
    "cy@example.org,Cy,,Blue\n"
    "dee@example.org,Dee,41,\n"
)


@pytest.fixture
def team(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(ImpTeam(name="Red"))
        session.commit()


def emails(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return sorted(session.exec(select(ImpPerson.email)).all())


def choose(page: Any, path: Path) -> None:
    page.set_input_files("#import-file", str(path))


def test_good_and_bad_rows_previewed_then_the_valid_ones_imported_and_undone(
    page: Any, engine: Engine, team: None, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(GOOD_AND_BAD)
    page.goto("/admin/imp-person/list")
    page.focus("#action-import")
    page.keyboard.press("Enter")
    page.wait_for_url("**/imp-person/import")
    assert_accessible(page)
    choose(page, path)
    page.focus("#import-upload")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-admin-app=import-preview]")
    assert_accessible(page)
    refused = page.inner_text("[data-role=import-refused]")
    assert "Age: Input should be greater than or equal to 0" in refused
    assert "Team: No imp team is “Blue”." in refused
    assert page.inner_text("[data-count=create]") == "2"
    assert page.inner_text("[data-count=refused]") == "2"
    assert emails(engine) == []

    confirm = page.locator("form[data-role=import-confirm] button[type=submit]")
    assert confirm.inner_text() == "Import only the 2 valid rows"
    confirm.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-admin-app=import-result]")
    assert_accessible(page)
    assert emails(engine) == ["ann@example.org", "dee@example.org"]

    page.click("text=Undo this import")
    page.wait_for_selector("text=This import was undone")
    assert emails(engine) == []


def test_the_progress_is_shown_while_the_confirm_runs(
    page: Any, engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "many.csv"
    path.write_text(
        "email,full_name\n"
        + "".join(f"p{i}@example.org,Person {i}\n" for i in range(3000))
    )
    page.goto("/admin/imp-person/import")
    choose(page, path)
    page.click("#import-upload")
    page.wait_for_selector("[data-admin-app=import-preview]")
    page.click("form[data-role=import-confirm] button[type=submit]")
    # The script shows the bar at once; the result page follows the POST.
    page.wait_for_selector("[data-admin-app=import-result]")
    assert page.inner_text("[data-count=create]") == "3,000"
    assert len(emails(engine)) == 3000


def hostile_files(tmp_path: Path) -> list[tuple[Path, str]]:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("email,full_name\nz@x.org,Zoë\n".encode("latin-1"))
    twice = tmp_path / "twice.csv"
    twice.write_text("email,full_name,email\n")
    bomb = tmp_path / "bomb.xlsx"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    bomb.write_bytes(out.getvalue())
    not_json = tmp_path / "list.json"
    not_json.write_text('{"email": "a@x.org"}')
    return [
        (latin, "The file is not UTF-8 text"),
        (twice, "The column “email” appears twice in the header."),
        (bomb, "too many for its file's size"),
        (not_json, "The file is not a JSON array of objects."),
    ]


def test_hostile_files_are_refused_with_a_message(
    page: Any, engine: Engine, tmp_path: Path
) -> None:
    for path, message in hostile_files(tmp_path):
        page.goto("/admin/imp-person/import")
        choose(page, path)
        page.click("#import-upload")
        alert = page.wait_for_selector("[role=alert]")
        assert message in alert.inner_text(), path.name
    assert_accessible(page)
    assert emails(engine) == []
    # The mapping step's page, for axe too.
    unnamed = tmp_path / "unnamed.csv"
    unnamed.write_text("Mail,Name\nann@example.org,Ann\n")
    page.goto("/admin/imp-person/import")
    choose(page, unnamed)
    page.click("#import-upload")
    page.wait_for_url("**/mapping")
    assert_accessible(page)


@pytest.fixture
def page_without_js(chromium: Any, live_server: str) -> Iterator[Any]:
    page = logged_in_page(chromium, live_server, javascript=False)
    yield page
    page.context.close()


def test_without_javascript_every_step_is_a_form(
    page_without_js: Any, engine: Engine, tmp_path: Path
) -> None:
    page = page_without_js
    path = tmp_path / "people.csv"
    path.write_text("Mail,Name\nann@example.org,Ann\n")
    page.goto("/admin/imp-person/import")
    choose(page, path)
    page.click("#import-upload")
    # Headers not named as fields: the mapping step.
    page.wait_for_url("**/mapping")
    page.select_option("#column-0", "email")
    page.select_option("#column-1", "full_name")
    page.click("form button[type=submit]:has-text('Preview')")
    page.wait_for_selector("[data-admin-app=import-preview]")
    page.click("form[data-role=import-confirm] button[type=submit]")
    page.wait_for_selector("[data-admin-app=import-result]")
    assert emails(engine) == ["ann@example.org"]
