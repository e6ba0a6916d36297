"""Arrays and PostgreSQL's own types (tests/shapes/pg_types.py, PostgreSQL
only), and their portable half (tests/shapes/portable_types.py: durations,
JSON objects and lists, a column called ``data``; both databases): each is
listed, shown, created, edited and exported as a value, never a Python repr;
a form posted back unchanged changes nothing; a bad value is a form error."""

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin_app.app import create_app, mount_admin
from admin_app.settings import Settings
from admin_app.views.inferred import AutoModelView
from tests.conftest import ADMIN_PASSWORD, login
from tests.html import field_errors, form_values, read_form
from tests.shapes import pg_types, portable_types
from tests.shapes.pg_types import PgTypesBase, PgTypesRecord

ON_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
RECORDS = "/admin/pg-types-record"
TIMERS = "/admin/portable-types-timer"
# What str() of a container or a value object prints, never a page's text.
REPRS = ("IPv4", "IPv6", "timedelta", "[&#39;", "{&#39;", "(&#39;", "['", "{'")


@pytest.fixture
def pg(settings: Settings, engine: Engine, admin_user: str) -> Iterator[TestClient]:
    """An admin of tests/shapes/pg_types.py (its own registry), seeded."""
    PgTypesBase.metadata.create_all(engine)
    with Session(engine) as session:
        pg_types.seed(session)
    app = Starlette()
    mount_admin(app, engine=engine, models=[PgTypesRecord], settings=settings)
    with TestClient(app, follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


@pytest.fixture
def portable(
    settings: Settings, engine: Engine, admin_user: str
) -> Iterator[TestClient]:
    with Session(engine) as session:
        portable_types.seed(session)
    settings = settings.model_copy(update={"models": ["tests.shapes.portable_types"]})
    with TestClient(create_app(settings), follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


def stored(engine: Engine, table: str) -> list[tuple[Any, ...]]:
    """Every row of ``table`` as the database returns it, in key order."""
    with engine.connect() as connection:
        return list(connection.execute(text(f"SELECT * FROM {table} ORDER BY id")))


def record(engine: Engine, name: str) -> dict[str, Any]:
    with engine.connect() as connection:
        query = text("SELECT * FROM pg_types_record WHERE name = :name")
        return dict(connection.execute(query, {"name": name}).mappings().one())


def submit(client: TestClient, url: str, **changes: str | list[str]) -> Any:
    """Open the form at ``url``, change some inputs, post it as a browser does."""
    page = client.get(url)
    assert page.status_code == 200, page.text[:300]
    return client.post(url, data={**form_values(page.text), **changes, "save": "Save"})


def cells(html: str) -> list[str]:
    """The text of every table cell of a page."""
    found = re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in found]


def json_blocks(html: str) -> list[Any]:
    """The JSON documents a detail page lays out, parsed."""
    found = re.findall(r'data-role="json"[^>]*>.*?<pre[^>]*>(.*?)</pre>', html, re.S)
    return [json.loads(unescape(text)) for text in found]


@ON_POSTGRESQL
def test_each_type_is_listed_and_shown_as_a_value(pg: TestClient) -> None:
    listed = pg.get(f"{RECORDS}/list")
    details = pg.get(f"{RECORDS}/details/1")

    assert listed.status_code == details.status_code == 200
    for page in (listed.text, details.text):
        shown = cells(page)
        for value in (
            "t0, alpha",
            "3, 1, 2",
            "10.0.0.1",
            "10.1.0.0/16",
            "1 day, 2:03:04",
            "&#39;alpha&#39;:1",
        ):
            assert value in shown
        assert not [text for text in shown for r in REPRS if r in text]
    # A JSON object on a detail page: laid out, collapsible (admin_app.display).
    assert json_blocks(details.text) == [{"a": 1, "nested": {"b": [1, 2]}}]
    assert "SECRET-HASH-VALUE" not in listed.text + details.text


@ON_POSTGRESQL
def test_arrays_are_tag_inputs_with_their_values_selected(pg: TestClient) -> None:
    page = pg.get(f"{RECORDS}/edit/1").text

    for name, values in (("tags", ["t0", "alpha"]), ("scores", ["3", "1", "2"])):
        select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page)
        assert select and 'data-role="select2-tags"' in select.group(0)
        assert re.findall(r'<option value="([^"]*)" selected>', select.group(1)) == (
            values
        )
        assert f'<input type="hidden" name="{name}" value="">' in page


