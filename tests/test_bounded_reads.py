"""No page reads a whole table: every SELECT that the list, detail, create and
edit pages and the pickers run is bounded, by a LIMIT or a WHERE (a key, the
rows of a page). Exports are the one place that reads every row, streamed."""

import re

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from tests.conftest import StatementLog
from tests.sample_models import Club, ClubTagLink, Member, Membership, Tag

ROWS = 30


@pytest.fixture
def filled(engine: Engine) -> dict[str, str]:
    """Rows in every sample table, each linked to others; the keys of one each."""
    with Session(engine) as session:
        for n in range(ROWS):
            club = Club(name=f"Club {n:02}")
            tag = Tag(label=f"tag {n:02}")
            member = Member(email=f"m{n:02}@example.com")
            session.add_all([club, tag, member])
            session.flush()
            member.club_id = club.id
            session.add(Membership(club_id=club.id, member_id=member.id))
            session.add(ClubTagLink(club_id=club.id, tag_id=tag.id))
        session.commit()
        return {
            "club": str(club.id),
            "tag": str(tag.id),
            "member": str(member.id),
            "membership": f"{club.id};{member.id}",
            "club-tag-link": f"{club.id};{tag.id}",
        }


def unbounded(statements: StatementLog) -> list[str]:
    """SELECTs with neither a WHERE nor a LIMIT."""
    return [
        sql
        for sql in statements
        if sql.lstrip().upper().startswith("SELECT")
        and not re.search(r"\b(WHERE|LIMIT)\b", sql)
    ]


# A column each list sorts by (the link tables have no ``id``: sorting by it is
# refused with a 400, as any column a list does not sort by is).
SORT_BY = {
    "club": "id",
    "tag": "id",
    "member": "id",
    "membership": "club_id",
    "club-tag-link": "club_id",
}


def pages(identity: str, key: str) -> list[str]:
    return [
        f"/admin/{identity}/list",
        f"/admin/{identity}/list?search=a&sortBy={SORT_BY[identity]}",
        f"/admin/{identity}/details/{key}",
        f"/admin/{identity}/create",
        f"/admin/{identity}/edit/{key}",
    ]


@pytest.mark.parametrize(
    "identity", ["club", "tag", "member", "membership", "club-tag-link"]
)
def test_pages_read_no_whole_table(
    client: TestClient,
    filled: dict[str, str],
    statements: StatementLog,
    identity: str,
) -> None:
    for url in pages(identity, filled[identity]):
        statements.clear()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert statements, url
        assert unbounded(statements) == [], url


@pytest.mark.parametrize("identity", ["membership", "club-tag-link"])
def test_sorting_a_list_by_a_column_it_lacks_is_refused(
    client: TestClient, identity: str
) -> None:
    response = client.get(f"/admin/{identity}/list?search=a&sortBy=id")
    assert response.status_code == 400
    assert "Invalid sortBy parameter." in response.text


@pytest.mark.parametrize(
    ("identity", "picker"),
    [("membership", "club"), ("membership", "member"), ("club", "tags")],
)
def test_pickers_read_no_whole_table(
    client: TestClient,
    filled: dict[str, str],
    statements: StatementLog,
    identity: str,
    picker: str,
) -> None:
    for term in ("c", "m01@example.com", "1"):
        statements.clear()
        response = client.get(
            f"/admin/{identity}/ajax/lookup", params={"name": picker, "term": term}
        )
        assert response.status_code == 200, response.text
        assert unbounded(statements) == [], term
