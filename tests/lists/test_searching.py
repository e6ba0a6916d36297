"""List search is index-friendly by default: prefix ranges on text, equality on
e-mail addresses, keys and typed values, wildcards literal, never a leading
``%`` nor a ``CAST``; 'contains' is there when asked for. See
:mod:`admin_app.lists.searching`."""

import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, Select, select
from sqlmodel import Session, SQLModel
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.testclient import TestClient

from admin_app.lists.searching import (
    MAX_TERM_LENGTH,
    search_statement,
    typed_value,
    wants_contains,
)
from admin_app.views.inferred import AutoModelView, view_for
from tests.conftest import StatementLog
from tests.listing_pages import row_keys
from tests.sample_models import Club, ClubTagLink, Member, Membership, Tag, Tier


class MemberSearchAdmin(AutoModelView, model=Member):
    column_searchable_list = [
        "email",
        "nickname",
        "tier",
        "balance",
        "is_active",
        "joined_at",
        "club_id",
    ]


class ClubSearchAdmin(AutoModelView, model=Club):
    column_searchable_list = ["name", "founded", "tags.label"]


class MembershipSearchAdmin(AutoModelView, model=Membership):
    column_searchable_list = ["club.name", "member.email"]


class ContainsTagAdmin(AutoModelView, model=Tag):
    search_contains = True


def found(engine: Engine, view: Any, term: str, *, contains: bool = False) -> list[Any]:
    """What a search for ``term`` finds with ``view``, in key order."""
    stmt: Select[Any] = select(view.model)
    stmt = search_statement(view, stmt, term, contains=contains)
    keys = list(view.model.__mapper__.primary_key)
    with Session(engine) as session:
        return list(session.scalars(stmt.order_by(*keys)).all())


def labels(engine: Engine, term: str, *, contains: bool = False) -> list[str]:
    return [t.label for t in found(engine, view_for(Tag)(), term, contains=contains)]


def add(engine: Engine, *rows: SQLModel) -> None:
    with Session(engine, expire_on_commit=False) as session:
        session.add_all(rows)
        session.commit()


def add_tags(engine: Engine, *names: str) -> dict[str, int]:
    tags = [Tag(label=name) for name in names]
    with Session(engine) as session:
        session.add_all(tags)
        session.commit()
        return {tag.label: tag.id for tag in tags if tag.id is not None}


def searches(statements: StatementLog, table: str) -> list[tuple[str, list[Any]]]:
    """The SQL and parameters of each statement that read ``table``."""
    return [
        (sql, list(params.values() if isinstance(params, dict) else params))
        for sql, params in zip(statements, statements.params, strict=True)
        if f"FROM {table}" in sql
    ]


def request_for(query: str) -> Request:
    return Request({"type": "http", "query_string": query.encode(), "headers": []})


# Prefix by default


def test_a_term_finds_what_starts_with_it_in_its_usual_spellings(
    engine: Engine,
) -> None:
    if engine.dialect.name == "mysql":
        # MySQL's default collation compares without case: "ADA" and "aDa" are
        # one label to the unique index, and any case of a prefix finds it.
        add_tags(engine, "Ada Lovelace", "ada-lang", "aDa", "Lovelace Ada", "Adb")
        assert labels(engine, "ada") == ["Ada Lovelace", "ada-lang", "aDa"]
        assert labels(engine, "ADA") == ["Ada Lovelace", "ada-lang", "aDa"]
    else:  # the usual spellings: not "aDa"
        add_tags(
            engine, "Ada Lovelace", "ada-lang", "ADA", "aDa", "Lovelace Ada", "Adb"
        )
        assert labels(engine, "ada") == ["Ada Lovelace", "ada-lang", "ADA"]
        assert labels(engine, "ADA") == ["Ada Lovelace", "ada-lang", "ADA"]
    assert labels(engine, "  Ada Love ") == ["Ada Lovelace"]  # stripped
    assert labels(engine, "ovel") == []  # not from the middle


