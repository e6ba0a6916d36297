"""Exports hold the rows of the list the user is looking at (search, filters,
sort, the view's own ``list_query``), stream them from the database in batches
(a server-side cursor on PostgreSQL) without holding them, and stop reading
when the client goes away."""

import csv
import io
import json
import random
import re
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import httpx
import psycopg
import pymysql.cursors
import pytest
from sqlalchemy import Engine, event, insert, select
from sqlalchemy.connectors.asyncio import AsyncAdapt_dbapi_ss_cursor
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.testclient import TestClient

from admin_app.app import mount_admin
from admin_app.auth.models import Role
from admin_app.auth.users import create_user
from admin_app.db import make_engine
from admin_app.exports.formats import CsvFormat, Layout, neutralise
from admin_app.settings import Settings
from admin_app.views.inferred import AutoModelView
from tests.browser import serving
from tests.conftest import ADMIN_PASSWORD, login, make_settings
from tests.engines import async_url
from tests.sample_models import Club, Member, Membership, Tag, Tier

GET_MAX = 20


class KeptTagAdmin(AutoModelView, model=Tag):
    """A view that shows only some of its table's rows."""

    def list_query(self, request: Request) -> Any:
        return select(Tag).where(Tag.label.startswith("keep"))


class MembershipAdmin(AutoModelView, model=Membership):
    """Exported cells that reach relations: rows are read as objects."""

    column_export_list: ClassVar[list[Any]] = ["club", "member", "is_training"]
    column_sortable_list: ClassVar[list[Any]] = ["club_id", "is_training"]


class FailingTagAdmin(AutoModelView, model=Tag):
    """A view whose cells cannot be read."""

    column_export_list: ClassVar[list[Any]] = ["label", "clubs"]

    async def get_prop_value(self, obj: Any, prop: str) -> Any:
        raise RuntimeError("unreadable")


class CappedClubAdmin(AutoModelView, model=Club):
    export_max_rows: ClassVar[int] = 3


VIEWS = [KeptTagAdmin, MembershipAdmin]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path, export_get_max_rows=GET_MAX)


def admin_client(settings: Settings, views: list[Any]) -> Iterator[TestClient]:
    app = Starlette()
    mount_admin(app, settings=settings, views=views)
    with TestClient(app, follow_redirects=False) as client:
        login(client, "boss", ADMIN_PASSWORD)
        yield client


@pytest.fixture
def client(settings: Settings, engine: Engine, admin_user: str) -> Iterator[TestClient]:
    yield from admin_client(settings, VIEWS)


def csv_rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text, newline="")))


