"""In a real browser with JavaScript: every kind of admin page loads under the
strict Content-Security-Policy without one violation or script error, and what
the scripts do still works under it: relationship pickers (select2), date
pickers (flatpickr), the delete dialog and the flash toasts."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from admin_app.settings import Settings
from tests.browser import ARTIFACTS, logged_in_page
from tests.conftest import make_settings
from tests.sample_models import Club, Member, Tag

# Every violation also goes to the console, which outlives each page.
REPORT_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', (event) => {
  console.error('CSP violation: ' + event.violatedDirective + ' blocked '
    + (event.blockedURI || 'inline') + ' at ' + event.sourceFile + ':'
    + event.lineNumber);
});
"""


class Problems(list[str]):
    """Every CSP violation and uncaught script error the browser reported."""

    def watch(self, context: Any) -> None:
        context.add_init_script(REPORT_VIOLATIONS)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.append(f"error: {error.error}"))

    def _console(self, message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or text.startswith("CSP violation"):
            self.append(f"{message.page.url if message.page else '?'}: {text}")


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Exports of any size ask first, so the confirmation page shows."""
    return make_settings(database_url, tmp_path, export_get_max_rows=0)


@pytest.fixture
def rows(engine: Engine) -> dict[str, Any]:
    with Session(engine) as session:
        rowing = Club(name="Rowing", motto="Pull")
        rowing.tags = [Tag(label="outdoor")]
        doomed = Club(name="Doomed")
        member = Member(email="ada@example.com")
        session.add_all([rowing, doomed, Tag(label="river"), member])
        session.commit()
        return {"rowing": rowing.id, "doomed": doomed.id, "member": member.id}


@pytest.fixture
def watched(
    chromium: Any, live_server: str, request: pytest.FixtureRequest
) -> Iterator[tuple[Any, Problems]]:
    """A logged-in page whose context reports every problem, the login
    page's included."""
    problems = Problems()
    page = logged_in_page(chromium, live_server, prepare=problems.watch)
    yield page, problems
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
    page.context.close()


# What the test injects at the end: the policy must stop it, and the watch see it.
INLINE_SCRIPT = """() => {
  const script = document.createElement('script');
  script.textContent = 'window.injected = true;';
  document.body.appendChild(script);
}"""


def visit(page: Any, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy, path


def test_every_page_kind_runs_its_scripts_without_a_csp_violation(
    watched: tuple[Any, Problems], rows: dict[str, Any]
) -> None:
    page, problems = watched
    rowing, doomed = rows["rowing"], rows["doomed"]
    assert page.url.endswith("/admin/")  # the login page and the dashboard

    visit(page, "/admin/club/list")
    page.click(f"a[data-pk='{doomed}'][data-bs-target='#modal-delete']")
    page.locator("#modal-delete [data-role=delete-plan]").wait_for()
    page.keyboard.press("Escape")
    visit(page, "/admin/club/list?search=Ro")
    page.fill("#search-input", "Doo")
    page.press("#search-input", "Enter")
    page.wait_for_url("**search=Doo**")
    visit(page, f"/admin/club/details/{rowing}")

    visit(page, "/admin/member/create")
    visit(page, f"/admin/member/edit/{rows['member']}")  # a key's picker, a date-time
    assert page.locator("#club_id + .select2-container").count() == 1
    page.click("#joined_at")
    page.locator(".flatpickr-calendar.open").wait_for()
    page.keyboard.press("Escape")

    visit(page, f"/admin/club/edit/{rowing}")  # many-to-many picker, a date
    assert page.locator("#tags + .select2-container").count() == 1
    page.click("#founded")
    page.locator(".flatpickr-calendar.open").wait_for()
    page.keyboard.press("Escape")
    page.click("#tags + .select2 .select2-selection")
    page.locator(".select2-container--open .select2-search__field").fill("riv")
    page.click(".select2-results__option:has-text('river')")  # fetched: connect-src
    page.fill("textarea[name=motto]", "Pull together")
    page.click("input[type=submit][value=Save]")
    page.wait_for_url("**/admin/club/list**")

    visit(page, f"/admin/club/history/{rowing}")
    update = page.locator("[data-role=history-entry][data-action=update]")
    assert "Pull together" in update.inner_text()  # the save's audit entry
    visit(page, "/admin/club/export/csv")
    page.locator("[data-admin-app=export-confirm]").wait_for()
    visit(page, "/admin/account/password")
    visit(page, "/admin/admin-user/list")
    visit(page, "/admin/admin-user/create")
    visit(page, "/admin/grant/list")
    visit(page, "/admin/grant/create")
    visit(page, "/admin/audit-entry/list")

    visit(page, f"/admin/club/delete?pks={doomed}")  # the confirmation page
    page.click("[data-role=delete-confirm]")
    page.wait_for_url("**/admin/club/list**")
    toast = page.locator(".toast.admin-toast")
    assert 'Deleted club "Club Doomed".' in toast.inner_text()
    # flash.js made it a Bootstrap toast (it hides after three seconds).
    assert toast.evaluate(
        "el => window.tabler.bootstrap.Toast.getInstance(el) !== null"
    )

    assert problems == []
    # The watch works: an injected inline script is refused, and reported.
    with page.expect_console_message(lambda message: "CSP violation" in message.text):
        page.evaluate(INLINE_SCRIPT)
    assert page.evaluate("window.injected") is None