def test_wildcards_and_backslashes_match_literally(engine: Engine) -> None:
    add_tags(engine, "50%-off", "50x-off", "a_b", "axb", "c\\d", "cxd")
    assert labels(engine, "50%") == ["50%-off"]
    assert labels(engine, "a_") == ["a_b"]
    assert labels(engine, "c\\") == ["c\\d"]
    assert labels(engine, "%") == []
    assert labels(engine, "0%", contains=True) == ["50%-off"]
    assert labels(engine, "_", contains=True) == ["a_b"]
    assert labels(engine, "\\", contains=True) == ["c\\d"]


def test_an_email_address_matches_email_fields_exactly(engine: Engine) -> None:
    add(
        engine,
        Member(email="zoe@example.com"),
        Member(email="zoe@example.com.au"),
        Member(email="zed@example.com"),
    )
    view = view_for(Member)()

    def emails(term: str) -> list[str]:
        return [member.email for member in found(engine, view, term)]

    assert emails("zoe@example.com") == ["zoe@example.com"]
    assert emails("Zoe@Example.COM") == ["zoe@example.com"]  # lower-cased too
    assert sorted(emails("zoe@")) == ["zoe@example.com", "zoe@example.com.au"]
    assert emails("nobody@example.com") == []


def test_a_number_or_a_uuid_matches_the_primary_key(engine: Engine) -> None:
    ids = add_tags(engine, "zulu", "other")
    zulu = ids["zulu"]
    add_tags(engine, f"{zulu}-a")
    assert labels(engine, str(zulu)) == ["zulu", f"{zulu}-a"]
    # Too big for the key's type (or for int()): no match, no database error.
    assert labels(engine, "9" * 30) == []
    assert labels(engine, "9" * MAX_TERM_LENGTH) == []

    member_id = uuid.uuid4()
    add(engine, Member(id=member_id, email="uma@example.com"))
    view = view_for(Member)()
    assert [m.email for m in found(engine, view, str(member_id))] == ["uma@example.com"]
    assert found(engine, view, "123") == []


def test_other_fields_match_the_term_read_as_their_type(engine: Engine) -> None:
    club = Club(name="Chess")
    add(engine, club)
    joined = datetime(2024, 3, 1, 22, 30, tzinfo=UTC)
    add(
        engine,
        Member(
            email="pro@example.com",
            tier=Tier.pro,
            balance=Decimal("12.50"),
            joined_at=joined,
            club_id=club.id,
            is_active=False,
        ),
        Member(email="free@example.com", nickname="pro-am"),
    )
    view = MemberSearchAdmin()

    def emails(term: str) -> list[str]:
        return sorted(member.email for member in found(engine, view, term))

    assert emails("pro") == ["free@example.com", "pro@example.com"]  # nickname, tier
    # Capitals: the tier by name, ignoring case; the nickname in lower case.
    assert emails("PRO") == ["free@example.com", "pro@example.com"]
    assert emails("Pro-") == ["free@example.com"]
    assert emails("12.5") == ["pro@example.com"]
    assert emails("2024-03-01") == ["pro@example.com"]  # that day, in UTC
    assert emails("2024-03-01T22:30:00+00:00") == ["pro@example.com"]
    assert emails("2024-03-02") == []
    assert emails(str(club.id)) == ["pro@example.com"]
    assert emails("false") == ["pro@example.com"]
    assert emails("9" * 19) == []  # no int4 overflow on PostgreSQL
    assert emails("nothing") == []


