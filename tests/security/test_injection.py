"""Injection: markup and template payloads stored in every kind of column and
in row labels come back escaped on every page (list, detail, forms, delete
summaries, toasts, alerts, history, the dashboard), as data in the pickers'
JSON; SQL in search, sort, filter and key parameters is inert."""

import re
import urllib.parse
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import markupsafe
import pytest
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin_app.settings import Settings
from tests.conftest import ADMIN_PASSWORD, login, make_settings
from tests.form_models import Account, Box, Gadget, Locker, Shelf
from tests.html import form_values
from tests.sample_models import Club, ClubTagLink, Member, Membership, Tag

SVG = '"><svg onload=alert(1)>'
SCRIPT = "</script><script>alert(1)</script>"
TEMPLATE = "{{7*7}}"
SHORT_SVG = '"><svg onload=1>'  # for columns of 20 characters
# What a page must never contain: markup the payloads would inject.
RAW = re.compile(r"<svg onload|<script>alert|</script><script>", re.IGNORECASE)
MODELS = ["tests.sample_models", "tests.form_models"]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path, models=MODELS)


@pytest.fixture
def rows(engine: Engine) -> dict[str, Any]:
    """Payloads in every column kind, straight into the database (as another
    program would write them): past the forms' validation."""
    with Session(engine) as session:
        clubs = [
            Club(name=SVG, motto=SCRIPT),
            Club(name=SCRIPT, motto=TEMPLATE),
            Club(name=TEMPLATE, motto=SVG),
        ]
        tags = [Tag(label=SVG), Tag(label=SCRIPT), Tag(label=TEMPLATE)]
        for club in clubs:
            club.tags = tags
        member = Member(
            email=f"{SVG}@x.io",
            nickname=SCRIPT,
            balance=Decimal("-1"),
            preferences={"note": SCRIPT, SVG: TEMPLATE},
        )
        session.add_all([*clubs, *tags, member])
        session.flush()
        member.club_id = clubs[0].id
        session.add(Membership(club_id=clubs[0].id, member_id=member.id))
        shelf = Shelf(label=SVG)
        session.add(shelf)
        session.flush()
        gadget = Gadget(
            name=SHORT_SVG,
            code=TEMPLATE,
            notes=SCRIPT,
            specs={SVG: SCRIPT, "list": [TEMPLATE]},
            batch=uuid.uuid4(),
        )
        account = Account(email=f"{SVG}@x.io", display_name=SVG, password_hash=SCRIPT)
        session.add_all(
            [
                Box(label=SCRIPT, shelf_id=shelf.id),
                gadget,
                account,
                Locker(name=SCRIPT, secret_hash=SVG),
            ]
        )
        session.commit()
        return {
            "club": clubs[0].id,
            "member": member.id,
            "shelf": shelf.id,
            "gadget": gadget.id,
            "account": account.id,
            "membership": f"{clubs[0].id};{member.id}",
            "link": f"{clubs[0].id};{tags[0].id}",
        }


def assert_escaped(response: httpx.Response) -> str:
    assert response.status_code < 500, response.text[:500]
    page = response.text
    found = RAW.search(page)
    assert found is None, (
        response.url,
        page[max(0, found.start() - 200) : found.end() + 50],
    )
    return page


def test_stored_payloads_are_escaped_on_every_page(
    client: TestClient, rows: dict[str, Any]
) -> None:
    views = {
        "club": rows["club"],
        "tag": None,
        "member": rows["member"],
        "membership": rows["membership"],
        "club-tag-link": rows["link"],
        "shelf": rows["shelf"],
        "box": None,
        "gadget": rows["gadget"],
        "account": rows["account"],
        "locker": None,
    }
    shown = ""
    for identity, pk in views.items():
        shown += assert_escaped(client.get(f"/admin/{identity}/list"))
        if pk is None:
            continue
        for url in [
            f"/admin/{identity}/details/{pk}",
            f"/admin/{identity}/edit/{pk}",
            f"/admin/{identity}/delete?pks={pk}",
        ]:
            response = client.get(url)
            assert response.status_code == 200, url
            shown += assert_escaped(response)
        fragment = client.get(
            f"/admin/{identity}/delete?pks={pk}",
            headers={"X-Admin-Fragment": "delete-summary"},
        )
        shown += assert_escaped(fragment)
    assert_escaped(client.get("/admin/"))
    # The payloads are there, as text: escaped, not dropped or evaluated.
    assert "&lt;svg onload=alert(1)&gt;" in shown
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert TEMPLATE in shown


def test_pickers_answer_labels_as_json_data(
    client: TestClient, rows: dict[str, Any]
) -> None:
    for identity, name, term in [
        ("club", "tags", '"><svg'),
        ("club", "tags", "</script"),
        ("club", "tags", "{{"),
        ("box", "shelf", '"'),
        ("member", "club_id", "<"),
    ]:
        query = urllib.parse.urlencode({"name": name, "term": term})
        response = client.get(f"/admin/{identity}/ajax/lookup?{query}")
        assert response.status_code == 200, (identity, name, response.text)
        assert response.headers["content-type"] == "application/json"
        assert response.headers["x-content-type-options"] == "nosniff"
        texts = [item["text"] for item in response.json()["results"]]
        assert texts and all(term in t for t in texts), texts
    # The edit form's current picks are selected options, their labels escaped.
    page = assert_escaped(client.get(f"/admin/club/edit/{rows['club']}"))
    label = str(markupsafe.escape(SVG))
    assert re.search(
        rf'<option value="[^"]+" selected>{re.escape(label)}</option>', page
    )


