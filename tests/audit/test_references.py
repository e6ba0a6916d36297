"""History and recent actions name related rows by their labels as they are
now, linked, "#key (deleted)" once gone, looked up one query per related table
for the whole page. On SQLite and PostgreSQL."""

import itertools
import re
import uuid

from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from admin_app.audit.entries import AuditEntry
from tests.conftest import StatementLog
from tests.sample_models import Club, Member, Tag


def add(engine: Engine, *rows: object) -> None:
    with Session(engine) as session:
        session.add_all(rows)
        session.commit()
        for row in rows:
            session.refresh(row)
        session.expunge_all()


def cells(page: str, field: str) -> tuple[str, str]:
    match = re.search(
        rf'data-field="{field}">.*?data-role="before">(.*?)</td>\s*'
        r'<td data-role="after">(.*?)</td>',
        page,
        re.S,
    )
    assert match, f"a row for {field}"
    return match.group(1), match.group(2)


def test_a_foreign_key_change_shows_the_rows_labels_linked_or_deleted(
    client: TestClient, engine: Engine
) -> None:
    club = Club(name="Chess")
    member = Member(email="maya@example.com")
    add(engine, club, member)
    add(
        engine,
        AuditEntry(
            action="update",
            model="member",
            pk=str(member.id),
            changes={"club_id": {"before": 4321, "after": club.id}},
        ),
    )
    with Session(engine) as session:  # the label as the row is now
        renamed = session.get(Club, club.id)
        assert renamed is not None
        renamed.name = "Chess & Go"
        session.commit()

    page = client.get(f"/admin/member/history/{member.id}")
    assert page.status_code == 200
    before, after = cells(page.text, "club_id")
    assert "#4321 (deleted)" in before and 'data-gone="1"' in before
    assert "href" not in before
    assert f'href="http://testserver/admin/club/details/{club.id}"' in after
    assert ">Club Chess &amp; Go</a>" in after


def test_a_relations_change_lists_its_rows_by_label(
    client: TestClient, engine: Engine
) -> None:
    club = Club(name="Rowing")
    tag = Tag(label="outdoor")
    add(engine, club, tag)
    add(
        engine,
        AuditEntry(
            action="update",
            model="club",
            pk=str(club.id),
            changes={"tags": {"before": [], "after": [str(tag.id), "999"]}},
        ),
    )
    page = client.get(f"/admin/club/history/{club.id}").text
    _, after = cells(page, "tags")
    assert f"/admin/tag/details/{tag.id}" in after and ">outdoor</a>" in after
    assert "#999 (deleted)" in after


def test_a_history_page_looks_labels_up_once_per_related_table(
    client: TestClient, engine: Engine, statements: StatementLog
) -> None:
    clubs = [Club(name=f"Club {n:02}") for n in range(30)]
    member = Member(email="olivia@example.com")
    add(engine, member, *clubs)
    add(
        engine,
        *(
            AuditEntry(
                action="update",
                model="member",
                pk=str(member.id),
                changes={"club_id": {"before": a.id, "after": b.id}},
            )
            for a, b in itertools.pairwise(clubs)
        ),
    )
    statements.clear()
    page = client.get(f"/admin/member/history/{member.id}").text
    assert page.count('data-role="reference"') == 58
    assert "Club Club 00" in page and "Club Club 29" in page
    from_club = [s for s in statements if re.search(r"FROM club\b", s)]
    assert len(from_club) == 1, from_club


def test_recent_actions_name_rows_by_label(client: TestClient, engine: Engine) -> None:
    club = Club(name="Fencing")
    add(engine, club)
    gone = uuid.uuid4()
    add(
        engine,
        AuditEntry(action="update", model="club", pk=str(club.id), changes={}),
        AuditEntry(action="delete", model="member", pk=str(gone), changes={}),
    )
    page = client.get("/admin/dashboard/widgets/recent-changes").text
    rows = page.split('data-role="recent-action"')[1:]
    deleted, updated = rows[0], rows[1]
    assert f"#{gone} (deleted)" in deleted and 'data-role="recent-gone"' in deleted
    assert re.search(
        rf'href="http://testserver/admin/club/details/{club.id}" '
        r'data-role="recent-details">Club Fencing</a>',
        updated,
    )


def test_the_audit_trail_names_each_entrys_row_by_label(
    client: TestClient, engine: Engine, statements: StatementLog
) -> None:
    clubs = [Club(name=f"Team {n:02}") for n in range(12)]
    add(engine, *clubs)
    add(
        engine,
        *(
            AuditEntry(action="update", model="club", pk=str(c.id), changes={})
            for c in clubs
        ),
        AuditEntry(action="delete", model="club", pk="9999", changes={}),
    )
    statements.clear()
    page = client.get("/admin/audit-entry/list").text
    from_club = [s for s in statements if re.search(r"FROM club\b", s)]
    assert len(from_club) == 1, from_club
    for club in clubs:
        assert (
            f'<a href="http://testserver/admin/club/details/{club.id}">'
            f"Club {club.name}</a>"
        ) in page
    assert "#9999 (deleted)" in page

    with Session(engine) as session:
        found = {
            e.pk: e.id
            for e in session.exec(select(AuditEntry).where(AuditEntry.model == "club"))
        }
    gone = client.get(f"/admin/audit-entry/details/{found['9999']}").text
    # A row that is gone links to its history, where it can be restored.
    history = "http://testserver/admin/club/history/9999"
    assert f'<td><a href="{history}">#9999 (deleted)</a></td>' in gone
    there = client.get(f"/admin/audit-entry/details/{found[str(clubs[0].id)]}").text
    assert f'/admin/club/details/{clubs[0].id}">Club Team 00</a>' in there
