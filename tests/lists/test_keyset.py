"""Keyset paging: Next and Previous seek by key and show exactly the pages
offset paging shows, whatever the sort (NULLs and ties included)."""

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session
from starlette.testclient import TestClient

from tests.conftest import StatementLog
from tests.listing_pages import get_page, link, row_keys
from tests.sample_models import Club

SIZE = 4
CLUBS = 23


@pytest.fixture
def clubs(engine: Engine) -> list[int]:
    """Clubs whose founding dates repeat and are sometimes unknown."""
    with Session(engine) as session:
        rows = [
            Club(
                name=f"Club {n:02}",
                founded=None if n % 5 == 0 else date(2000 + n % 3, 1, 1),
            )
            for n in range(CLUBS)
        ]
        session.add_all(rows)
        session.commit()
        return [row.id for row in rows if row.id is not None]


def offset_pages(client: TestClient, query: str) -> list[list[str]]:
    pages = []
    for number in range(1, CLUBS // SIZE + 2):
        page = get_page(
            client, f"/admin/club/list?pageSize={SIZE}&page={number}{query}"
        )
        pages.append(row_keys(page))
    return pages


SORTS = [
    "",
    "&sortBy=name&sort=asc",
    "&sortBy=founded&sort=asc",
    "&sortBy=founded&sort=desc",
    "&sortBy=id&sort=asc",
]


def expected_order(engine: Engine, query: str) -> list[str]:
    """The clubs' keys in the order ``query`` asks for, worked out here: ties
    broken by the key in the sort's direction, NULL below every date on
    SQLite and MariaDB/MySQL and above every date on PostgreSQL (each
    database's own order)."""
    with Session(engine) as session:
        rows = [(c.id, c.name, c.founded) for c in session.scalars(select(Club))]
    nulls_low = engine.dialect.name in ("sqlite", "mysql")
    by = {
        "": (lambda r: r[0], True),  # the default: newest (highest key) first
        "&sortBy=name&sort=asc": (lambda r: (r[1], r[0]), False),
        "&sortBy=id&sort=asc": (lambda r: r[0], False),
    }
    for direction in ("asc", "desc"):
        by[f"&sortBy=founded&sort={direction}"] = (
            lambda r: ((r[2] is None) != nulls_low, r[2] or date.min, r[0]),
            direction == "desc",
        )
    key, descending = by[query]
    return [str(row[0]) for row in sorted(rows, key=key, reverse=descending)]


@pytest.mark.parametrize(
    ("query", "nulls_first"),
    [
        (
            "&sortBy=founded&sort=asc",
            {"sqlite": True, "postgresql": False, "mysql": True},
        ),
        (
            "&sortBy=founded&sort=desc",
            {"sqlite": False, "postgresql": True, "mysql": False},
        ),
    ],
)
def test_nulls_go_where_the_database_puts_them(
    client: TestClient,
    engine: Engine,
    clubs: list[int],
    query: str,
    nulls_first: dict[str, bool],
) -> None:
    with Session(engine) as session:
        unknown = {
            str(c.id) for c in session.scalars(select(Club)) if c.founded is None
        }
    assert len(unknown) == 5
    keys = [key for page in offset_pages(client, query) for key in page]
    if nulls_first[engine.dialect.name]:
        assert set(keys[: len(unknown)]) == unknown
    else:
        assert set(keys[-len(unknown) :]) == unknown


@pytest.mark.parametrize("query", SORTS)
def test_next_and_previous_walk_the_offset_pages(
    client: TestClient, engine: Engine, clubs: list[int], query: str
) -> None:
    expected = offset_pages(client, query)
    assert [key for page in expected for key in page] == expected_order(engine, query)
    assert sorted(key for page in expected for key in page) == sorted(map(str, clubs))

    url = f"/admin/club/list?pageSize={SIZE}{query}"
    forward = []
    page = get_page(client, url)
    while True:
        forward.append(row_keys(page))
        following = link(page, "next")
        if following is None:
            break
        assert "after=" in following
        page = get_page(client, following)
    assert forward == expected

    backward = [row_keys(page)]
    while (preceding := link(page, "prev")) is not None:
        page = get_page(client, preceding)
        backward.append(row_keys(page))
    assert backward[::-1] == expected


def test_a_deep_keyset_page_reads_no_offset(
    client: TestClient, clubs: list[int], statements: StatementLog
) -> None:
    page = get_page(client, f"/admin/club/list?pageSize={SIZE}&page=3&sortBy=founded")
    following = link(page, "next")
    assert following is not None
    statements.clear()
    get_page(client, following)
    rows_read = [
        (sql, params)
        for sql, params in zip(statements, statements.params, strict=True)
        if "FROM club" in sql and "LIMIT" in sql and "count(" not in sql.lower()
    ]
    assert rows_read, statements
    for sql, params in rows_read:
        # SQLite's dialect always writes an OFFSET: there it must be 0.
        assert "OFFSET" not in sql or list(params)[-1] == 0, (sql, params)
    assert any("club.founded" in sql.split("WHERE", 1)[-1] for sql, _ in rows_read)


def test_a_vanished_boundary_row_falls_back_to_the_page_number(
    client: TestClient, clubs: list[int], engine: Engine
) -> None:
    first = get_page(client, f"/admin/club/list?pageSize={SIZE}")
    following = link(first, "next")
    assert following is not None
    boundary = parse_qs(urlsplit(following).query)["after"][0]
    with Session(engine) as session:
        session.delete(session.get(Club, int(boundary)))
        session.commit()
    by_offset = get_page(client, f"/admin/club/list?pageSize={SIZE}&page=2")
    assert row_keys(get_page(client, following)) == row_keys(by_offset)


@pytest.mark.parametrize(
    "cursor", ["after=abc", "after=99999999999999999999999", "before=-"]
)
def test_an_unusable_cursor_is_the_numbered_page(
    client: TestClient, clubs: list[int], cursor: str
) -> None:
    by_offset = get_page(client, f"/admin/club/list?pageSize={SIZE}&page=2")
    page = get_page(client, f"/admin/club/list?pageSize={SIZE}&page=2&{cursor}")
    assert row_keys(page) == row_keys(by_offset)


def test_after_and_before_together_are_refused(
    client: TestClient, clubs: list[int]
) -> None:
    response = client.get(f"/admin/club/list?after={clubs[0]}&before={clubs[1]}")
    assert response.status_code == 400
    assert "Traceback" not in response.text


def test_a_page_link_of_a_list_since_changed_starts_again(
    client: TestClient, clubs: list[int]
) -> None:
    page = get_page(client, f"/admin/club/list?pageSize={SIZE}&sortBy=name")
    following = link(page, "next")
    assert following is not None and "list=" in following
    # A filter form keeps every parameter it does not set, cursor included.
    changed = following + "&founded=2001-01-01&founded_op=equals"
    response = client.get(changed)
    assert response.status_code == 302
    fresh = response.headers["location"]
    assert "after=" not in fresh and "page=" not in fresh and "list=" not in fresh
    assert "founded=2001-01-01" in fresh and "sortBy=name" in fresh


@pytest.mark.parametrize("query", SORTS)
def test_the_last_page_is_the_last_offset_page_read_from_the_end(
    client: TestClient,
    engine: Engine,
    clubs: list[int],
    query: str,
    statements: StatementLog,
) -> None:
    expected = offset_pages(client, query)
    first = get_page(client, f"/admin/club/list?pageSize={SIZE}{query}")
    last_url = link(first, "last")
    assert last_url is not None and "page=last" in last_url
    statements.clear()
    last = get_page(client, last_url)
    assert row_keys(last) == expected[-1]  # 23 clubs: 3 on the sixth page
    assert len(row_keys(last)) == CLUBS % SIZE
    assert 'aria-current="page">6</a>' in last
    assert link(last, "next") is None and link(last, "last") is None
    rows_read = [
        (sql, params)
        for sql, params in zip(statements, statements.params, strict=True)
        if "FROM club" in sql and "LIMIT" in sql and "count(" not in sql.lower()
    ]
    assert len(rows_read) == 1, statements
    for sql, params in rows_read:
        # SQLite's dialect always writes an OFFSET: there it must be 0.
        assert "OFFSET" not in sql or list(params)[-1] == 0, (sql, params)

    # Previous seeks back from its first row, onto the offset pages.
    backward = [row_keys(last)]
    page = last
    while (preceding := link(page, "prev")) is not None:
        page = get_page(client, preceding)
        backward.append(row_keys(page))
    assert backward[::-1] == expected


def test_the_last_page_of_a_full_last_page_and_of_nothing(
    client: TestClient, engine: Engine, clubs: list[int]
) -> None:
    with Session(engine) as session:
        for club in session.scalars(select(Club).order_by(Club.id).limit(3)):
            session.delete(club)
        session.commit()  # 20 clubs: five full pages
    last = get_page(client, f"/admin/club/list?pageSize={SIZE}&page=last")
    assert len(row_keys(last)) == SIZE
    assert 'aria-current="page">5</a>' in last
    empty = get_page(client, "/admin/club/list?search=nobody&page=last")
    assert row_keys(empty) == []
    assert link(empty, "prev") is None and link(empty, "last") is None
