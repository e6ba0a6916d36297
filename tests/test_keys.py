"""Primary keys in URLs and forms: one spelling per key, for integer, UUID,
string and composite keys (admin_app/keys.py), on every route that reads one,
on SQLite and PostgreSQL."""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqladmin.helpers import get_object_identifier
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import registry
from sqlmodel import Field, Session, SQLModel
from starlette.testclient import TestClient

from admin_app.app import create_app
from admin_app.keys import BadKey, UnsupportedKey, format_key, parse_key
from admin_app.registry import build_views
from admin_app.settings import Settings
from models import Team
from tests.conftest import ADMIN_PASSWORD, REPO, TEST_SECRET, login, make_settings
from tests.html import field_errors, form_values
from tests.key_models import Folder, Slot, Ticket
from tests.sample_models import Club, Member, Membership

U = uuid.UUID("0f0e0d0c-0b0a-4908-8706-050403020100")
# Strings a key may hold: URL and path characters, sqladmin's separator and
# escape, spaces at either end, letters from anywhere.
AWKWARD = [
    "a/b",
    "/leading/and/trailing/",
    "with space",
    " padded ",
    "100%",
    "%2F",
    "semi;colon",
    "back\\slash",
    "\\;",
    "\\\\;;",
    "?query#fragment&x=1",
    "+1",
    "01",
    "café ü 日本語 🎉",
    "",
]


# Unit tests: parse_key and format_key.


@pytest.mark.parametrize("text", ["0", "1", "10", "-7", str(2**63 - 1), str(-(2**63))])
def test_integers_in_their_one_spelling_are_read(text: str) -> None:
    assert parse_key(Team, text) == (int(text),)
    assert format_key((int(text),)) == text


@pytest.mark.parametrize(
    "text",
    [
        "1_0",
        "+1",
        "01",
        "00",
        "-0",
        " 1",
        "1 ",
        "\t1",
        "1\n",
        "1.0",
        "1e1",
        "0x1",
        "\u0661",  # an Arabic-Indic one: int() reads it
        "",
        "abc",
        str(2**63),  # wider than any database's integer key
        str(-(2**63) - 1),
        "9" * 5000,  # past int()'s digit limit: still just not a key
    ],
)
def test_other_spellings_of_integers_are_refused(text: str) -> None:
    with pytest.raises(BadKey):
        parse_key(Team, text)


def test_uuids_only_in_lower_case_with_hyphens() -> None:
    canonical = str(U)
    assert parse_key(Ticket, canonical) == (U,)
    assert format_key((U,)) == canonical
    for other in (
        canonical.upper(),
        U.hex,
        "{" + canonical + "}",
        U.urn,
        f" {canonical}",
        canonical[:-1],
        "not-a-uuid",
    ):
        with pytest.raises(BadKey):
            parse_key(Ticket, other)


@pytest.mark.parametrize("text", AWKWARD)
def test_string_keys_are_read_as_they_are(text: str) -> None:
    """sqlmodel's AutoString (python_type ``object``) is a string key."""
    assert parse_key(Folder, text) == (text,)
    assert format_key(Folder(path=text)) == text


def test_strings_no_database_can_hold_are_not_keys() -> None:
    with pytest.raises(BadKey):
        parse_key(Folder, "nul\x00byte")
    with pytest.raises(BadKey):
        parse_key(Folder, "lone \ud800 surrogate")


@pytest.mark.parametrize("shelf", AWKWARD)
def test_composite_keys_of_mixed_types_round_trip(shelf: str) -> None:
    slot = Slot(shelf=shelf, position=-3, batch=U)
    text = format_key(slot)
    assert text == format_key((shelf, -3, U))
    assert parse_key(Slot, text) == (shelf, -3, U)
    # sqladmin's format: URLs it builds name the same rows.
    assert text == get_object_identifier(slot)


def test_composite_keys_are_refused_in_any_other_spelling() -> None:
    assert parse_key(Slot, f"a\\;b\\\\;7;{U}") == ("a;b\\", 7, U)
    for other in (
        f"a;07;{U}",  # an integer part spelt loosely
        f"a;7;{str(U).upper()}",  # a UUID part spelt loosely
        f"a;7;{U};",  # a value too many
        f"a;7;{U};x",
        "a;7",  # one too few
        f"a\\b;7;{U}",  # an escape of nothing that needs one
        f"a\\;7;{U}",  # the separator escaped: two values
        f"a;7;{U}\\",  # a trailing escape
    ):
        with pytest.raises(BadKey):
            parse_key(Slot, other)
    assert parse_key(Membership, f"12;{U}") == (12, U)
    with pytest.raises(BadKey):
        parse_key(Membership, f"1_2;{U}")