def test_messages_escape_what_they_quote(
    client: TestClient, rows: dict[str, Any]
) -> None:
    # The list's ?error= alert (a refused delete leaves one).
    error = urllib.parse.quote(SVG + SCRIPT)
    assert_escaped(client.get(f"/admin/club/list?error={error}"))
    # A 400 that names the parameter it refused.
    bad = urllib.parse.quote(SCRIPT)
    response = client.get(f"/admin/club/list?{bad}=1")
    assert response.status_code == 400
    assert_escaped(response)
    # 404s name nothing they were given.
    assert_escaped(client.get(f"/admin/club/details/{urllib.parse.quote(SVG)}"))
    # The toast after a delete names the row by its label.
    response = client.post("/admin/tag/delete", data={"pks": _tag_pk(client, SVG)})
    assert response.status_code == 303
    page = assert_escaped(client.get(response.headers["location"]))
    assert "toast" in page and "&lt;svg onload=alert(1)&gt;" in page


def _tag_pk(client: TestClient, label: str) -> str:
    query = urllib.parse.urlencode({"name": "tags", "term": label[:6]})
    results = client.get(f"/admin/club/ajax/lookup?{query}").json()["results"]
    (match,) = [item["id"] for item in results if item["text"] == label]
    return str(match)


def test_payloads_saved_through_the_forms_come_back_escaped(
    client: TestClient, engine: Engine
) -> None:
    form = {"name": SVG + SCRIPT, "motto": SCRIPT + TEMPLATE, "save": "Save"}
    assert client.post("/admin/club/create", data=form).status_code == 302
    with Session(engine) as session:
        club = session.scalars(select(Club)).one()
    assert club.name == SVG + SCRIPT  # stored as typed
    page = client.get(f"/admin/club/edit/{club.id}")
    assert_escaped(page)
    # The edit form as the page holds it, with two fields changed.
    form = {**form_values(page.text), "name": TEMPLATE, "motto": SVG, "save": "Save"}
    assert client.post(f"/admin/club/edit/{club.id}", data=form).status_code == 302
    for url in [
        f"/admin/club/details/{club.id}",
        f"/admin/club/history/{club.id}",
        "/admin/",
        "/admin/audit-entry/list",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response)


def table_counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            model.__tablename__: int(  # type: ignore[misc]
                session.scalar(select(func.count()).select_from(model)) or 0
            )
            for model in (Club, Tag, Member, Membership, ClubTagLink, Gadget)
        }


SQL = [
    "' OR 1=1 --",
    "'; DROP TABLE club; --",
    '" OR ""="',
    "%' OR '1'='1",
    "1) OR (1=1",
    "\\'; DELETE FROM member; --",
]


def test_sql_in_parameters_is_inert(
    lax_client: TestClient, engine: Engine, rows: dict[str, Any]
) -> None:
    before = table_counts(engine)
    for payload in SQL:
        quoted = urllib.parse.quote(payload)
        # Search: a string to look for, matching nothing here.
        page = lax_client.get(f"/admin/member/list?search={quoted}")
        assert page.status_code == 200
        assert "x.io" not in page.text
        # Sorting, operations and pages: refused, never run.
        for url in [
            f"/admin/member/list?sortBy={quoted}",
            f"/admin/member/list?sortBy=email&sort={quoted}",
            f"/admin/member/list?club_id=1&club_id_op={quoted}",
            f"/admin/member/list?page={quoted}",
        ]:
            assert lax_client.get(url).status_code == 400, url
        # Filter values: the filter dropped, never run, and a message says so.
        for url in [
            f"/admin/member/list?tier={quoted}",
            f"/admin/member/list?is_active={quoted}",
            f"/admin/member/list?club_id={quoted}&club_id_op=equals",
        ]:
            page = lax_client.get(url)
            assert page.status_code == 200, url
            assert "cannot use" in page.text, url
        for url in [
            f"/admin/club/details/{quoted}",
            f"/admin/member/edit/{quoted}",
            f"/admin/membership/details/{quoted}",
            f"/admin/club/delete?pks={quoted}",
        ]:
            assert lax_client.get(url).status_code == 404, url
        assert (
            lax_client.post("/admin/club/delete", data={"pks": payload}).status_code
            == 404
        )
        # Pickers: a prefix to look for.
        query = urllib.parse.urlencode({"name": "tags", "term": payload})
        response = lax_client.get(f"/admin/club/ajax/lookup?{query}")
        assert response.status_code == 200
        assert response.json()["results"] == []
    assert table_counts(engine) == before
    assert {"club", "member"} <= set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM club")).scalar() == 3


@pytest.fixture
def lax_client(app: Starlette, admin_user: str) -> Iterator[TestClient]:
    """A logged-in client that answers a server error with a 500 page."""
    with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as c:
        login(c, admin_user, ADMIN_PASSWORD)
        yield c


def test_an_unknown_stored_enum_value_is_escaped(
    client: TestClient, engine: Engine, rows: dict[str, Any]
) -> None:
    """Shown "as such" (admin_app.enums), so escaped like any text. PostgreSQL's
    enum type cannot hold it, nor MySQL's ENUM column (in its strict mode, the
    default); SQLite stores what it is given."""
    refusals = {"postgresql": "enum", "mysql": "Data truncated for column 'tier'"}
    if engine.dialect.name != "sqlite":
        refusal = refusals[engine.dialect.name]
        with pytest.raises(DBAPIError, match=refusal), engine.begin() as connection:
            connection.execute(text("UPDATE member SET tier = :v"), {"v": SVG})
        return
    with engine.begin() as connection:
        connection.execute(text("UPDATE member SET tier = :v"), {"v": SVG})
    member = rows["member"]
    for url in [
        "/admin/member/list",
        f"/admin/member/details/{member}",
        f"/admin/member/edit/{member}",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "&lt;svg onload=alert(1)&gt;" in assert_escaped(response)
