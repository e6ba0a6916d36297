"""In a real browser: Export from a searched and sorted list asks first (the
export is bigger than ``export_get_max_rows``), then downloads exactly the
listed rows, saying how far it has got; without JavaScript the confirmation's
plain POST downloads the same file."""

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from admin_app.settings import Settings
from tests.browser import logged_in_page
from tests.conftest import make_settings
from tests.sample_models import Club

LISTED = "search=Ro&sortBy=name&sort=desc"
EXPECTED = ["Rowing", "Rotary", "Roses", "Rope", "Robots"]  # by name, descending
PICKED = ["Rope", "Robots", "Rowing", "Roses", "Rotary"]  # inserted in this order
# Every text the export's status line shows, in order.
WATCH_STATUS = """() => {
  window.statusTexts = [];
  const status = document.querySelector('[data-role="export-status"]');
  new MutationObserver(() => window.statusTexts.push(status.textContent))
    .observe(status, { childList: true, characterData: true, subtree: true });
}"""


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path, export_get_max_rows=3)


@pytest.fixture
def clubs(engine: Engine) -> None:
    with Session(engine) as session:
        session.add_all(Club(name=name, motto=f"{name}, say it") for name in PICKED)
        session.add_all([Club(name="Chess"), Club(name="Sailing")])
        session.commit()


def names_in(path: str | Path) -> list[str]:
    text = Path(path).read_text(encoding="utf-8")
    return [row["name"] for row in csv.DictReader(io.StringIO(text, newline=""))]


def test_export_from_a_searched_list_downloads_those_rows_with_progress(
    page: Any, clubs: None
) -> None:
    page.goto(f"/admin/club/list?{LISTED}&pageSize=25")
    page.click("[data-admin-app=list-export] .dropdown-toggle")
    page.click("[data-role=export-link]:has-text('CSV')")
    page.wait_for_selector("[data-admin-app=export-confirm]")
    assert "Export 5 clubs as CSV?" in page.inner_text(
        "[data-admin-app=export-confirm]"
    )
    page.evaluate(WATCH_STATUS)

    with page.expect_download() as download_info:
        page.click("[data-role=export-confirm]")
    download = download_info.value

    assert download.suggested_filename.startswith("clubs_")
    assert download.suggested_filename.endswith(".csv")
    assert names_in(download.path()) == EXPECTED
    status = page.locator("[data-role=export-status]")
    status.filter(has_text="5 rows exported").wait_for()
    seen = page.evaluate("window.statusTexts")
    assert any("of 5 rows exported…" in text for text in seen), seen
    assert page.locator("[data-role=export-bar]").evaluate("bar => bar.value") == 100


@pytest.fixture
def page_without_js(chromium: Any, live_server: str) -> Iterator[Any]:
    page = logged_in_page(chromium, live_server, javascript=False)
    yield page
    page.context.close()


def test_without_javascript_the_form_post_downloads(
    page_without_js: Any, clubs: None
) -> None:
    page = page_without_js
    page.goto(f"/admin/club/export/csv?{LISTED}")
    with page.expect_download() as download_info:
        page.click("[data-role=export-confirm]")
    assert names_in(download_info.value.path()) == EXPECTED
