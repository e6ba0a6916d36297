"""Counting a list: statistics for a big unnarrowed table ("≈ N"), a count that
stops at the cap ("N+") otherwise, an exact count on request, and never the
list's ORDER BY inside a count."""

from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlmodel import Session
from starlette.requests import Request
from starlette.testclient import TestClient

from admin_app.lists.counting import Accuracy, RowCount, count_rows, counted_rows
from admin_app.views.inferred import AutoModelView, view_for
from tests.conftest import StatementLog
from tests.listing_pages import count_text, get_page, keeps_row_counts
from tests.sample_models import Club

CLUBS = 30


@pytest.fixture
def clubs(engine: Engine) -> Engine:
    with Session(engine) as session:
        session.add_all(Club(name=f"Club {n:02}") for n in range(CLUBS))
        session.commit()
    return engine


def analyse(engine: Engine) -> None:
    """The database's statistics brought up to date: MySQL analyses a table
    at a time."""
    with engine.begin() as connection:
        if engine.dialect.name == "mysql":
            connection.execute(text("ANALYZE TABLE club"))
        else:
            connection.execute(text("ANALYZE"))


def test_row_counts_say_how_sure_they_are() -> None:
    assert str(RowCount(1234567)) == "1,234,567"
    assert str(RowCount(1234567, Accuracy.ESTIMATE)) == "≈ 1,234,567"
    assert str(RowCount(10000, Accuracy.AT_LEAST)) == "10,000+"
    assert RowCount(3).exact and not RowCount(3, Accuracy.ESTIMATE).exact


def count(
    engine: Engine,
    view: Any,
    *,
    narrowed: bool = False,
    exact: bool = False,
    cap: int = 10,
) -> RowCount:
    stmt = select(Club)
    if narrowed:
        stmt = stmt.where(Club.name >= "Club 05")
    with Session(engine) as session:
        return count_rows(session, view, stmt, narrowed=narrowed, exact=exact, cap=cap)


def test_a_count_stops_at_the_cap(clubs: Engine) -> None:
    view = view_for(Club)()
    if keeps_row_counts(clubs):  # estimated from the start
        assert count(clubs, view, cap=10) == RowCount(CLUBS, Accuracy.ESTIMATE)
    else:
        assert count(clubs, view, cap=10) == RowCount(10, Accuracy.AT_LEAST)
    assert count(clubs, view, narrowed=True, cap=10) == RowCount(10, Accuracy.AT_LEAST)
    assert count(clubs, view, cap=100) == RowCount(CLUBS)
    assert count(clubs, view, cap=10, exact=True) == RowCount(CLUBS)


def test_an_analysed_big_table_is_estimated_from_statistics(clubs: Engine) -> None:
    analyse(clubs)
    view = view_for(Club)()
    assert count(clubs, view, cap=10) == RowCount(CLUBS, Accuracy.ESTIMATE)
    # Statistics that put the table under the cap are not trusted: counted.
    assert count(clubs, view, cap=100) == RowCount(CLUBS)
    # Filters and searches make statistics useless: counted up to the cap.
    assert count(clubs, view, narrowed=True, cap=10) == RowCount(10, Accuracy.AT_LEAST)
    assert count(clubs, view, narrowed=True, cap=100) == RowCount(CLUBS - 5)


def test_a_view_narrowing_its_list_is_never_estimated(clubs: Engine) -> None:
    class OldClubs(AutoModelView, model=Club):
        def list_query(self, request: Request) -> Any:
            return select(Club).where(Club.name < "Club 03")

    analyse(clubs)
    assert count(clubs, OldClubs(), cap=10).accuracy is Accuracy.AT_LEAST


def test_the_count_drops_the_order(clubs: Engine, statements: StatementLog) -> None:
    stmt = select(Club).where(Club.name > "A").order_by(Club.name.desc())
    assert "ORDER BY" not in str(counted_rows(stmt))
    view = view_for(Club)()
    statements.clear()
    with Session(clubs) as session:
        count_rows(session, view, stmt, narrowed=True, exact=True, cap=10)
        count_rows(session, view, stmt, narrowed=True, exact=False, cap=10)
    counts = [sql for sql in statements if "count(" in sql.lower()]
    assert len(counts) == 2
    assert all("ORDER BY" not in sql for sql in counts)


@pytest.fixture
def cap_of_ten(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(AutoModelView, "count_cap", 10)


@pytest.mark.usefixtures("cap_of_ten")
def test_the_list_page_shows_the_capped_count_and_counts_exactly_on_request(
    client: TestClient, clubs: Engine, statements: StatementLog
) -> None:
    # Where the table's row count is kept (InnoDB), the whole list is
    # estimated: a search narrows it, to be counted up to the cap there.
    query = "sortBy=name&sort=desc" + (
        "&search=Club" if keeps_row_counts(clubs) else ""
    )
    page = get_page(client, f"/admin/club/list?{query}")
    assert count_text(page).startswith(f"Showing 1 to {CLUBS} of 10+ items")
    assert 'id="exact-count"' in page
    counts = [sql for sql in statements if "count(" in sql.lower() and "club" in sql]
    assert counts and all("ORDER BY" not in sql for sql in counts)

    exact = get_page(client, f"/admin/club/list?{query}&count=exact")
    assert count_text(exact) == f"Showing 1 to {CLUBS} of {CLUBS} items"
    assert 'id="exact-count"' not in exact


@pytest.mark.usefixtures("cap_of_ten")
def test_the_list_page_of_an_analysed_table_reads_no_count(
    client: TestClient, clubs: Engine, statements: StatementLog
) -> None:
    analyse(clubs)
    statements.clear()
    page = get_page(client, "/admin/club/list")
    assert f"of ≈ {CLUBS} items" in count_text(page)
    assert not [sql for sql in statements if "count(" in sql.lower() and "club" in sql]


def test_a_bad_count_parameter_is_refused(client: TestClient, clubs: Engine) -> None:
    response = client.get("/admin/club/list?count=all")
    assert response.status_code == 400
    assert "count" in response.text
