"""Relationship pickers hold at scale: prefix search (never ``'%term%'``), exact
shortcuts, select2 paging, only what the user may use, one query per relation on
the edit page, and bare foreign-key columns pickable too."""

import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, Select
from sqlmodel import Session
from starlette.requests import Request
from starlette.testclient import TestClient

from admin_app.app import create_app
from admin_app.forms.pickers import MAX_PICKER_PAGE, PICKER_LIMIT, column_picker
from admin_app.lists.matching import escape_like
from admin_app.views.inferred import AutoModelView, view_for
from models.tables import Order, User
from tests.conftest import ADMIN_PASSWORD, StatementLog, login, make_settings
from tests.sample_models import Club, ClubTagLink, Member, Membership, Tag


def lookup(
    client: TestClient, identity: str, name: str, term: str, page: Any = None
) -> httpx.Response:
    params = {"name": name, "term": term}
    if page is not None:
        params["page"] = str(page)
    return client.get(f"/admin/{identity}/ajax/lookup", params=params)


def texts(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text[:500]
    return [result["text"] for result in response.json()["results"]]


def add_tags(engine: Engine, *labels: str) -> dict[str, int]:
    with Session(engine) as session:
        tags = [Tag(label=label) for label in labels]
        session.add_all(tags)
        session.commit()
        return {tag.label: tag.id for tag in tags if tag.id is not None}


# Search


def test_a_term_matches_the_start_of_the_label_ignoring_case(
    client: TestClient, engine: Engine
) -> None:
    add_tags(engine, "board-games", "Boardwalk", "skateboard", "on board")
    assert set(texts(lookup(client, "club", "tags", "board"))) == {
        "board-games",
        "Boardwalk",
    }
    assert set(texts(lookup(client, "club", "tags", "BOARD"))) == {
        "board-games",
        "Boardwalk",
    }


def test_matches_come_in_label_order_and_never_from_the_middle(
    client: TestClient, engine: Engine
) -> None:
    add_tags(engine, "alpha-2", "xalpha", "alpha-1", "beta")
    assert texts(lookup(client, "club", "tags", "alpha")) == ["alpha-1", "alpha-2"]
    assert texts(lookup(client, "club", "tags", "lpha")) == []


def test_unindexed_columns_are_not_searched(client: TestClient, engine: Engine) -> None:
    with Session(engine) as session:
        session.add(Member(email="ann@example.com", nickname="zed"))
        session.commit()
    assert texts(lookup(client, "membership", "member", "ann")) == ["ann@example.com"]
    assert texts(lookup(client, "membership", "member", "zed")) == []


def test_wildcards_and_backslashes_in_the_term_match_literally(
    client: TestClient, engine: Engine
) -> None:
    add_tags(engine, "50%-off", "50x-off", "a_b", "axb", "c\\d", "cxd")
    assert texts(lookup(client, "club", "tags", "50%")) == ["50%-off"]
    assert texts(lookup(client, "club", "tags", "a_")) == ["a_b"]
    assert texts(lookup(client, "club", "tags", "c\\")) == ["c\\d"]
    assert escape_like("5%_\\") == "5\\%\\_\\\\"


def test_an_email_matches_the_email_column_exactly_and_first(
    client: TestClient, client_with: Callable[..., TestClient], engine: Engine
) -> None:
    with Session(engine) as session:
        session.add(Member(email="zoe@example.com", nickname="zo"))
        session.add(Member(email="zoe@example.com.au", nickname="zz"))
        session.commit()
    assert texts(lookup(client, "membership", "member", "zoe@example.com")) == [
        "zoe@example.com",
        "zoe@example.com.au",
    ]

    # A picker that searches nicknames only still finds a whole address,
    # exactly (lower-cased too), but no address by its start.
    class MembershipAdmin(AutoModelView, model=Membership):
        form_ajax_refs = {"member": {"fields": ["nickname"]}}

    custom = client_with(MembershipAdmin)
    for term in ("zoe@example.com", "Zoe@Example.COM"):
        assert texts(lookup(custom, "membership", "member", term)) == [
            "zoe@example.com"
        ]
    assert texts(lookup(custom, "membership", "member", "zoe@")) == []
    assert texts(lookup(custom, "membership", "member", "zo")) == ["zoe@example.com"]


def test_digits_match_an_integer_key_first(client: TestClient, engine: Engine) -> None:
    zulu = add_tags(engine, "zulu")["zulu"]
    add_tags(engine, f"{zulu}-b", f"{zulu}-a", "other")
    assert texts(lookup(client, "club", "tags", str(zulu))) == [
        "zulu",
        f"{zulu}-a",
        f"{zulu}-b",
    ]
    # Too big for the key's type: no match, and no database error either.
    assert texts(lookup(client, "club", "tags", "9" * 30)) == []


def test_a_uuid_matches_a_uuid_key(client: TestClient, engine: Engine) -> None:
    member_id = uuid.uuid4()
    with Session(engine) as session:
        session.add(Member(id=member_id, email="uma@example.com"))
        session.commit()
    assert texts(lookup(client, "membership", "member", str(member_id))) == [
        "uma@example.com"
    ]
    assert texts(lookup(client, "membership", "member", "123")) == []


def test_the_search_is_a_prefix_like_with_escape_never_a_leading_wildcard(
    client: TestClient, engine: Engine, statements: StatementLog
) -> None:
    add_tags(engine, "board-games")
    statements.clear()
    assert texts(lookup(client, "club", "tags", "board")) == ["board-games"]
    searches = [
        (sql, params)
        for sql, params in zip(statements, statements.params, strict=True)
        if "FROM tag" in sql
    ]
    assert len(searches) == 1
    sql, params = searches[0]
    values = list(params.values() if isinstance(params, dict) else params)
    assert re.search(r"\bI?LIKE\b", sql) and "ESCAPE" in sql
    assert "CAST" not in sql.upper() and "lower(" not in sql
    assert "board%" in values
    assert not [v for v in values if isinstance(v, str) and v.startswith("%")]
    assert re.search(r"\bLIMIT\b", sql)


# Paging


def test_pages_of_twenty_say_whether_more_follow_and_never_overlap(
    client: TestClient, engine: Engine
) -> None:
    labels = [f"page-{n:02}" for n in range(45)]
    add_tags(engine, *reversed(labels), "other")
    pages = [lookup(client, "club", "tags", "page", page) for page in (1, 2, 3)]
    found = [texts(response) for response in pages]
    assert [len(page) for page in found] == [PICKER_LIMIT, PICKER_LIMIT, 5]
    assert [r.json()["pagination"]["more"] for r in pages] == [True, True, False]
    assert found[0] + found[1] + found[2] == labels  # all of them, once, in order


@pytest.mark.parametrize("page", ["0", "-3", "abc", "", "2.5", " ", "1e3"])
def test_a_bad_page_is_page_one(client: TestClient, engine: Engine, page: str) -> None:
    add_tags(engine, *(f"bad-{n:02}" for n in range(25)))
    first = lookup(client, "club", "tags", "bad")
    response = lookup(client, "club", "tags", "bad", page)
    assert response.status_code == 200
    assert response.json() == first.json()
    assert len(texts(response)) == PICKER_LIMIT


def test_pages_stop_at_the_cap(client: TestClient, engine: Engine) -> None:
    add_tags(engine, "cap")
    for page in (str(MAX_PICKER_PAGE), "10" * 30):
        response = lookup(client, "club", "tags", "cap", page)
        assert response.json() == {"results": [], "pagination": {"more": False}}


# Who may look up what


def test_an_unknown_picker_or_a_missing_term_is_a_bad_request(
    client: TestClient,
) -> None:
    assert lookup(client, "club", "nope", "a").status_code == 400
    assert lookup(client, "club", "memberships", "a").status_code == 400  # children
    assert (
        client.get("/admin/club/ajax/lookup", params={"term": "a"}).status_code == 400
    )
    assert (
        client.get("/admin/club/ajax/lookup", params={"name": "tags"}).status_code
        == 400
    )


def test_a_term_longer_than_the_list_search_takes_is_refused(
    client: TestClient,
) -> None:
    assert lookup(client, "club", "tags", "a" * 200).status_code == 200
    for term in ("a" * 201, "a" * 60_000, "a\x00b"):
        response = lookup(client, "club", "tags", term)
        assert response.status_code == 400
        assert "results" not in response.text


def test_anonymous_users_are_sent_to_the_login_page(anonymous: TestClient) -> None:
    response = lookup(anonymous, "club", "tags", "a")
    assert response.status_code == 302
    assert response.headers["location"].split("?")[0].endswith("/admin/login")


def test_no_lookup_for_a_user_who_can_neither_create_nor_edit(
    client_with: Callable[..., TestClient], engine: Engine
) -> None:
    add_tags(engine, "locked")

    class ReadOnlyClubAdmin(AutoModelView, model=Club):
        can_create = False
        can_edit = False

    assert (
        lookup(client_with(ReadOnlyClubAdmin), "club", "tags", "l").status_code == 403
    )


def test_the_picker_query_hook_narrows_what_pickers_offer(
    client_with: Callable[..., TestClient], engine: Engine
) -> None:
    add_tags(engine, "shown", "secret")

    class NarrowClubAdmin(AutoModelView, model=Club):
        def picker_query(
            self, request: Request, target: type[Any], stmt: Select[Any]
        ) -> Select[Any]:
            assert target is Tag
            return stmt.where(Tag.label != "secret")

    assert texts(lookup(client_with(NarrowClubAdmin), "club", "tags", "s")) == ["shown"]


# Bare foreign keys


def test_a_foreign_key_without_a_relationship_is_pickable(
    client: TestClient, engine: Engine
) -> None:
    with Session(engine) as session:
        club = Club(name="Fencing")
        session.add_all([club, Club(name="Rowing"), Tag(label="outdoor")])
        session.commit()
        club_id = club.id
    expected = [{"id": str(club_id), "text": "Club Fencing"}]
    assert lookup(client, "member", "club_id", "fen").json()["results"] == expected
    assert lookup(client, "member", "club_id", str(club_id)).json()["results"] == (
        expected
    )
    # A link table without relationships picks both of its keys.
    assert texts(lookup(client, "club-tag-link", "tag_id", "out")) == ["outdoor"]
    assert texts(lookup(client, "club-tag-link", "club_id", "row")) == ["Club Rowing"]


def test_column_picker_targets_the_referenced_model_or_gives_none() -> None:
    view = view_for(Member)()
    loader = column_picker(view, "club_id")
    assert loader is not None
    assert (loader.name, loader.model) == ("club_id", Club)
    assert column_picker(view, "nickname") is None  # not a foreign key
    assert column_picker(view, "missing") is None
    assert view._column_ajax_refs.keys() == {"club_id"}
    assert "club_id" not in view._form_ajax_refs  # sqladmin's: relations only


# The edit page


def test_the_edit_page_labels_the_selection_with_one_query_per_relation(
    client: TestClient, engine: Engine, statements: StatementLog
) -> None:
    with Session(engine) as session:
        club = Club(name="Chess", tags=[Tag(label=f"tag-{n}") for n in range(5)])
        member = Member(email="ada@example.com")
        session.add_all([club, member])
        session.flush()
        session.add(Membership(club_id=club.id, member_id=member.id))
        session.commit()
        club_id, member_id = club.id, member.id

    def queries_of(table: str) -> int:
        """Statements that read rows of ``table`` (alone, joined or with
        another table's rows)."""
        reading = re.compile(rf"\b(FROM|JOIN) {table}\b")
        return sum(
            bool(reading.search(sql)) for sql in statements if sql.startswith("SELECT")
        )

    statements.clear()
    page = client.get(f"/admin/club/edit/{club_id}")
    assert page.status_code == 200
    assert all(f"tag-{n}" in page.text for n in range(5))
    assert queries_of("tag") == 1  # five tags, one query

    statements.clear()
    page = client.get(f"/admin/membership/edit/{club_id};{member_id}")
    assert page.status_code == 200
    assert "Club Chess" in page.text and "ada@example.com" in page.text
    # One query labels each pick; sqladmin's edit check (site._edit loads the
    # row for its details) may preload the row's to-one relations once more.
    assert 1 <= queries_of("club") <= 2 and 1 <= queries_of("member") <= 2


def test_pages_with_pickers_load_our_paging_script(
    client: TestClient, engine: Engine
) -> None:
    add_tags(engine, "x")
    page = client.get("/admin/club/create").text
    assert 'data-role="select2-ajax"' in page
    script = re.search(r'src="([^"]*/app-statics/js/pickers\.js)"', page)
    assert script is not None
    assert page.index(script.group(1)) > page.index("js/main.js")  # runs after it
    js = client.get(script.group(1))
    assert js.status_code == 200
    assert "params.page" in js.text and "pagination" in js.text


def test_link_rows_are_untouched_by_pickers(client: TestClient, engine: Engine) -> None:
    """Registering column pickers leaves sqladmin's forms alone (regression guard:
    a column name among sqladmin's ajax refs breaks its edit page)."""
    with Session(engine) as session:
        club, tag = Club(name="Go"), Tag(label="board")
        session.add_all([club, tag])
        session.flush()
        session.add(ClubTagLink(club_id=club.id, tag_id=tag.id))
        session.commit()
        key = f"{club.id};{tag.id}"
    assert client.get(f"/admin/club-tag-link/edit/{key}").status_code == 200


# Served from an index


def test_a_prefix_search_is_read_from_an_index(engine: Engine) -> None:
    from sqlalchemy import select as select_

    from admin_app.lists.matching import prefix_match
    from tests.sample_models import Tag

    stmt = select_(Tag.id).where(prefix_match(Tag.label, "boa"))
    sql = str(stmt.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            # On a tiny table a scan is cheaper; ask whether an index can serve it.
            connection.exec_driver_sql("SET enable_seqscan = off")
            plan = " ".join(r[0] for r in connection.exec_driver_sql("EXPLAIN " + sql))
            assert "Index" in plan and "Seq Scan" not in plan, plan
        elif engine.dialect.name == "mysql":
            # One LIKE under the label's case-insensitive collation: a range
            # of its index (a LOWER() would have it read the index whole).
            assert "lower(" not in sql.lower(), sql
            rows = connection.exec_driver_sql("EXPLAIN " + sql)  # %% is PyMySQL's %
            plans = [(r.type, r.key) for r in rows]
            assert plans == [("range", "ix_tag_label")], plans
        else:
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)
            plan = " ".join(str(r[-1]) for r in rows)
            assert "USING" in plan and "INDEX" in plan, plan


def test_lower_case_terms_find_capitalised_rows(
    client: TestClient, engine: Engine
) -> None:
    add_tags(engine, "Board games", "board-games", "BOARDS", "aboard")
    assert sorted(texts(lookup(client, "club", "tags", "board"))) == [
        "BOARDS",
        "Board games",
        "board-games",
    ]


# Labels that collide


@pytest.fixture
def demo(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> Iterator[TestClient]:
    """A client of the demo models' admin (two people may share a name)."""
    settings = make_settings(database_url, tmp_path, models=["models"])
    with TestClient(create_app(settings), follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


def two_olivias(engine: Engine) -> tuple[int, int, int]:
    """Two users named Olivia Bianchi, one Oliver Stone, and an order of the
    first Olivia's; their ids and the order's."""
    with Session(engine) as session:
        users = [
            User(email=email, full_name=name, hashed_password="x")
            for email, name in (
                ("olivia.b@example.com", "Olivia Bianchi"),
                ("obianchi@example.org", "Olivia Bianchi"),
                ("oliver@example.com", "Oliver Stone"),
            )
        ]
        session.add_all(users)
        session.flush()
        order = Order(reference="PO-1", requester_id=users[0].id)
        session.add(order)
        session.commit()
        assert users[0].id and users[1].id and order.id
        return users[0].id, users[2].id, order.id


def test_results_sharing_a_label_carry_a_detail(
    demo: TestClient, engine: Engine
) -> None:
    two_olivias(engine)
    response = lookup(demo, "order", "requester", "Oli")
    results = response.json()["results"]
    # In label order, then by key.
    assert [(r["text"], r.get("detail")) for r in results] == [
        ("Oliver Stone", None),
        ("Olivia Bianchi", "olivia.b@example.com"),
        ("Olivia Bianchi", "obianchi@example.org"),
    ]


def test_a_choice_sharing_its_label_says_which_in_its_option(
    demo: TestClient, engine: Engine, statements: StatementLog
) -> None:
    olivia, oliver, order = two_olivias(engine)
    statements.clear()
    page = demo.get(f"/admin/order/edit/{order}").text
    assert (
        f'<option value="{olivia}" selected>'
        "Olivia Bianchi (olivia.b@example.com)</option>"
    ) in page
    grouped = [s for s in statements if "GROUP BY app_user.full_name" in s]
    assert len(grouped) == 1  # one query for the field

    with Session(engine) as session:  # a unique name needs no detail
        row = session.get(Order, order)
        assert row is not None
        row.requester_id = oliver
        session.commit()
    page = demo.get(f"/admin/order/edit/{order}").text
    assert f'<option value="{oliver}" selected>Oliver Stone</option>' in page