def test_identifiers_are_sqladmins_for_every_kind_of_key() -> None:
    """format_key keeps the URLs sqladmin builds (its templates still do)."""
    for row in (
        Team(id=10, name="x"),
        Ticket(id=U),
        Folder(path="a/b;c\\d"),
        Membership(club_id=3, member_id=U),
        Slot(shelf="x;y\\z", position=0, batch=U),
    ):
        assert format_key(row) == str(get_object_identifier(row))


# Tables keyed by a date, in a registry of their own so that no other test's
# database gets them.
class _Own(SQLModel, registry=registry()):
    pass


class Diary(_Own, table=True):
    day: date = Field(primary_key=True)


def test_a_key_type_urls_cannot_name_is_refused_clearly() -> None:
    message = r"Diary\.day: a primary key of type .* integer, string and UUID keys"
    with pytest.raises(UnsupportedKey, match=message):
        parse_key(Diary, "2024-01-01")
    with pytest.raises(UnsupportedKey, match=message):  # at start-up
        build_views([Diary])


def test_serve_refuses_such_a_table_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "dated_models.py").write_text(
        "from datetime import date\n"
        "from sqlmodel import Field, SQLModel\n\n\n"
        "class Diary(SQLModel, table=True):\n"
        "    day: date = Field(primary_key=True)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADMIN_")}
    served = subprocess.run(
        [sys.executable, "-m", "admin_app", "serve", "--port", "1"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
        env=env
        | {
            "ADMIN_DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}",
            "ADMIN_SECRET_KEY": TEST_SECRET,
            "ADMIN_MODELS": "dated_models",
            "PYTHONPATH": str(REPO),
        },
    )
    assert served.returncode == 1
    assert served.stderr.strip() == (
        "error: Diary.day: a primary key of type Date() cannot be named in URLs "
        "(admin_app serves integer, string and UUID keys)"
    )


# Routes: every page that reads a key from its URL.

MODELS = ["models", "tests.sample_models", "tests.key_models"]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path, models=MODELS)


@pytest.fixture
def admin(settings: Settings, engine: Engine, admin_user: str) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


def add(engine: Engine, *rows: SQLModel) -> None:
    with Session(engine) as session:
        session.add_all(rows)
        session.commit()


def count(engine: Engine, model: type[SQLModel]) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def in_path(key: str) -> str:
    """``key`` percent-encoded for a URL path, as TestClient needs it: it
    decodes paths twice (httpx's ``URL.path`` is decoded, then Starlette's
    TestClient unquotes it again), where a server decodes once."""
    return quote(quote(key, safe=""), safe="")


def statuses(client: TestClient, identity: str, key: str) -> dict[str, int]:
    """What each route that reads a key answers for ``key``."""
    path = in_path(key)
    return {
        "details": client.get(f"/admin/{identity}/details/{path}").status_code,
        "edit": client.get(f"/admin/{identity}/edit/{path}").status_code,
        "history": client.get(f"/admin/{identity}/history/{path}").status_code,
        "delete": client.get(
            f"/admin/{identity}/delete", params={"pks": key}
        ).status_code,
    }


ALL_OK = {"details": 200, "edit": 200, "history": 200, "delete": 200}
ALL_404 = {"details": 404, "edit": 404, "history": 404, "delete": 404}


@pytest.mark.parametrize(
    "spelling", ["1_0", "+10", "010", " 10", "10 ", "10.0", "1e1", "\u0661\u0660"]
)
def test_only_the_canonical_spelling_of_an_integer_key_finds_its_row(
    admin: TestClient, engine: Engine, spelling: str
) -> None:
    add(engine, *(Team(id=number, name=f"Team {number}") for number in range(1, 11)))
    assert statuses(admin, "team", "10") == ALL_OK
    assert statuses(admin, "team", spelling) == ALL_404
    # Posting changes nothing either.
    edited = admin.post(
        f"/admin/team/edit/{in_path(spelling)}",
        data={"name": "Renamed", "save": "Save"},
    )
    assert edited.status_code == 404
    deleted = admin.post("/admin/team/delete", data={"pks": spelling})
    assert deleted.status_code == 404
    with Session(engine) as session:
        team = session.get(Team, 10)
        assert team is not None and team.name == "Team 10"
    assert count(engine, Team) == 10


