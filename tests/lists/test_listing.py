"""List pages: a fixed number of statements whatever the page size, only the
columns and relations shown, filters/search/sort in one statement, and pages
past the end answered without an error."""

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.requests import Request
from starlette.testclient import TestClient

from admin_app.audit.entries import AuditEntry
from admin_app.views.inferred import AutoModelView
from tests.conftest import StatementLog
from tests.listing_pages import (
    count_text,
    get_page,
    link,
    row_keys,
    uncertain_count,
)
from tests.sample_models import Club, Member, Membership

MEMBERS = 60


@pytest.fixture
def memberships(engine: Engine) -> Engine:
    """Memberships of distinct members in distinct clubs: nothing to share."""
    with Session(engine) as session:
        for n in range(MEMBERS):
            club = Club(name=f"Club {n:02}", motto="x" * 500)
            member = Member(email=f"m{n:02}@example.com", club_id=None)
            session.add_all([club, member])
            session.flush()
            assert club.id is not None
            session.add(Membership(club_id=club.id, member_id=member.id))
        session.commit()
    return engine


def statements_for(client: TestClient, statements: StatementLog, url: str) -> list[str]:
    client.get("/admin/")  # the same session checks before each measured page
    statements.clear()
    page = get_page(client, url)
    assert row_keys(page)
    return list(statements)


@pytest.mark.parametrize("query", ["", "?sortBy=is_training&sort=desc"])
def test_statements_per_page_do_not_grow_with_the_page(
    client: TestClient, memberships: Engine, statements: StatementLog, query: str
) -> None:
    joiner = "&" if query else "?"
    small = statements_for(
        client, statements, f"/admin/membership/list{query}{joiner}pageSize=5"
    )
    large = statements_for(
        client, statements, f"/admin/membership/list{query}{joiner}pageSize=50"
    )
    assert len(small) == len(large), (small, large)
    # Each relation shown is one statement, whatever the rows (besides the
    # filter panel's one read of the first rows of each foreign key's table,
    # admin_app/lists/related.py, a LIMIT).
    loads = [sql for sql in large if "LIMIT" not in sql]
    assert sum(bool(re.search(r"FROM club\b", sql)) for sql in loads) == 1
    assert sum(bool(re.search(r"FROM member\b", sql)) for sql in loads) == 1


def test_a_list_reads_only_the_columns_it_shows(
    client: TestClient, memberships: Engine, statements: StatementLog
) -> None:
    sql = statements_for(client, statements, "/admin/club/list")
    rows = [s for s in sql if s.lstrip().startswith("SELECT club.") and "LIMIT" in s]
    assert rows, sql
    assert "club.name" in rows[0]
    assert "club.motto" not in rows[0]  # long text is not a list column


def test_filter_search_and_sort_together(
    client: TestClient, memberships: Engine, engine: Engine
) -> None:
    with Session(engine) as session:
        member = session.get(Member, _member_id(engine, "m07@example.com"))
        assert member is not None
        member.tier = "pro"  # type: ignore[assignment]
        session.add(member)
        session.commit()
    page = get_page(client, "/admin/member/list?tier=pro&search=m0&sortBy=email")
    assert count_text(page).startswith("Showing 1 to 1 of 1 items")
    assert "m07@example.com" in page


def _member_id(engine: Engine, email: str) -> object:
    from sqlmodel import select

    with Session(engine) as session:
        return session.exec(select(Member.id).where(Member.email == email)).one()


def test_past_the_end_of_an_exact_count_goes_to_the_last_page(
    client: TestClient, memberships: Engine
) -> None:
    response = client.get("/admin/club/list?pageSize=25&page=9")
    assert response.status_code == 302
    assert response.headers["location"].endswith("page=3")


