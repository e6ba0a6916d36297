"""The palette's record search (``GET /admin/palette/search?q=``): ranked (exact
key or e-mail, then exact labels, then prefixes), capped per model and in all,
grouped by model, only rows the user may open, one statement per model, and
bad input answered with a 400, never a 500."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, Select, select
from sqlmodel import Session
from starlette.requests import Request
from starlette.testclient import TestClient

from admin_app.palette import records
from admin_app.views.inferred import AutoModelView
from tests.conftest import StatementLog
from tests.sample_models import Club, Member, Tag


def search(client: TestClient, term: str) -> httpx.Response:
    return client.get("/admin/palette/search", params={"q": term})


def groups(response: httpx.Response) -> list[tuple[str, list[str]]]:
    """(model, labels) of each group, in order."""
    assert response.status_code == 200, response.text[:500]
    return [
        (group["identity"], [found["label"] for found in group["results"]])
        for group in response.json()["groups"]
    ]


def add(engine: Engine, *rows: Any) -> None:
    with Session(engine) as session:
        session.add_all(rows)
        session.commit()


# Ranking and grouping


def test_exact_labels_come_before_prefixes_whatever_the_models_order(
    client: TestClient, engine: Engine
) -> None:
    add(
        engine,
        Tag(label="adamant"),
        Tag(label="adagio"),
        Tag(label="bada"),
        Club(name="Ada"),
        Member(email="ada.l@example.com"),
    )
    # Tags come before clubs in the admin; the exact label "Ada" (any case)
    # puts clubs first. Never from the middle ("bada").
    assert groups(search(client, "ada")) == [
        ("club", ["Club Ada"]),
        ("tag", ["adagio", "adamant"]),
        ("member", ["ada.l@example.com"]),
    ]


def test_an_exact_email_comes_first(client: TestClient, engine: Engine) -> None:
    add(
        engine,
        Tag(label="zoe@example.com.au"),
        Member(email="zoe@example.com"),
        Member(email="zoe@example.community"),
    )
    found = groups(search(client, "Zoe@Example.com"))
    assert found[0] == ("member", ["zoe@example.com", "zoe@example.community"])
    assert found[1] == ("tag", ["zoe@example.com.au"])
    found_ranks = search(client, "zoe@example.com").json()["groups"]
    ranks = [[found["rank"] for found in g["results"]] for g in found_ranks]
    assert ranks == [[records.EXACT_KEY, records.PREFIX], [records.PREFIX]]


def test_an_exact_key_comes_before_labels_it_starts(
    client: TestClient, engine: Engine
) -> None:
    add(engine, *(Tag(label=f"tag-{n:02}") for n in range(1, 13)))
    add(engine, Tag(label="12 angry men"))
    response = search(client, "12")
    (tags,) = [g for g in response.json()["groups"] if g["identity"] == "tag"]
    assert [r["label"] for r in tags["results"]] == ["tag-12", "12 angry men"]
    assert tags["results"][0]["url"].endswith("/admin/tag/details/12")
    # One digit finds keys only, not every label starting with it.
    assert dict(groups(search(client, "1")))["tag"] == ["tag-01"]


def test_each_result_links_to_its_row_and_each_group_to_its_list(
    client: TestClient, engine: Engine
) -> None:
    add(engine, Club(name="Rowing"))
    (group,) = search(client, "row").json()["groups"]
    assert group["name"] == "Clubs"
    assert group["list_url"].endswith("/admin/club/list?search=row")
    (found,) = group["results"]
    assert client.get(found["url"]).status_code == 200
    assert "Rowing" in client.get(found["url"]).text


# Caps


def test_each_model_gives_at_most_five_and_says_there_are_more(
    client: TestClient, engine: Engine
) -> None:
    add(engine, *(Tag(label=f"cap-{n}") for n in range(8)), Club(name="Capri"))
    found = search(client, "cap").json()["groups"]
    assert [(g["identity"], len(g["results"]), g["more"]) for g in found] == [
        ("tag", records.PER_MODEL, True),
        ("club", 1, False),
    ]


def test_results_stop_at_the_overall_cap(
    client: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records, "MAX_RESULTS", 6)
    add(engine, *(Tag(label=f"cap-{n}") for n in range(8)))
    add(engine, *(Club(name=f"Cap {n}") for n in range(3)))
    found = search(client, "cap").json()["groups"]
    assert [(g["identity"], len(g["results"]), g["more"]) for g in found] == [
        ("tag", 5, True),
        ("club", 1, True),
    ]


# Permissions and row-level narrowing


def test_a_model_without_a_view_grant_gives_none_of_its_rows(
    client_for_role: Callable[..., TestClient], engine: Engine
) -> None:
    add(engine, Tag(label="secret-tag"), Club(name="Secret club"))
    viewer = client_for_role("viewer", no_view=["tag"])
    assert groups(search(viewer, "secret")) == [("club", ["Club Secret club"])]
    # Admin-only tables stay the admins' (the viewer's own name finds nothing).
    assert groups(search(viewer, "viewer")) == []


def test_rows_the_views_hooks_hide_are_not_found(
    client_with: Callable[..., TestClient], engine: Engine
) -> None:
    add(engine, Tag(label="seen"), Tag(label="secret"), Tag(label="sealed"))

    class NarrowTagAdmin(AutoModelView, model=Tag):
        def picker_query(
            self, request: Request, target: type[Any], stmt: Select[Any]
        ) -> Select[Any]:
            return stmt.where(Tag.label != "secret")

        def list_query(self, request: Request) -> Select[Any]:
            return select(Tag).where(Tag.label != "sealed")

    assert groups(search(client_with(NarrowTagAdmin), "se")) == [("tag", ["seen"])]


def test_a_view_without_details_pages_offers_no_rows(
    client_with: Callable[..., TestClient], engine: Engine
) -> None:
    add(engine, Tag(label="hidden"))

    class NoDetailsTagAdmin(AutoModelView, model=Tag):
        can_view_details = False

    assert groups(search(client_with(NoDetailsTagAdmin), "hid")) == []


# Bounded


def test_one_statement_per_searched_model_however_many_rows_match(
    client: TestClient, engine: Engine, statements: StatementLog
) -> None:
    add(engine, Tag(label="ada"))
    statements.clear()
    search(client, "ada")
    few = len(statements)
    add(engine, *(Tag(label=f"ada-{n}") for n in range(40)))
    add(engine, *(Club(name=f"Ada {n}") for n in range(40)))
    statements.clear()
    search(client, "ada")
    assert len(statements) == few
    searched = [sql for sql in statements if " LIMIT " in sql]
    # One each for the models that name rows by an indexed column: tag, club,
    # member and admin users (the key-only ones need a key-like term).
    tables = {"tag": 0, "club": 0, "member": 0, "admin_app_user": 0}
    for sql in searched:
        for table in tables:
            tables[table] += f"FROM {table} \nWHERE" in sql
    assert tables == {"tag": 1, "club": 1, "member": 1, "admin_app_user": 1}
    assert len(searched) <= len(tables) + 1  # and the session's own read
    # Never a substring scan.
    values = [
        v for p in statements.params for v in (p.values() if isinstance(p, dict) else p)
    ]
    assert not any(isinstance(v, str) and v.startswith("%") for v in values)


def test_models_no_index_serves_are_not_searched(
    client: TestClient, engine: Engine, statements: StatementLog
) -> None:
    add(engine, Member(email="m@example.com", nickname="ziggy"))
    statements.clear()
    assert groups(search(client, "ziggy")) == []
    # club-tag-link and membership: no strings, composite keys: no statement.
    assert not any("FROM membership" in sql for sql in statements)
    assert not any("FROM club_tag_link" in sql.replace('"', "") for sql in statements)


# Bad input


@pytest.mark.parametrize("term", ["x" * (records.MAX_TERM_LENGTH + 1), "a\x00b"])
def test_a_term_too_long_or_with_a_nul_is_a_400(client: TestClient, term: str) -> None:
    response = search(client, term)
    assert response.status_code == 400
    assert response.json()["error"].startswith("The search term")


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}, {"q": "%_\\"}])
def test_empty_or_odd_terms_find_nothing(
    client: TestClient, engine: Engine, params: dict[str, str]
) -> None:
    add(engine, Tag(label="anything"))
    response = client.get("/admin/palette/search", params=params)
    assert response.status_code == 200
    assert response.json()["groups"] == []


def test_huge_numbers_and_odd_keys_are_no_error(
    client: TestClient, engine: Engine
) -> None:
    add(engine, Tag(label="t"))
    for term in ("9" * 30, "99999999999999999999", "-1", "0x1f"):
        assert search(client, term).status_code == 200


@pytest.mark.parametrize(
    "path", ["/admin/palette/search?q=ada", "/admin/palette/dialogs"]
)
def test_signed_out_gets_the_login_page(anonymous: TestClient, path: str) -> None:
    response = anonymous.get(path)
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["location"]


def test_rows_nothing_names_are_found_by_key_only(
    client: TestClient, statements: StatementLog
) -> None:
    statements.clear()
    # The admin user is named; sessions, throttle counters and the trail
    # (whose entries name "boss" too) are not searched by a name.
    assert groups(search(client, "boss")) == [("admin-user", ["boss"])]
    searched = " ".join(sql for sql in statements if " LIMIT " in sql)
    for table in ("admin_app_session", "admin_app_throttle", "admin_app_audit"):
        assert f"FROM {table} \nWHERE" not in searched
