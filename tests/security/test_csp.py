"""No admin page carries what the Content-Security-Policy refuses: no inline
script, ``on*=`` handler or ``javascript:`` URL, no ``style`` attribute or
element. A browser would drop them without a word (tests/security/test_browser_csp.py
runs the pages themselves); this reads every page kind's markup, the ones
only some views have (import, actions) and the refusals included."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session
from starlette.testclient import TestClient

from admin_app.app import create_app
from admin_app.audit.entries import AuditEntry
from admin_app.settings import Settings
from tests.action_views import ClubAdmin
from tests.conftest import ADMIN_PASSWORD, login, make_settings
from tests.sample_models import Club

URL_ATTRIBUTES = ("href", "src", "action", "formaction")


class _InlineFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        # A JSON data block (the palette's commands) is data, never run.
        data_block = ("type", "application/json") in attrs
        if tag == "script" and "src" not in names and not data_block:
            self.found.append(f"an inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"a <style> element at line {self.getpos()[0]}")
        for name, value in attrs:
            script_url = (value or "").strip().lower().startswith("javascript:")
            handler = name.startswith("on")
            if handler or name == "style" or (name in URL_ATTRIBUTES and script_url):
                self.found.append(f"<{tag} {name}={value!r}>")


def inline_code(html: str) -> list[str]:
    finder = _InlineFinder()
    finder.feed(html)
    return finder.found


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Exports of any size ask first; forms of more than ten fields are refused."""
    return make_settings(
        database_url, tmp_path, export_get_max_rows=0, max_form_fields=10
    )


def test_every_page_kind_is_free_of_inline_code(
    client_with: object, engine: Engine
) -> None:
    client = client_with(ClubAdmin)  # type: ignore[operator]
    saved = client.post(  # through the admin: audited, so it has a history
        "/admin/club/create", data={"name": "Rowing", "motto": "Pull", "save": "Save"}
    )
    assert saved.status_code == 302, saved.text
    with Session(engine) as session:
        doomed = Club(name="Doomed")
        session.add(doomed)
        session.commit()
        doomed_id = doomed.id
        club_id = session.scalars(select(Club.id).where(Club.name == "Rowing")).one()
        entry_id = session.scalars(select(AuditEntry.id)).first()
    pages = [
        "/admin/",
        "/admin/club/list",  # the import button and the action menu
        "/admin/club/list?search=Ro",
        f"/admin/club/details/{club_id}",
        "/admin/club/create",
        f"/admin/club/edit/{club_id}",
        f"/admin/club/delete?pks={doomed_id}",
        f"/admin/club/history/{club_id}",
        "/admin/club/export/csv",  # the confirmation
        "/admin/club/import",  # the upload form
        f"/admin/club/action/shout?pks={club_id}",  # the confirmation
        "/admin/account/password",
        "/admin/admin-user/list",
        "/admin/admin-user/create",
        "/admin/grant/list",
        "/admin/grant/create",
        "/admin/audit-entry/list",
        f"/admin/audit-entry/details/{entry_id}",
    ]
    for path in pages:
        page = client.get(path)
        assert page.status_code == 200, (path, page.text[:300])
        assert inline_code(page.text) == [], path
    # Inferred views import through pages of their own (no modal).
    assert 'id="action-import"' in client.get("/admin/club/list").text

    deleted = client.post("/admin/club/delete", data={"pks": str(doomed_id)})
    assert deleted.is_redirect
    listed = client.get(deleted.headers["location"])
    assert 'class="toast show admin-toast' in listed.text  # shown without scripts
    assert "Deleted club &#34;Club Doomed&#34;." in listed.text
    assert inline_code(listed.text) == []


def test_the_refusals_are_free_of_inline_code(
    settings: Settings, engine: Engine, admin_user: str
) -> None:
    with TestClient(create_app(settings), follow_redirects=False) as client:
        login_page = client.get("/admin/login")
        assert inline_code(login_page.text) == []
        login(client, admin_user, ADMIN_PASSWORD)
        refusals = [
            client.get("/admin/club/details/404404"),  # 404
            client.get("/admin/club/list?sortBy=nope"),  # 400
            client.get("/admin/", headers={"Host": "evil.example"}),  # 400
            client.post(  # 400: too many fields
                "/admin/club/create", data={f"f{n}": "x" for n in range(20)}
            ),
            client.post("/admin/club/create", headers={"X-CSRF-Token": "x"}),  # 403
        ]
        assert [r.status_code for r in refusals] == [404, 400, 400, 400, 403]
        for response in refusals:
            assert inline_code(response.text) == [], response.text[:300]


def test_a_json_data_block_is_data_and_any_other_script_code() -> None:
    assert inline_code('<script type="application/json">{"a": 1}</script>') == []
    for code in ("<script>x()</script>", '<script type="module">x()</script>'):
        assert inline_code(code) == ["an inline <script> at line 1"]
