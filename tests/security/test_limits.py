"""Request limits: big bodies get 413 and forms with too many fields 400, both
before anything is written; list pages refuse parameters they do not read
(400), clamp the page size; malformed keys in URLs are 404, never 500."""

import re
import urllib.parse
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, select
from sqlmodel import Session, SQLModel
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin_app.settings import Settings
from tests.conftest import ADMIN_PASSWORD, login, make_settings
from tests.sample_models import Club, ClubTagLink, Member, Membership, Tag, Tier

MAX_BODY = 16 * 1024
MAX_FIELDS = 50


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(
        database_url, tmp_path, max_body_bytes=MAX_BODY, max_form_fields=MAX_FIELDS
    )


@pytest.fixture
def lax_client(app: Starlette, admin_user: str) -> Iterator[TestClient]:
    """A logged-in client that answers a server error with a 500 page."""
    with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as c:
        login(c, admin_user, ADMIN_PASSWORD)
        yield c


def count(engine: Engine, model: type[SQLModel] = Club) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_body_over_the_limit_is_413_and_writes_nothing(
    client: TestClient, engine: Engine
) -> None:
    form = {"name": "Big", "motto": "x" * (MAX_BODY + 1), "save": "Save"}
    response = client.post("/admin/club/create", data=form)
    assert response.status_code == 413
    assert "too large" in response.text
    assert count(engine) == 0
    # Under the limit, the same form saves.
    form["motto"] = "x" * 100
    assert client.post("/admin/club/create", data=form).status_code == 302


