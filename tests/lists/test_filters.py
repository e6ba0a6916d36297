"""Date and moment filters: on a day, after, before, between two; whole days
for date-only values; aware columns read in UTC; bad values a 400."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from tests.listing_pages import get_page
from tests.sample_models import Club, Member

JOINED = [
    datetime(2024, 4, 30, 23, 59, tzinfo=UTC),
    datetime(2024, 5, 1, 0, 0, tzinfo=UTC),
    datetime(2024, 5, 1, 18, 30, tzinfo=UTC),
    datetime(2024, 5, 2, 9, 0, tzinfo=UTC),
    datetime(2024, 5, 31, 23, 0, tzinfo=UTC),
    datetime(2024, 6, 1, 0, 0, tzinfo=UTC),
]
FOUNDED = [date(1999, 12, 31), date(2000, 1, 1), date(2000, 6, 1), date(2001, 1, 1)]


@pytest.fixture
def rows(engine: Engine) -> None:
    with Session(engine) as session:
        session.add_all(
            Member(email=f"m{n}@example.com", joined_at=moment)
            for n, moment in enumerate(JOINED)
        )
        session.add_all(
            Club(name=f"Club {day.isoformat()}", founded=day) for day in FOUNDED
        )
        session.commit()


def members(client: TestClient, op: str, value: str) -> list[int]:
    page = get_page(
        client, f"/admin/member/list?joined_at={value}&joined_at_op={op}&pageSize=100"
    )
    return sorted(n for n in range(len(JOINED)) if f"m{n}@example.com" in page)


def clubs(client: TestClient, op: str, value: str) -> list[str]:
    page = get_page(client, f"/admin/club/list?founded={value}&founded_op={op}")
    return [day.isoformat() for day in FOUNDED if f"Club {day.isoformat()}" in page]


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("equals", "2024-05-01", [1, 2]),
        ("equals", "2024-05-01T18:30:00Z", [2]),
        ("greater_than", "2024-05-01", [3, 4, 5]),
        ("greater_than", "2024-05-01T12:00", [2, 3, 4, 5]),
        ("less_than", "2024-05-01", [0]),
        ("between", "2024-05-01/2024-05-31", [1, 2, 3, 4]),
        ("between", "2024-05-01T12:00/2024-05-02T09:00", [2, 3]),
        # An offset is honoured: 20:00 at UTC-4 is midnight UTC.
        ("between", "2024-04-30T20:00-04:00/2024-05-01", [1, 2]),
    ],
)
def test_moments(
    client: TestClient, rows: None, op: str, value: str, expected: list[int]
) -> None:
    assert members(client, op, value) == expected


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("equals", "2000-01-01", ["2000-01-01"]),
        ("greater_than", "2000-01-01", ["2000-06-01", "2001-01-01"]),
        ("less_than", "2000-01-01", ["1999-12-31"]),
        ("between", "2000-01-01/2000-12-31", ["2000-01-01", "2000-06-01"]),
    ],
)
def test_days(
    client: TestClient, rows: None, op: str, value: str, expected: list[str]
) -> None:
    assert clubs(client, op, value) == expected


@pytest.mark.parametrize(
    "query",
    [
        "joined_at=2024-05-01&joined_at_op=between",
        "joined_at=2024-05-01/soon&joined_at_op=between",
        "joined_at=yesterday&joined_at_op=equals",
        "founded=2000-02-30&founded_op=equals",
        "joined_at_from=soon",
    ],
)
def test_a_value_a_filter_cannot_read_is_a_message_on_the_unfiltered_list(
    client: TestClient, rows: None, query: str
) -> None:
    """A person's typing lands on the list, the filter dropped and named in
    the red alert (this was a bare 400 page)."""
    table = (query.startswith("founded") and "club") or "member"
    page = get_page(client, f"/admin/{table}/list?{query}&pageSize=100")
    alert = page[page.index('class="alert alert-danger"') :][:400]
    title = "Founded" if table == "club" else "Joined at"
    assert f"The filter “{title}” cannot use" in alert
    shown = [n for n in range(len(JOINED)) if f"m{n}@example.com" in page]
    if table == "member":
        assert shown == list(range(len(JOINED)))
    else:
        assert all(f"Club {day.isoformat()}" in page for day in FOUNDED)
    assert "Traceback" not in page


def test_an_operation_no_page_offers_is_still_refused(
    client: TestClient, rows: None
) -> None:
    response = client.get("/admin/club/list?founded=2000-01-01&founded_op=contains")
    assert response.status_code == 400
    assert "Traceback" not in response.text


def test_the_date_filter_offers_periods_and_calendars_and_starts_at_page_one(
    client: TestClient, rows: None
) -> None:
    page = get_page(client, "/admin/member/list?page=1&pageSize=2&after=x")
    assert 'type="datetime-local" name="joined_at_from"' in page
    assert 'type="datetime-local" name="joined_at_to"' in page
    for preset in ("today", "last_7_days", "this_month", "this_year"):
        assert f'data-preset="{preset}"' in page
    form = page[
        page.index('name="joined_at_from"') - 2000 : page.index('name="joined_at_from"')
    ]
    assert 'name="pageSize"' in form
    assert 'name="page"' not in form and 'name="after"' not in form
    club = get_page(client, "/admin/club/list")
    assert 'type="date" name="founded_from"' in club


def test_a_lookup_whose_value_is_none_is_not_shown_chosen_when_unfiltered(
    client: TestClient,
) -> None:
    # The sign-in's audit entry has no model: the Model filter offers "None",
    # which an absent parameter (also None) must not read as chosen.
    page = client.get("/admin/audit-entry/list")
    assert page.status_code == 200
    assert "bg-secondary-lt px-2 py-1 rounded" not in page.text
    chosen = client.get("/admin/audit-entry/list?action=login")
    assert "bg-secondary-lt px-2 py-1 rounded" in chosen.text
