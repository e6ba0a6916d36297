"""Choosing a list's columns: ``columns=a,b`` shows those, in that order;
what the chooser sends without JavaScript (one ``columns`` per ticked box)
too; a name the list does not have, or one given twice, is a 400; hidden
relations are not read; the export keeps its own columns."""

import html
import re

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from tests.conftest import StatementLog
from tests.listing_pages import column_headings, get_page, row_keys
from tests.sample_models import Club, Member, Membership


@pytest.fixture
def members(engine: Engine) -> Engine:
    with Session(engine) as session:
        club = Club(name="Chess")
        session.add(club)
        session.flush()
        for n in range(3):
            session.add(
                Member(email=f"m{n}@example.com", nickname=f"nick{n}", club_id=club.id)
            )
        session.commit()
    return engine


def first_row(page: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    assert body is not None
    row = re.search(r"<tr>(.*?)</tr>", body.group(1), re.S)
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells[2:]]


def test_the_chosen_columns_show_in_their_order(
    client: TestClient, members: Engine
) -> None:
    page = get_page(client, "/admin/member/list?columns=nickname,email")
    assert column_headings(page) == ["Nickname", "Email"]
    assert first_row(page)[0].startswith("nick")
    assert first_row(page)[1].endswith("@example.com")
    assert len(row_keys(page)) == 3


def test_the_chooser_form_sends_one_parameter_per_box(
    client: TestClient, members: Engine
) -> None:
    page = get_page(client, "/admin/member/list?columns=email&columns=tier")
    assert column_headings(page) == ["Email", "Tier"]


def test_without_the_parameter_the_views_columns_show(
    client: TestClient, members: Engine
) -> None:
    page = get_page(client, "/admin/member/list")
    assert column_headings(page)[:3] == ["Id", "Email", "Nickname"]
    # The chooser lists them all, ticked, with links that move each one.
    chooser = re.search(r'<details[^>]*id="column-chooser".*?</details>', page, re.S)
    assert chooser is not None
    boxes = re.findall(r'name="columns" value="([^"]+)"[^>]*?(checked)?>', chooser[0])
    assert [name for name, _ in boxes][:3] == ["id", "email", "nickname"]
    assert all(ticked for _, ticked in boxes)
    down = re.search(r'data-move="down" href="([^"]+)"', chooser[0])
    assert down is not None
    # A link relative to the list's own path.
    assert down.group(1).startswith("?columns=email,id,")
    moved = get_page(client, "/admin/member/list" + html.unescape(down.group(1)))
    assert column_headings(moved)[:2] == ["Email", "Id"]


@pytest.mark.parametrize(
    "query",
    [
        "columns=email,nope",
        "columns=email,email",
        "columns=email&columns=email",
        "columns=pin_code",  # a secret is never a list column
    ],
)
def test_a_column_the_list_does_not_have_is_a_400(
    client: TestClient, members: Engine, query: str
) -> None:
    response = client.get(f"/admin/member/list?{query}")
    assert response.status_code == 400, response.text[:200]
    assert "Traceback" not in response.text


def test_a_hidden_relation_is_not_read(
    client: TestClient, members: Engine, statements: StatementLog
) -> None:
    with Session(members) as session:
        member = session.exec(select(Member)).first()
        assert member is not None and member.club_id is not None
        session.add(Membership(club_id=member.club_id, member_id=member.id))
        session.commit()
    client.get("/admin/")
    statements.clear()
    get_page(client, "/admin/membership/list")
    assert any(re.search(r"FROM club\s+WHERE .* IN ", sql) for sql in statements)
    statements.clear()
    page = get_page(client, "/admin/membership/list?columns=is_training")
    assert column_headings(page) == ["Is training"]
    related = re.compile(r"FROM (club|member)\s+WHERE .* IN ")
    found = [sql for sql in statements if related.search(sql)]
    assert not found, found


def test_the_export_keeps_its_own_columns(client: TestClient, members: Engine) -> None:
    page = get_page(client, "/admin/member/list?columns=nickname&search=m1")
    export = re.search(r'href="([^"]*/export/csv[^"]*)"', page)
    assert export is not None
    url = html.unescape(export.group(1))
    assert "columns" not in url and "search=m1" in url
    response = client.get(url)
    assert response.status_code == 200
    first_line = response.text.splitlines()[0]
    assert "email" in first_line and "nickname" in first_line