def json_rows(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("application/json")
    rows = json.loads(response.text)
    assert isinstance(rows, list)
    return rows


def add_clubs(engine: Engine) -> None:
    with Session(engine) as session:
        session.add_all(
            [
                Club(name="Rowing", founded=date(1990, 5, 1)),
                Club(name="Rotary", founded=date(2005, 1, 1)),
                Club(name="Rope", founded=date(2010, 3, 3), motto="=1+1"),
                Club(name="Roses", founded=None),
                Club(name="Chess", founded=date(2015, 1, 1)),
            ]
        )
        session.commit()


LISTED = "search=Ro&founded=2000-01-01&founded_op=greater_than&sortBy=name&sort=desc"


@pytest.mark.parametrize("export_type", ["csv", "json"])
def test_search_filters_and_sort_choose_the_rows(
    client: TestClient, engine: Engine, export_type: str
) -> None:
    add_clubs(engine)
    # Paging parameters do not narrow an export.
    url = f"/admin/club/export/{export_type}?{LISTED}&page=2&pageSize=25"
    response = client.get(url)
    rows = csv_rows(response) if export_type == "csv" else json_rows(response)
    assert [row["name"] for row in rows] == ["Rotary", "Rope"]
    assert list(rows[0]) == ["id", "name", "motto", "founded"]
    assert response.headers["x-export-expected-rows"] == "2"
    assert response.headers["x-export-expected-accuracy"] == "exact"


def test_csv_cells(client: TestClient, engine: Engine) -> None:
    add_clubs(engine)
    rows = csv_rows(client.get("/admin/club/export/csv?sortBy=name"))
    by_name = {row["name"]: row for row in rows}
    assert by_name["Rope"]["motto"] == "'=1+1"  # neutralised
    assert by_name["Rope"]["founded"] == "2010-03-03"
    assert by_name["Roses"]["founded"] == ""  # None: an empty cell
    assert [row["name"] for row in rows] == sorted(by_name)


def test_csv_text_is_what_the_csv_module_writes() -> None:
    """The CSV writer's shortcut quotes as ``csv.writer`` does (plus the
    neutralising), whatever the cells hold."""
    chars = ["a", "é", ",", '"', "\n", "\r", " ", "=", "-", "\t", "名", "'"]
    rng = random.Random(5)

    def cell() -> Any:
        kind = rng.randrange(6)
        if kind < 4:
            return [None, -3, Decimal("-1.50"), True][kind]
        return "".join(rng.choice(chars) for _ in range(rng.randrange(6)))

    for width in (1, 3):
        rows = [[cell() for _ in range(width)] for _ in range(2000)]
        expected = io.StringIO()
        csv.writer(expected).writerows([[neutralise(v) for v in r] for r in rows])
        layout = Layout(["c"] * width, ["c"] * width, None, [], False)
        written = CsvFormat(layout).rows(rows)
        assert written == expected.getvalue()
        assert len(list(csv.reader(io.StringIO(written, newline="")))) == len(rows)


def test_json_is_valid_and_typed(client: TestClient, engine: Engine) -> None:
    joined = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    with Session(engine) as session:
        club = Club(name="Chess")
        session.add(club)
        session.flush()
        session.add(
            Member(
                email="ada@example.com",
                tier=Tier.pro,
                balance=Decimal("12.50"),
                joined_at=joined,
                preferences={"theme": "dark", "sizes": [1, 2]},
                club_id=club.id,
            )
        )
        session.commit()
        member_id = session.scalars(select(Member.id)).one()
    (row,) = json_rows(client.get("/admin/member/export/json"))
    assert row["id"] == str(member_id)
    assert uuid.UUID(row["id"]) == member_id
    assert row["balance"] == "12.50"
    assert datetime.fromisoformat(row["joined_at"]) == joined
    assert row["joined_at"].endswith("+00:00")
    assert row["tier"] == "pro"
    assert row["is_active"] is True
    assert row["nickname"] is None
    assert row["preferences"] == {"theme": "dark", "sizes": [1, 2]}
    assert isinstance(row["club_id"], int)
    assert "pin_code" not in row and "api_token" not in row


def test_an_empty_export_is_valid(client: TestClient) -> None:
    assert json_rows(client.get("/admin/club/export/json")) == []
    assert csv_rows(client.get("/admin/club/export/csv")) == []
    assert client.get("/admin/club/export/csv").text.startswith("id,name,")


def test_a_views_list_query_narrows_its_export(
    client: TestClient, engine: Engine
) -> None:
    with Session(engine) as session:
        session.add_all(Tag(label=label) for label in ["keep a", "drop", "keep b"])
        session.commit()
    assert {row["label"] for row in csv_rows(client.get("/admin/tag/export/csv"))} == {
        "keep a",
        "keep b",
    }
    searched = json_rows(client.get("/admin/tag/export/json?search=keep%20b"))
    assert [row["label"] for row in searched] == ["keep b"]
    assert json_rows(client.get("/admin/tag/export/json?search=drop")) == []


def test_rows_with_relations_are_read_as_objects(
    client: TestClient, engine: Engine, statements: list[str]
) -> None:
    with Session(engine) as session:
        clubs = [Club(name="Alpha"), Club(name="Beta")]
        member = Member(email="zoe@example.com")
        session.add_all([*clubs, member])
        session.flush()
        session.add_all(
            Membership(club_id=club.id, member_id=member.id, is_training=index == 1)
            for index, club in enumerate(clubs)
        )
        session.commit()
    statements.clear()
    url = "/admin/membership/export/csv?sortBy=club_id&sort=desc"
    rows = csv_rows(client.get(url))
    assert [row["club"] for row in rows] == ["Club Beta", "Club Alpha"]
    assert [row["is_training"] for row in rows] == ["True", "False"]
    assert {row["member"] for row in rows} == {"zoe@example.com"}
    filtered = json_rows(client.get("/admin/membership/export/json?is_training=true"))
    assert [(row["club"], row["is_training"]) for row in filtered] == [
        ("Club Beta", True)
    ]


def test_export_max_rows_caps_the_rows(
    settings: Settings, engine: Engine, admin_user: str
) -> None:
    add_clubs(engine)
    for client in admin_client(settings, [CappedClubAdmin]):
        rows = csv_rows(client.get("/admin/club/export/csv?sortBy=name"))
        assert [row["name"] for row in rows] == ["Chess", "Rope", "Roses"]


def test_a_failure_before_the_first_row_is_an_error_page(
    settings: Settings, engine: Engine, admin_user: str
) -> None:
    with Session(engine) as session:
        session.add(Tag(label="chess"))
        session.commit()
    app = Starlette()
    mount_admin(app, settings=settings, views=[FailingTagAdmin])
    with TestClient(
        app, raise_server_exceptions=False, follow_redirects=False
    ) as client:
        login(client, "boss", ADMIN_PASSWORD)
        response = client.get("/admin/tag/export/csv")
    assert response.status_code == 500
    assert "content-disposition" not in response.headers


def test_viewers_may_not_export(client: TestClient, engine: Engine) -> None:
    with Session(engine) as session:
        create_user(session, "reader", "a long enough password", Role.viewer)
    client.cookies.clear()
    login(client, "reader", "a long enough password")
    assert client.get("/admin/club/export/csv").status_code == 403
    assert client.post("/admin/club/export/json").status_code == 403


def test_bad_requests_are_4xx(client: TestClient) -> None:
    assert client.get("/admin/club/export/xml").status_code == 404
    assert client.post("/admin/club/export/xml").status_code == 404
    assert client.get("/admin/club/export/csv?sortBy=nope").status_code == 400
    assert client.get("/admin/club/export/csv?colour=red").status_code == 400
    assert client.get("/admin/club/export/csv?founded_op=nope").status_code == 400


def test_a_big_export_is_confirmed_then_posted(
    client: TestClient, engine: Engine
) -> None:
    with Session(engine) as session:
        session.add_all(Club(name=f"Ro {i:02}") for i in range(GET_MAX + 5))
        session.add(Club(name="Chess"))
        session.commit()
    page = client.get("/admin/club/export/csv?search=Ro&sortBy=name&page=3")
    assert page.headers["content-type"].startswith("text/html")
    assert f"Export {GET_MAX + 5} clubs as CSV?" in page.text
    action = "/admin/club/export/csv?search=Ro&amp;sortBy=name"
    assert f'method="post" action="{action}"' in page.text
    assert 'data-expected-rows="25"' in page.text
    assert "/app-statics/js/export.js" in page.text
    client.csrf.enabled = False  # type: ignore[attr-defined]
    assert client.post("/admin/club/export/csv?search=Ro").status_code == 403
    client.csrf.enabled = True  # type: ignore[attr-defined]
    assert (
        client.head("/admin/club/export/csv")
        .headers["content-type"]
        .startswith("text/html")
    )  # a HEAD is a GET: no heavy export without a POST
    posted = client.post("/admin/club/export/csv?search=Ro&sortBy=name")
    assert [row["name"] for row in csv_rows(posted)] == [
        f"Ro {i:02}" for i in range(GET_MAX + 5)
    ]
    assert posted.headers["x-export-expected-rows"] == str(GET_MAX + 5)


def test_the_list_menu_exports_what_is_listed(
    client: TestClient, engine: Engine
) -> None:
    add_clubs(engine)
    page = client.get(f"/admin/club/list?{LISTED}&pageSize=25&page=1").text
    wanted = LISTED.replace("&", "&amp;")
    for export_type in ("csv", "json"):
        assert (
            f'href="http://testserver/admin/club/export/{export_type}?{wanted}"' in page
        )
    assert "Export these 2 rows" in page
    assert "pageSize" not in page.split('data-admin-app="list-export"')[1][:900]


# What each driver streams rows with: psycopg's named cursor, PyMySQL's
# unbuffered one (rows read from the socket as fetched), and SQLAlchemy's
# adapters of the async drivers' (asyncpg's, asyncmy's, aiosqlite's).
SERVER_SIDE = (
    psycopg.ServerCursor,
    pymysql.cursors.SSCursor,
    AsyncAdapt_dbapi_ss_cursor,
)


@dataclass
class Seen:
    sql: str
    options: dict[str, Any]
    server_side: bool


@pytest.fixture
def seen() -> Iterator[list[Seen]]:
    """Each statement run, with its execution options and cursor kind."""
    log: list[Seen] = []

    def record(
        conn: Any, cursor: Any, sql: str, params: Any, context: Any, _: Any
    ) -> None:
        server_side = isinstance(cursor, SERVER_SIDE)
        log.append(Seen(sql, dict(context.execution_options), server_side))

    event.listen(Engine, "before_cursor_execute", record)
    yield log
    event.remove(Engine, "before_cursor_execute", record)


def reading(log: list[Seen], table: str) -> list[Seen]:
    """The statements that read ``table``'s rows (not counting them)."""
    pattern = re.compile(rf"^\s*SELECT\b.*\bFROM {table}\b", re.DOTALL)
    return [s for s in log if pattern.match(s.sql) and "count(" not in s.sql]


@pytest.mark.parametrize("path", ["member/export/csv", "membership/export/json"])
def test_rows_are_read_from_a_streaming_cursor(
    client: TestClient, engine: Engine, seen: list[Seen], database_url: str, path: str
) -> None:
    with Session(engine) as session:
        club = Club(name="Alpha")
        member = Member(email="zoe@example.com")
        session.add_all([club, member])
        session.flush()
        session.add(Membership(club_id=club.id, member_id=member.id))
        session.commit()
    seen.clear()
    assert client.get(f"/admin/{path}").status_code == 200
    table = path.split("/")[0]
    if engine.dialect.name == "mysql" and table == "membership":
        # Objects stream as their keys; each batch's objects are read by key
        # on another connection (the stream holds its own to the end).
        read, objects = reading(seen, table)
        assert not objects.server_side and "IN (" in objects.sql
    else:
        (read,) = reading(seen, table)
    assert read.options.get("stream_results") is True
    assert read.options.get("yield_per")
    assert read.server_side == database_url.startswith(("postgresql", "mysql"))
    if table == "member":
        # Only the exported columns: no secret read, no object built.
        assert "pin_code" not in read.sql and "email" in read.sql


def test_an_async_engine_streams_the_same_rows(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str, seen: list[Seen]
) -> None:
    add_clubs(engine)
    settings = make_settings(async_url(database_url), tmp_path)
    for client in admin_client(settings, VIEWS):
        seen.clear()
        rows = json_rows(client.get(f"/admin/club/export/json?{LISTED}"))
        assert [row["name"] for row in rows] == ["Rotary", "Rope"]
        (read,) = reading(seen, "club")
        assert read.options.get("stream_results") is True
        if not database_url.startswith("sqlite"):  # a file: nothing to stream
            assert read.server_side
        with Session(engine) as session:
            club = session.scalars(select(Club).where(Club.name == "Rope")).one()
            session.add(Member(email="zoe@example.com", club_id=club.id))
            member = session.scalars(select(Member)).one()
            session.add(Membership(club_id=club.id, member_id=member.id))
            session.commit()
            rope = club.id
        (row,) = csv_rows(client.get("/admin/membership/export/csv"))
        assert row == {
            "club": "Club Rope",
            "member": "zoe@example.com",
            "is_training": "False",
        }
        # A foreign key's label, looked up in the async session as it streams.
        (zoe,) = csv_rows(client.get("/admin/member/export/csv"))
        assert (zoe["club_id"], zoe["club"]) == (str(rope), "Club Rope")


MB = 1024 * 1024
MOTTO = "The quick brown fox jumps over the lazy dog; " * 6  # 270 characters


def add_many_clubs(engine: Engine, count: int) -> None:
    with Session(engine) as session:
        for start in range(0, count, 20_000):
            session.execute(
                insert(Club),
                [
                    {
                        "name": f"club {i:06}",
                        "motto": MOTTO,
                        "founded": date(2000, 1, 1),
                    }
                    for i in range(start, min(count, start + 20_000))
                ],
            )
        session.commit()


@dataclass
class Served:
    """The admin under uvicorn in this process, and a logged-in client."""

    engine: Engine
    client: httpx.Client
    # Connections of ``engine`` in use now: counted by the pool's events, which
    # every pool sends (behind PgBouncer it is a NullPool, which counts none).
    in_use: int = 0

    def __post_init__(self) -> None:
        def out(*_: Any) -> None:
            self.in_use += 1

        def back(*_: Any) -> None:
            self.in_use -= 1

        event.listen(self.engine, "checkout", out)
        event.listen(self.engine, "checkin", back)


@pytest.fixture
def served(settings: Settings, engine: Engine, admin_user: str) -> Iterator[Served]:
    app_engine = make_engine(settings)
    assert isinstance(app_engine, Engine)
    app = Starlette()
    mount_admin(app, engine=app_engine, settings=settings, views=VIEWS)
    try:
        with serving(app) as url, httpx.Client(base_url=url, timeout=60) as http:
            login(http, "boss", ADMIN_PASSWORD)  # type: ignore[arg-type]
            http.get("/admin/")  # the CSRF token, before anything is measured
            yield Served(app_engine, http)
    finally:
        app_engine.dispose()


ROWS = 100_000


def test_a_big_export_streams_in_little_memory(served: Served, engine: Engine) -> None:
    add_many_clubs(engine, ROWS)
    size = lines = 0
    tracemalloc.start()
    try:
        with served.client.stream("POST", "/admin/club/export/csv") as response:
            assert response.status_code == 200
            for chunk in response.iter_bytes():
                size += len(chunk)
                lines += chunk.count(b"\n")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert lines == ROWS + 1
    # Holding the file, let alone the rows, would take more than the file's size.
    assert size > 25 * MB
    assert peak < 10 * MB, f"peak {peak / MB:.1f} MB for a {size / MB:.1f} MB file"


def test_a_client_that_leaves_stops_the_export(served: Served, engine: Engine) -> None:
    add_many_clubs(engine, ROWS)
    with served.client.stream("POST", "/admin/club/export/csv") as response:
        first = next(response.iter_bytes())
        assert first.startswith(b"id,name,motto,founded")
        assert served.in_use == 1  # the export is reading
    # The stream closed unread: the connection goes, so must the export.
    deadline = time.monotonic() + 10
    while served.in_use and time.monotonic() < deadline:
        time.sleep(0.05)
    assert served.in_use == 0
    rows = csv_rows(served.client.get("/admin/club/export/csv?search=club%20000042"))
    assert [row["name"] for row in rows] == ["club 000042"]


SMALL_BATCH = 3


def test_batches_read_their_relations_and_labels_beside_the_stream(
    client: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batch after batch, each one's relations (objects) and labels (columns)
    are read while the rows stream: on MySQL/MariaDB a streaming cursor holds
    its connection to the end, so they are read on another (a query on the
    same one would read the rest of the stream away: rows silently lost)."""
    monkeypatch.setattr("admin_app.exports.stream.BATCH_ROWS", SMALL_BATCH)
    count = SMALL_BATCH * 3 + 1
    with Session(engine) as session:
        clubs = [Club(name=f"Club {n:02}") for n in range(count)]
        members = [Member(email=f"m{n:02}@example.com") for n in range(count)]
        session.add_all(clubs + members)
        session.flush()
        for club, member in zip(clubs, members, strict=True):
            member.club_id = club.id
            session.add(Membership(club_id=club.id, member_id=member.id))
        session.commit()
    rows = csv_rows(client.get("/admin/membership/export/csv?sortBy=club_id"))
    assert [row["club"] for row in rows] == [f"Club Club {n:02}" for n in range(count)]
    assert [row["member"] for row in rows] == [
        f"m{n:02}@example.com" for n in range(count)
    ]
    rows = csv_rows(client.get("/admin/member/export/csv?sortBy=email&sort=asc"))
    assert [row["club"] for row in rows] == [f"Club Club {n:02}" for n in range(count)]