def test_typed_values_refuse_what_is_not_of_the_type() -> None:
    from sqlalchemy import BigInteger, Boolean, Date, DateTime, Integer, Numeric

    assert typed_value(Integer(), "-12") == -12
    assert typed_value(Integer(), str(2**31)) is None
    assert typed_value(BigInteger(), str(2**63 - 1)) == 2**63 - 1
    assert typed_value(BigInteger(), str(2**63)) is None
    assert typed_value(Integer(), "1.5") is None
    assert typed_value(Numeric(), "1e9") is None
    assert typed_value(Numeric(), "NaN") is None
    assert typed_value(Numeric(), "-0.25") == Decimal("-0.25")
    assert typed_value(Boolean(), "Yes") is True
    assert typed_value(Boolean(), "maybe") is None
    assert typed_value(Date(), "2024-02-30") is None
    assert typed_value(Date(), "2024-02-29") == date(2024, 2, 29)
    assert typed_value(DateTime(timezone=True), "9999-12-31") is None
    day = typed_value(DateTime(), "2024-02-29")
    assert day == (datetime(2024, 2, 29), datetime(2024, 3, 1))


def test_a_relation_path_finds_rows_by_their_related_row_once(engine: Engine) -> None:
    fencing = Club(name="Fencing", tags=[Tag(label="foil"), Tag(label="fast")])
    rowing = Club(name="Rowing", founded=date(1990, 5, 1))
    zoe = Member(email="zoe@example.com")
    add(engine, fencing, rowing, zoe)
    add(
        engine,
        Membership(club_id=fencing.id, member_id=zoe.id),
        Membership(club_id=rowing.id, member_id=zoe.id),
    )
    clubs = ClubSearchAdmin()
    assert [c.name for c in found(engine, clubs, "f")] == ["Fencing"]  # 2 tags match
    assert [c.name for c in found(engine, clubs, "f", contains=True)] == ["Fencing"]
    assert [c.name for c in found(engine, clubs, "1990-05-01")] == ["Rowing"]
    assert [c.name for c in found(engine, clubs, "row")] == ["Rowing"]  # no tags

    memberships = MembershipSearchAdmin()
    assert [m.club_id for m in found(engine, memberships, "Fen")] == [fencing.id]
    assert len(found(engine, memberships, "zoe@example.com")) == 2
    assert len(found(engine, memberships, "ZOE", contains=True)) == 2


def test_contains_finds_the_term_anywhere(engine: Engine) -> None:
    add_tags(engine, "Ada Lovelace", "LOVE", "other")
    assert labels(engine, "ovel", contains=True) == ["Ada Lovelace"]
    assert labels(engine, "LOVE", contains=True) == ["Ada Lovelace", "LOVE"]
    assert labels(engine, "xyz", contains=True) == []


def test_an_empty_term_searches_nothing() -> None:
    view = view_for(Tag)()
    stmt: Select[Any] = select(Tag)
    for term in ("", "   ", "\t\n"):
        assert search_statement(view, stmt, term, contains=False) is stmt


@pytest.mark.parametrize("term", ["x" * (MAX_TERM_LENGTH + 1), "a\x00b"])
def test_an_overlong_or_nul_term_is_refused(term: str) -> None:
    with pytest.raises(HTTPException) as refused:
        search_statement(view_for(Tag)(), select(Tag), term, contains=False)
    assert refused.value.status_code == 400
    search_statement(
        view_for(Tag)(), select(Tag), "x" * MAX_TERM_LENGTH, contains=False
    )


def test_contains_is_asked_by_the_request_or_the_view() -> None:
    plain, eager = view_for(Tag)(), ContainsTagAdmin()
    assert not wants_contains(plain, request_for("search=a"))
    assert wants_contains(plain, request_for("search=a&match=contains"))
    assert wants_contains(eager, request_for("search=a"))
    assert not wants_contains(eager, request_for("search=a&match=prefix"))


# The SQL