@ON_POSTGRESQL
def test_a_new_row_of_every_type_is_saved_typed(pg: TestClient, engine: Engine) -> None:
    create = pg_types.CREATE["pg-types-record"]

    response = submit(pg, f"{RECORDS}/create", **create)

    assert response.status_code == 302, field_errors(response.text)
    gamma = record(engine, "gamma")
    assert gamma["tags"] == ["red", "blue"]
    assert gamma["scores"] == [7, 8]
    assert gamma["data"] == {"k": "v"}
    assert str(gamma["address"]) == "192.168.1.20"
    assert str(gamma["network"]) == "192.168.0.0/24"
    assert gamma["duration"] == timedelta(days=2, minutes=30)
    assert (gamma["stage"], gamma["mood"]) == ("live", "busy")
    assert gamma["search"] is None


@ON_POSTGRESQL
def test_an_unchanged_edit_changes_nothing(pg: TestClient, engine: Engine) -> None:
    created = submit(pg, f"{RECORDS}/create", **pg_types.CREATE["pg-types-record"])
    assert created.status_code == 302
    before = stored(engine, "pg_types_record")

    for row in before:
        response = submit(pg, f"{RECORDS}/edit/{row.id}")
        assert response.status_code == 302, field_errors(response.text)

    assert stored(engine, "pg_types_record") == before


@ON_POSTGRESQL
def test_a_form_without_its_tag_inputs_empties_nothing(
    pg: TestClient, engine: Engine
) -> None:
    before = stored(engine, "pg_types_record")
    url = f"{RECORDS}/edit/1"
    values = form_values(pg.get(url).text)
    del values["tags"], values["scores"]

    response = pg.post(url, data={**values, "save": "Save"})

    assert response.status_code == 400
    errors = field_errors(response.text)
    assert set(errors) == {"tags", "scores"}
    assert "missing from the submitted form" in errors["tags"][0]
    assert stored(engine, "pg_types_record") == before


@ON_POSTGRESQL
def test_tags_become_items_of_the_arrays_type(pg: TestClient, engine: Engine) -> None:
    before = stored(engine, "pg_types_record")
    url = f"{RECORDS}/edit/1"

    bad_item = submit(pg, url, scores=["", "7", "x"])
    too_big = submit(pg, url, scores=["", "99999999999"])
    nul = submit(pg, url, tags=["", "a\x00b"])

    assert bad_item.status_code == too_big.status_code == nul.status_code == 400
    assert field_errors(bad_item.text) == {"scores": ["x is not a valid whole number."]}
    assert "between" in field_errors(too_big.text)["scores"][0]
    assert field_errors(nul.text) == {"tags": ["Text may not contain NUL characters."]}
    # The tags typed stay in the form, to be corrected.
    assert '<option value="x" selected>' in bad_item.text
    assert stored(engine, "pg_types_record") == before

    saved = submit(pg, url, scores=["", " 5", "5"], tags=["", "b", "a", "b"])
    assert saved.status_code == 302, field_errors(saved.text)
    alpha = record(engine, "alpha")
    assert alpha["scores"] == [5, 5]
    assert alpha["tags"] == ["b", "a"]  # a set[str]: each once, in the order typed

    cleared = submit(pg, url, scores=[""], tags=[""])
    assert cleared.status_code == 302, field_errors(cleared.text)
    assert (record(engine, "alpha")["scores"], record(engine, "alpha")["tags"]) == (
        [],
        [],
    )


@ON_POSTGRESQL
def test_addresses_networks_and_durations_are_parsed_or_refused(
    pg: TestClient, engine: Engine
) -> None:
    url = f"{RECORDS}/edit/1"
    before = stored(engine, "pg_types_record")
    for name, value in (
        ("address", "10.0.0.300"),
        ("address", "example.com"),
        ("network", "10.0.0.1/24"),  # host bits set: PostgreSQL refuses it
        ("network", "10.0.0.0/33"),
        ("duration", "soon"),
        ("duration", "3 fortnights"),
    ):
        response = submit(pg, url, **{name: value})
        assert response.status_code == 400, (name, value)
        assert list(field_errors(response.text)) == [name], (name, value)
        assert stored(engine, "pg_types_record") == before

    for changes, expected in (
        ({"address": "10.0.0.1/24"}, {"address": "10.0.0.1/24"}),
        ({"address": "::1"}, {"address": "::1"}),
        ({"network": "2001:db8::/32"}, {"network": "2001:db8::/32"}),
        ({"duration": "P1DT2H3M4S"}, {"duration": "1 day, 2:03:04"}),
        ({"duration": "1 day 02:00:00"}, {"duration": "1 day, 2:00:00"}),
        ({"duration": "-1 day, 23:00:00"}, {"duration": "-1 day, 23:00:00"}),
        ({"address": "", "network": "", "duration": ""}, {"address": None}),
    ):
        assert submit(pg, url, **changes).status_code == 302, changes
        alpha = record(engine, "alpha")
        for name, value in expected.items():
            assert (None if alpha[name] is None else str(alpha[name])) == value