def test_past_the_end_of_an_uncertain_count_is_an_empty_page(
    client: TestClient, memberships: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from admin_app.views.inferred import AutoModelView

    monkeypatch.setattr(AutoModelView, "count_cap", 10)
    page = get_page(client, "/admin/club/list?pageSize=25&page=999")
    assert row_keys(page) == []
    assert "No rows on this page." in count_text(page)
    last = get_page(client, "/admin/club/list?pageSize=25&page=3")
    assert len(row_keys(last)) == MEMBERS - 50
    assert link(last, "next") is None
    assert uncertain_count(memberships, MEMBERS, 10) in count_text(last)


def test_the_last_page_link_needs_an_exact_count(
    client: TestClient, memberships: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from admin_app.views.inferred import AutoModelView

    first = get_page(client, "/admin/club/list?pageSize=25")
    assert link(first, "last") is not None
    monkeypatch.setattr(AutoModelView, "count_cap", 10)
    uncertain = get_page(client, "/admin/club/list?pageSize=25")
    assert uncertain_count(memberships, MEMBERS, 10) in count_text(uncertain)
    assert link(uncertain, "last") is None
    # Followed anyway (an old link), the last page counts exactly.
    last = get_page(client, "/admin/club/list?pageSize=25&page=last")
    assert len(row_keys(last)) == MEMBERS - 50
    assert f"51 to {MEMBERS} of {MEMBERS} items" in count_text(last)


class ClubsByName(AutoModelView, model=Club):
    """Sorted by its own ``sort_query``: paged by offset only."""

    def sort_query(self, stmt: Any, request: Request) -> Any:
        return stmt.order_by(Club.name.desc())


def test_a_list_sorted_its_own_way_reaches_its_last_page_by_offset(
    client_with: Callable[..., TestClient], memberships: Engine
) -> None:
    client = client_with(ClubsByName)
    last = get_page(client, "/admin/club/list?pageSize=25&page=last")
    by_offset = get_page(client, "/admin/club/list?pageSize=25&page=3")
    assert row_keys(last) == row_keys(by_offset)
    assert len(row_keys(last)) == MEMBERS - 50


@pytest.mark.parametrize(
    "query", ["page=0", "pageSize=-1", "page=abc", "match=regex", "sortBy=nope"]
)
def test_bad_paging_is_refused(
    client: TestClient, memberships: Engine, query: str
) -> None:
    response = client.get(f"/admin/club/list?{query}")
    assert response.status_code == 400
    assert "Traceback" not in response.text


def test_a_date_range_lists_newest_first_by_that_date(
    client: TestClient, engine: Engine, statements: StatementLog
) -> None:
    """Keys that do not grow with the date (entries written out of order):
    filtered by a range of the indexed date, the list is by date."""
    days = [datetime(2024, 5, day, tzinfo=UTC) for day in (9, 3, 7, 1, 5, 8, 2)]
    with Session(engine) as session:
        for day in days:
            session.add(AuditEntry(at=day, action="import", model="club", pk="1"))
        session.commit()
    statements.clear()
    url = "/admin/audit-entry/list?at=2024-05-02/2024-05-08&at_op=between&pageSize=2"
    keys, page = [], get_page(client, url)
    while True:
        keys += row_keys(page)
        following = link(page, "next")
        if following is None:
            break
        page = get_page(client, following)
    with Session(engine) as session:
        shown = [session.get(AuditEntry, int(key)) for key in keys]
    assert [entry.at.day for entry in shown if entry] == [8, 7, 5, 3, 2]
    rows_sql = [s for s in statements if "FROM admin_app_audit" in s and "LIMIT" in s]
    assert "ORDER BY admin_app_audit.at DESC" in rows_sql[-1]
    # Asked for another order, the list keeps it.
    by_user = get_page(client, url + "&sortBy=username&sort=asc")
    assert (
        "ORDER BY admin_app_audit.username ASC"
        in [s for s in statements if "FROM admin_app_audit" in s and "LIMIT" in s][-1]
    )
    assert len(row_keys(by_user)) == 2