def test_a_streamed_body_is_cut_off_without_content_length(
    client: TestClient, engine: Engine
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"name=Streamed&save=Save&motto="
        for _ in range(40):
            yield b"x" * 1024

    token = client.csrf.current()  # type: ignore[attr-defined]
    response = client.post(
        "/admin/club/create",
        content=chunks(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRF-Token": token,
        },
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert count(engine) == 0


def test_a_declared_length_over_the_limit_is_refused_unread(
    anonymous: TestClient,
) -> None:
    response = anonymous.post(
        "/admin/login",
        content=b"username=a",
        headers={"Content-Length": str(MAX_BODY + 1)},
    )
    assert response.status_code == 413


def test_login_is_limited_too(anonymous: TestClient) -> None:
    form = {"username": "boss", "password": "p" * (MAX_BODY + 1)}
    assert anonymous.post("/admin/login", data=form).status_code == 413


def test_too_many_form_fields_is_400_and_writes_nothing(
    client: TestClient, engine: Engine
) -> None:
    fields = {f"extra{i}": "1" for i in range(MAX_FIELDS)}
    form = {"name": "Many", "save": "Save", **fields}
    response = client.post("/admin/club/create", data=form)
    assert response.status_code == 400
    assert "too many fields" in response.text
    files = {name: (None, value) for name, value in form.items()}
    response = client.post("/admin/club/create", files=files)
    assert response.status_code == 400
    assert count(engine) == 0


# List pages: (query, why it is refused).
BAD_LIST_QUERIES = [
    "page=abc",
    "page=0",
    "page=-1",
    "page=1.5",
    "page=1_000",
    "page=99999999999",
    "pageSize=abc",
    "pageSize=0",
    "pageSize=",
    "sort=sideways",
    "sortBy=nope",
    "sortBy=name%3B%20DROP%20TABLE%20member",
    "sortBy=pin_code",  # a secret column is not sortable
    "unknown=1",
    "page=1&page=2",
    "search=%00",
    "club_id=1&club_id_op=bogus",
    "joined_at=2024-01-01&joined_at_op=contains",
    "search=" + "x" * 1001,
]


@pytest.mark.parametrize("query", BAD_LIST_QUERIES)
def test_bad_list_parameters_are_400(lax_client: TestClient, query: str) -> None:
    response = lax_client.get(f"/admin/member/list?{query}")
    assert response.status_code == 400, response.text[:500]


ALL = ["ann", "bob", "cid"]

# A filter's value it cannot use: once a 400 page, now the list without that
# filter and a message naming it (admin_app.lists.params.filter_problems).
BAD_FILTER_VALUES = [
    "tier=platinum",
    "is_active=maybe",
    "club_id=abc&club_id_op=equals",
    "club_id=99999999999999999999999&club_id_op=equals",
    "club_id=1%20OR%201%3D1&club_id_op=equals",
    "joined_at=yesterday&joined_at_op=greater_than",
]


@pytest.mark.parametrize("query", BAD_FILTER_VALUES)
def test_bad_filter_values_are_a_message_on_the_whole_list(
    lax_client: TestClient, engine: Engine, query: str
) -> None:
    with Session(engine) as session:
        session.add_all(Member(email=f"{name}@example.com") for name in ALL)
        session.commit()
    response = lax_client.get(f"/admin/member/list?{query}")
    assert response.status_code == 200, response.text[:500]
    alert = response.text[response.text.index('class="alert alert-danger"') :]
    assert "cannot use" in alert[:300]
    assert sorted(shown_members(response.text)) == ALL


# Each parameter a list reads, the members it then shows, and whether in
# that order (where the query sorts) or in any.
GOOD_LIST_QUERIES: list[tuple[str, list[str], bool]] = [
    ("", ALL, False),
    ("page=1&pageSize=25", ALL, False),
    ("page=2&pageSize=1&sortBy=email", ["bob"], True),
    ("sortBy=email&sort=desc", ["cid", "bob", "ann"], True),
    ("sortBy=email&sort=asc", ["ann", "bob", "cid"], True),
    ("search=ann", ["ann"], False),
    ("tier=pro", ["ann"], False),
    ("tier=__all", ALL, False),
    ("is_active=true", ["ann", "cid"], False),
    ("club_id=1&club_id_op=equals", ["ann"], False),
    ("joined_at=2024-01-01&joined_at_op=greater_than", ["ann"], False),
    (
        "joined_at=2024-01-01T10:00:00%2B02:00&joined_at_op=less_than",
        ["bob", "cid"],
        False,
    ),
    ("error=Could+not+delete", ALL, False),
]


def shown_members(page: str) -> list[str]:
    """The members a list page shows, in its order."""
    names = re.findall(r"\b([a-z]+)@example\.com", page)
    return list(dict.fromkeys(names))


@pytest.mark.parametrize(("query", "expected", "ordered"), GOOD_LIST_QUERIES)
def test_the_list_parameters_it_reads_still_work(
    client: TestClient, engine: Engine, query: str, expected: list[str], ordered: bool
) -> None:
    with Session(engine) as session:
        chess, go = Club(name="Chess"), Club(name="Go")
        session.add_all([chess, go])
        session.flush()
        assert chess.id == 1
        session.add_all(
            [
                Member(
                    email="ann@example.com",
                    tier=Tier.pro,
                    club_id=chess.id,
                    joined_at=datetime(2024, 6, 1, tzinfo=UTC),
                ),
                Member(
                    email="bob@example.com",
                    is_active=False,
                    joined_at=datetime(2020, 1, 1, tzinfo=UTC),
                ),
                Member(
                    email="cid@example.com",
                    club_id=go.id,
                    joined_at=datetime(2023, 12, 31, 23, 30, tzinfo=UTC),
                ),
            ]
        )
        session.commit()
    response = client.get(f"/admin/member/list?{query}")
    assert response.status_code == 200, response.text[:500]
    shown = shown_members(response.text)
    assert (shown if ordered else sorted(shown)) == expected
    if query.startswith("error="):
        # Read, not shown: messages travel in the session, never in the URL.
        assert "Could not delete" not in response.text


def test_the_datetime_filter_filters(client: TestClient, engine: Engine) -> None:
    with Session(engine) as session:
        session.add(
            Member(email="old@example.com", joined_at=datetime(2020, 1, 1, tzinfo=UTC))
        )
        session.add(
            Member(email="new@example.com", joined_at=datetime(2024, 6, 1, tzinfo=UTC))
        )
        session.commit()
    page = client.get(
        "/admin/member/list?joined_at=2023-01-01&joined_at_op=greater_than"
    )
    assert page.status_code == 200
    assert "new@example.com" in page.text and "old@example.com" not in page.text


def test_the_page_size_is_clamped(client: TestClient, engine: Engine) -> None:
    with Session(engine) as session:
        session.execute(insert(Tag), [{"label": f"tag {i:03}"} for i in range(205)])
        session.commit()
    page = client.get("/admin/tag/list?pageSize=100000")
    assert page.status_code == 200
    assert (
        page.text.count('class="form-check-input m-0 align-middle select-box"') == 200
    )


def test_a_page_past_the_end_goes_to_the_last(client: TestClient) -> None:
    response = client.get("/admin/tag/list?page=999")
    assert response.status_code == 302
    assert "page=1" in response.headers["location"]


MALFORMED_KEYS = [
    "abc",
    "1;DROP TABLE club",
    "99999999999999999999999",
    "1.5",
    "' OR 1=1 --",
    "%00",
    "..%2F..%2Fetc%2Fpasswd",
    "9" * 5000,
    "0x10",
    "1e3",
    "<svg onload=alert(1)>",
]


def key_routes(identity: str, pk: str) -> list[tuple[str, str, dict[str, object]]]:
    """Every route that names a row: (method, url, request arguments)."""
    return [
        ("GET", f"/admin/{identity}/details/{pk}", {}),
        ("GET", f"/admin/{identity}/edit/{pk}", {}),
        ("POST", f"/admin/{identity}/edit/{pk}", {"data": {"name": "x"}}),
        ("GET", f"/admin/{identity}/delete?pks={pk}", {}),
        (
            "POST",
            f"/admin/{identity}/delete",
            {"data": {"pks": urllib.parse.unquote(pk)}},
        ),
        ("DELETE", f"/admin/{identity}/delete?pks={pk}", {}),
        ("GET", f"/admin/{identity}/{pk}/name/download/", {}),
        ("GET", f"/admin/{identity}/{pk}/name/preview/", {}),
    ]


@pytest.mark.parametrize("identity", ["club", "member", "club-tag-link", "membership"])
def test_malformed_keys_are_404_everywhere(
    lax_client: TestClient, engine: Engine, identity: str
) -> None:
    with Session(engine) as session:
        club, tag = Club(name="Chess"), Tag(label="board")
        member = Member(email="a@example.com")
        session.add_all([club, tag, member])
        session.flush()
        session.add(ClubTagLink(club_id=club.id, tag_id=tag.id))
        session.add(Membership(club_id=club.id, member_id=member.id))
        session.commit()
    before = [count(engine, model) for model in (Club, Tag, Member, ClubTagLink)]
    for raw in MALFORMED_KEYS:
        pk = urllib.parse.quote(raw, safe="%")
        for method, url, kwargs in key_routes(identity, pk):
            response = lax_client.request(method, url, **kwargs)  # type: ignore[arg-type]
            assert response.status_code == 404, (method, url[:80], response.text[:300])
    after = [count(engine, model) for model in (Club, Tag, Member, ClubTagLink)]
    assert after == before


def test_a_well_formed_key_of_no_row_is_404_too(lax_client: TestClient) -> None:
    for identity, pk in [("club", "404"), ("member", str(uuid.uuid4()))]:
        for method, url, kwargs in key_routes(identity, pk):
            if method == "POST" and url.endswith("/delete"):
                continue  # a form's missing row is a refusal on the list page
            if method == "DELETE":
                continue  # sqladmin's script gets the same refusal as a page
            response = lax_client.request(method, url, **kwargs)  # type: ignore[arg-type]
            assert response.status_code == 404, (method, url, response.text[:300])


def test_the_limits_are_settings(tmp_path: Path) -> None:
    settings = Settings(
        secret_key="k" * 40,
        max_body_bytes="2048",  # type: ignore[arg-type]
        max_form_fields="20",  # type: ignore[arg-type]
        export_get_max_rows="5",  # type: ignore[arg-type]
        csrf_trusted_origins="https://a.example, https://b.example:8443",  # type: ignore[arg-type]
    )
    assert settings.max_body_bytes == 2048 and settings.max_form_fields == 20
    assert settings.export_get_max_rows == 5
    assert settings.csrf_trusted_origins == [
        "https://a.example",
        "https://b.example:8443",
    ]
    defaults = Settings(secret_key="k" * 40)
    assert defaults.max_body_bytes == 5 * 1024 * 1024
    assert defaults.max_form_fields == 1000
