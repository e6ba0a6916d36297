"""Messages travel in the session, never in the URL: a link anyone can write
(``/admin/user/list?error=Your session expired. Sign in again at …``) puts
no words in the admin's pages, while the messages the admin itself sets (a
refused delete's reason, in the list's red box) still show, once."""

import html
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from tests.sample_models import Club, Member, Tag

PHISH = "Your session expired. Sign in again at https://evil.example/login"
PARAMS = ["error", "message", "success", "msg", "info", "warning", "flash"]
ALERT = '<div class="alert alert-danger" role="alert">'


class _Text(HTMLParser):
    """The text a person reads on a page: its text nodes, not its markup,
    attributes (links carry the query string on), scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def shown_text(page: str) -> str:
    reader = _Text()
    reader.feed(page)
    return " ".join(" ".join(reader.parts).split())


def rows(engine: Engine) -> dict[str, str]:
    """A club a member refers to (its delete is refused) and a free tag."""
    with Session(engine) as session:
        club, tag = Club(name="Chess"), Tag(label="quiet")
        session.add_all([club, tag])
        session.flush()
        session.add(Member(email="ann@example.com", club_id=club.id))
        session.commit()
        return {"club": str(club.id), "tag": str(tag.id)}


@pytest.mark.parametrize("param", PARAMS)
def test_no_page_shows_a_message_from_its_url(
    client: TestClient, engine: Engine, param: str
) -> None:
    keys = rows(engine)
    query = f"{param}={quote(PHISH)}"
    pages = [
        "/admin/",
        "/admin/club/list",
        "/admin/admin-user/list",
        f"/admin/club/details/{keys['club']}",
        "/admin/club/create",
        f"/admin/club/edit/{keys['club']}",
        f"/admin/club/history/{keys['club']}",
        f"/admin/tag/delete?pks={keys['tag']}",
        "/admin/account/password",
    ]
    for path in pages:
        separator = "&" if "?" in path else "?"
        page = client.get(f"{path}{separator}{query}")
        # A list refuses parameters it does not know (400); others ignore them.
        assert page.status_code in (200, 400), (path, page.text[:300])
        text = shown_text(page.text)
        assert "evil.example" not in text, path
        assert "session expired" not in text.lower(), path
        assert ALERT not in page.text, path
    with TestClient(client.app) as anonymous:
        page = anonymous.get(f"/admin/login?{query}")
        assert "evil.example" not in shown_text(page.text)


def test_a_refused_delete_says_why_on_the_list_once(
    client: TestClient, engine: Engine
) -> None:
    keys = rows(engine)
    response = client.post(
        "/admin/club/delete",
        data={"pks": keys["club"]},
        headers={"referer": "http://testserver/admin/club/list?search=Ch&error=old"},
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert "error" not in location and "refer" not in location
    assert location.endswith("/admin/club/list?search=Ch")
    page = client.get(location)
    assert ALERT in page.text
    alert = html.unescape(page.text.split(ALERT)[1].split("</div>")[0])
    assert alert.strip() == 'Cannot delete club "Club Chess": 1 member refers to it.'
    # Said once: the message left the session with the page that showed it.
    assert ALERT not in client.get(location).text


def test_a_refused_delete_keeps_other_messages_for_their_toast(
    client: TestClient, engine: Engine
) -> None:
    keys = rows(engine)
    deleted = client.post("/admin/tag/delete", data={"pks": keys["tag"]})
    assert deleted.status_code == 303
    # The token as the list page had it: the client would otherwise fetch a
    # page for one, which would show the first message.
    token = {"X-CSRF-Token": client.csrf.token}  # type: ignore[attr-defined]
    refused = client.post(
        "/admin/club/delete", data={"pks": keys["club"]}, headers=token
    )
    assert refused.status_code == 303
    page = html.unescape(client.get(refused.headers["location"]).text)
    alert = page.split(ALERT)[1].split("</div>")[0]
    assert "1 member refers to it" in alert
    assert 'Deleted tag "quiet".' not in alert
    toasts = page.split('class="toast-container')[1]
    assert 'Deleted tag "quiet".' in toasts
    assert "refers to it" not in toasts