def test_the_default_search_has_no_leading_wildcard_and_no_cast(
    engine: Engine, statements: StatementLog
) -> None:
    add_tags(engine, "board-games")
    add(engine, Member(email="ada@example.com"))
    statements.clear()
    assert labels(engine, "board") == ["board-games"]
    assert found(engine, view_for(Member)(), "ada@example.com")
    assert found(engine, MemberSearchAdmin(), "pro") == []
    sqls = searches(statements, "tag") + searches(statements, "member")
    assert len(sqls) == 3
    for sql, values in sqls:
        assert "CAST" not in sql.upper() and "lower(" not in sql.lower()
        assert not re.search(r"\bILIKE\b", sql, re.I)
        assert not [v for v in values if isinstance(v, str) and v.startswith("%")]
    tag_sql, tag_values = sqls[0]
    assert "ESCAPE" in tag_sql and "board%" in tag_values
    # The matching keys are asked apart, so their indexes find them first.
    assert re.search(r"WHERE tag\.id IN \(SELECT tag\.id\s+FROM tag\s+WHERE", tag_sql)
    _, email_values = sqls[1]
    assert "ada@example.com" in email_values
    assert not [v for v in email_values if isinstance(v, str) and v.endswith("%")]


def test_contains_is_a_like_with_both_wildcards_escaped(
    engine: Engine, statements: StatementLog
) -> None:
    statements.clear()
    found(engine, MemberSearchAdmin(), "5%", contains=True)
    ((sql, values),) = searches(statements, "member")
    assert "ESCAPE" in sql and "%5\\%%" in values
    assert "CAST" in sql.upper()  # the non-text fields, read as text


# Served from an index


def explain(engine: Engine, stmt: Select[Any]) -> str:
    """The plan the database picks for ``stmt`` as the admin runs it: SQLite
    with the values as parameters, PostgreSQL given them (a custom plan),
    MariaDB given them (PyMySQL sends them in the SQL): a line a table read,
    ``table type key Extra``."""
    with engine.connect() as connection:
        if engine.dialect.name == "mysql":
            literal = stmt.compile(engine, compile_kwargs={"literal_binds": True})
            rows = connection.exec_driver_sql(f"EXPLAIN {literal}")  # %% is a %
            return "\n".join(
                f"{row.table} {row.type} {row.key} {row.Extra}" for row in rows
            )
        if engine.dialect.name == "postgresql":
            literal = stmt.compile(engine, compile_kwargs={"literal_binds": True})
            rows = connection.exec_driver_sql(f"EXPLAIN {literal}")
            return "\n".join(row[0] for row in rows)
        compiled = stmt.compile(engine, compile_kwargs={"render_postcompile": True})
        params = compiled.construct_params()
        values = tuple(params[name] for name in compiled.positiontup or [])
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", values)
        return "\n".join(str(row[-1]) for row in rows)


@pytest.mark.parametrize("order", ["id", "label"])
def test_a_prefix_search_of_a_sorted_page_reads_the_columns_index(
    engine: Engine, order: str
) -> None:
    with Session(engine) as session:
        session.add_all(Tag(label=f"tag-{n:05}") for n in range(5000))
        session.add_all(Tag(label=f"Boat {n}") for n in range(3))
        session.commit()
    if engine.dialect.name != "sqlite":  # SQLite: as a new database, no stats
        with engine.connect() as connection:
            analyse = (
                "ANALYZE TABLE tag" if engine.dialect.name == "mysql" else "ANALYZE"
            )
            connection.exec_driver_sql(analyse)
            connection.commit()
    sort = [Tag.id.desc()] if order == "id" else [Tag.label.asc(), Tag.id.asc()]
    stmt = search_statement(view_for(Tag)(), select(Tag), "boa", contains=False)
    plan = explain(engine, stmt.order_by(*sort).limit(51))
    assert "ix_tag_label" in plan, plan
    if engine.dialect.name == "postgresql":
        assert re.search(r"Index Cond: .*\blabel\b", plan), plan
        assert "Seq Scan" not in plan, plan
    elif engine.dialect.name == "mysql":
        # The label's index read as a range (no LOWER()), no table read whole
        # ("ALL") nor an index walked end to end ("index").
        assert re.search(r"^tag range ix_tag_label\b", plan, re.M), plan
        assert not re.search(r"^\S+ (ALL|index) ", plan, re.M), plan
    else:
        # SCAN is a read of a whole table or index (walking the sort order and
        # testing every row); SEARCH a lookup.
        assert not re.search(r"^SCAN ", plan, re.M), plan