def test_only_the_canonical_spelling_of_a_uuid_key_finds_its_row(
    admin: TestClient, engine: Engine
) -> None:
    add(engine, Ticket(id=U, title="Printer on fire"))
    assert statuses(admin, "ticket", str(U)) == ALL_OK
    for spelling in (str(U).upper(), U.hex, "{" + str(U) + "}", U.urn):
        assert statuses(admin, "ticket", spelling) == ALL_404, spelling


def test_only_the_canonical_spelling_of_a_composite_key_finds_its_row(
    admin: TestClient, engine: Engine
) -> None:
    club, member = Club(id=3, name="Chess"), Member(id=U, email="m@example.com")
    add(engine, club, member)
    add(engine, Membership(club_id=3, member_id=U))
    assert statuses(admin, "membership", f"3;{U}") == ALL_OK
    for spelling in (f"03;{U}", f"3;{str(U).upper()}", f"3;{U};", f"+3;{U}"):
        assert statuses(admin, "membership", spelling) == ALL_404, spelling


def edit_title(client: TestClient, url: str, **changes: str) -> Any:
    page = client.get(url)
    assert page.status_code == 200, page.text
    return client.post(url, data={**form_values(page.text), **changes, "save": "Save"})


@pytest.mark.parametrize("path", [k for k in AWKWARD if k and "," not in k])
def test_string_keys_round_trip_through_details_edit_history_and_delete(
    admin: TestClient, engine: Engine, path: str
) -> None:
    add(engine, Folder(path=path, title="Old"), Folder(path=path + "x", title="Other"))
    url = in_path(path)
    details = admin.get(f"/admin/folder/details/{url}")
    assert details.status_code == 200
    assert "Old" in details.text and "Other" not in details.text

    saved = edit_title(admin, f"/admin/folder/edit/{url}", title="New")
    assert saved.status_code == 302, field_errors(saved.text)
    with Session(engine) as session:
        assert session.get(Folder, path).title == "New"  # type: ignore[union-attr]
        assert session.get(Folder, path + "x").title == "Other"  # type: ignore[union-attr]
    history = admin.get(f"/admin/folder/history/{url}")
    assert history.status_code == 200 and "New" in history.text

    deleted = admin.post("/admin/folder/delete", data={"pks": path})
    assert deleted.status_code == 303
    with Session(engine) as session:
        assert session.get(Folder, path) is None
        assert session.get(Folder, path + "x") is not None


def test_composite_keys_with_awkward_strings_round_trip(
    admin: TestClient, engine: Engine
) -> None:
    shelf = "top/left; 50% \\ café"
    add(engine, Slot(shelf=shelf, position=2, batch=U, note="Old"))
    key = format_key((shelf, 2, U))
    url = in_path(key)
    assert admin.get(f"/admin/slot/details/{url}").status_code == 200
    saved = edit_title(admin, f"/admin/slot/edit/{url}", note="New")
    assert saved.status_code == 302, field_errors(saved.text)
    with Session(engine) as session:
        assert session.get(Slot, (shelf, 2, U)).note == "New"  # type: ignore[union-attr]
    loose = in_path(key.replace(";2;", ";02;"))
    assert admin.get(f"/admin/slot/details/{loose}").status_code == 404
    deleted = admin.post("/admin/slot/delete", data={"pks": key})
    assert deleted.status_code == 303
    assert count(engine, Slot) == 0


def test_a_picked_row_is_named_by_its_one_spelling(
    admin: TestClient, engine: Engine
) -> None:
    """A form's picker value is a key too: "01" is not club 1."""
    add(engine, Club(id=1, name="Chess"), Member(id=U, email="m@example.com"))
    refused = admin.post(
        "/admin/membership/create",
        data={"club": "01", "member": str(U), "save": "Save"},
    )
    assert refused.status_code == 400
    assert field_errors(refused.text)["club"] == ["Not a valid choice."]
    assert count(engine, Membership) == 0
    saved = admin.post(
        "/admin/membership/create",
        data={"club": "1", "member": str(U), "save": "Save"},
    )
    assert saved.status_code == 302, field_errors(saved.text)
    assert count(engine, Membership) == 1