@ON_POSTGRESQL
def test_the_search_vector_is_shown_not_edited(pg: TestClient, engine: Engine) -> None:
    assert "search" not in form_values(pg.get(f"{RECORDS}/create").text)
    edit = read_form(pg.get(f"{RECORDS}/edit/1").text)
    assert "search" in edit.disabled and edit.values["search"] == ["'alpha':1"]

    response = submit(pg, f"{RECORDS}/edit/1", search="'hacked':1")

    assert response.status_code == 302
    assert record(engine, "alpha")["search"] == "'alpha':1"


@ON_POSTGRESQL
def test_exports_hold_values(pg: TestClient) -> None:
    csv_text = pg.get(f"{RECORDS}/export/csv").text
    json_text = pg.get(f"{RECORDS}/export/json").text

    alpha = next(r for r in csv.DictReader(io.StringIO(csv_text)) if r["id"] == "1")
    assert {k: v for k, v in alpha.items() if k != "stage" and k != "mood"} == {
        "id": "1",
        "name": "alpha",
        "tags": "t0, alpha",
        "scores": "3, 1, 2",
        "data": '{"a": 1, "nested": {"b": [1, 2]}}',
        "address": "10.0.0.1",
        "network": "10.1.0.0/16",
        "duration": "1 day, 2:03:04",
        "search": "'alpha':1",
    }
    row = next(r for r in json.loads(json_text) if r["id"] == 1)
    assert row == {
        "id": 1,
        "name": "alpha",
        "tags": ["t0", "alpha"],
        "scores": [3, 1, 2],
        "data": {"a": 1, "nested": {"b": [1, 2]}},
        "address": "10.0.0.1",
        "network": "10.1.0.0/16",
        "duration": "P1DT2H3M4S",
        "search": "'alpha':1",
        "stage": "LIVE",
        "mood": "busy",
    }
    assert "SECRET-HASH-VALUE" not in csv_text + json_text


@ON_POSTGRESQL
def test_every_sort_filter_search_and_delete_answers(
    pg: TestClient, engine: Engine
) -> None:
    sortable = AutoModelView.infer_column_sortable_list(PgTypesRecord)
    assert {"tags", "scores", "address", "network", "duration", "stage"} <= set(
        sortable
    )
    for column in sortable:
        for order in ("asc", "desc"):
            url = f"{RECORDS}/list?sortBy={column}&sort={order}"
            assert pg.get(url).status_code == 200, url
    live = pg.get(f"{RECORDS}/list?stage=live")
    assert live.status_code == 200 and "alpha" in live.text and "beta" not in live.text
    found = pg.get(f"{RECORDS}/list?search=alp")
    assert found.status_code == 200 and "beta" not in cells(found.text)

    assert pg.post(f"{RECORDS}/delete", data={"pks": "2"}).status_code == 303
    assert [row.id for row in stored(engine, "pg_types_record")] == [1]


def test_durations_and_json_round_trip_on_both_databases(
    portable: TestClient, engine: Engine
) -> None:
    create = portable_types.CREATE["portable-types-timer"]
    response = submit(portable, f"{TIMERS}/create", **create)
    assert response.status_code == 302, field_errors(response.text)
    before = stored(engine, "portable_types_timer")
    for row in before:
        unchanged = submit(portable, f"{TIMERS}/edit/{row.id}")
        assert unchanged.status_code == 302, field_errors(unchanged.text)
    assert stored(engine, "portable_types_timer") == before

    rice = portable.get(f"{TIMERS}/details/3").text
    for value in ("rice", "0:18:00", "1 day, 0:30:00", "rinse, simmer"):
        assert value in cells(rice)
    assert json_blocks(rice) == [{"water": "2 cups"}]
    egg = form_values(portable.get(f"{TIMERS}/edit/2").text)
    assert (egg["duration"], egg["pause"], egg["steps"]) == ("0:06:30", "", "[]")

    # A column called "data" (a name WTForms keeps for itself) is edited too.
    changed = submit(portable, f"{TIMERS}/edit/2", data_='{"soft": true}')
    assert changed.status_code == 302, field_errors(changed.text)
    exported = json.loads(portable.get(f"{TIMERS}/export/json").text)
    assert [(r["label"], r["duration"], r["data"]) for r in exported] == [
        ("rice", "PT18M", {"water": "2 cups"}),
        ("egg", "PT6M30S", {"soft": True}),
        ("tea", "PT4M", {"cups": 2, "milk": None}),
    ]
    bad = submit(portable, f"{TIMERS}/edit/2", duration="a while")
    assert bad.status_code == 400 and list(field_errors(bad.text)) == ["duration"]