# The list page


def test_the_list_page_shows_the_rows_found(client: TestClient, engine: Engine) -> None:
    ids = add_tags(engine, "board-games", "Boardwalk", "skateboard", "50%-off")

    def shown(query: str) -> set[str]:
        response = client.get(f"/admin/tag/list?{query}")
        assert response.status_code == 200, response.text[:300]
        return set(row_keys(response.text))

    assert shown("search=board") == {str(ids["board-games"]), str(ids["Boardwalk"])}
    assert shown("search=board&match=contains") == {
        str(ids["board-games"]),
        str(ids["Boardwalk"]),
        str(ids["skateboard"]),
    }
    assert shown("search=50%25") == {str(ids["50%-off"])}
    assert shown(f"search={ids['skateboard']}") == {str(ids["skateboard"])}
    assert shown("search=%20%20") == set(map(str, ids.values()))


def test_an_overlong_term_is_a_bad_request_on_the_list_page(
    client: TestClient,
) -> None:
    response = client.get("/admin/tag/list", params={"search": "x" * 201})
    assert response.status_code == 400
    assert "too long" in response.text


def test_the_search_box_says_what_it_searches(
    client: TestClient, client_with: Callable[..., TestClient], engine: Engine
) -> None:
    add_tags(engine, "x")
    page = client.get("/admin/member/list?search=ada").text
    assert 'placeholder="Search: starts with … in Email"' in page
    box = re.search(r'<input id="search-contains"[^>]*>', page)
    assert box is not None and "checked" not in box.group(0)
    assert 'name="search"' in page and 'value="ada"' in page
    script = re.search(r'src="([^"]*/app-statics/js/list_search\.js)"', page)
    assert script is not None
    js = client.get(script.group(1))
    assert js.status_code == 200 and "match" in js.text

    page = client.get("/admin/tag/list?search=x&match=contains").text
    box = re.search(r'<input id="search-contains"[^>]*>', page)
    assert box is not None and "checked" in box.group(0)
    assert 'placeholder="Search: contains … in Label"' in page

    eager = client_with(ContainsTagAdmin).get("/admin/tag/list").text
    assert 'data-default-match="contains"' in eager
    assert 'placeholder="Search: contains … in Label"' in eager


def test_the_search_box_keeps_the_sort_and_drops_the_paging(
    client: TestClient, engine: Engine
) -> None:
    add_tags(engine, "x")
    page = client.get("/admin/tag/list?sortBy=label&sort=desc&page=1&search=x").text
    form = re.search(r'<form id="list-search".*?</form>', page, re.S)
    assert form is not None
    hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form[0]))
    assert hidden == {"sortBy": "label", "sort": "desc"}
    clear = re.search(r'id="search-clear"[^>]*href="([^"]*)"', form[0], re.S)
    assert clear is not None
    assert "search=" not in clear.group(1) and "page=" not in clear.group(1)
    assert "sortBy=label" in clear.group(1)


def test_link_tables_with_composite_keys_are_searched_by_key(engine: Engine) -> None:
    club, tag = Club(name="Go"), Tag(label="board")
    add(engine, club, tag)
    add(engine, ClubTagLink(club_id=club.id, tag_id=tag.id))

    class LinkAdmin(AutoModelView, model=ClubTagLink):
        column_searchable_list = ["club_id"]

    assert len(found(engine, LinkAdmin(), str(club.id))) == 1
    assert found(engine, LinkAdmin(), "nope") == []
