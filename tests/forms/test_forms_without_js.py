"""Forms posted as a browser without JavaScript posts them (plain HTTP: GET the
form, POST back what its HTML holds), for every kind of relation: what the page
showed is what is saved, a form posted back unchanged changes nothing, a field
missing from the POST is an error (never "cleared"), and clearing is an
explicit empty value."""

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, select
from sqlmodel import Session
from starlette.testclient import TestClient

from admin_app.app import create_app
from admin_app.settings import Settings
from tests.conftest import ADMIN_PASSWORD, login, make_settings
from tests.html import field_errors, form_values
from tests.relation_models import (
    Assignment,
    Crew,
    CrewSkillLink,
    Dock,
    Mission,
    Outpost,
    Ship,
    Skill,
)

TABLES = ("rel_crew", "rel_crew_skill", "rel_assignment")


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path, models=["tests.relation_models"])


@pytest.fixture
def rows(engine: Engine) -> dict[str, Any]:
    """A crew member with a value for every relation, and spares to pick."""
    with Session(engine) as session:
        ships = [Ship(name="Nautilus"), Ship(name="Argo")]
        outposts = [Outpost(name='North <b>"&'), Outpost(name="South")]
        docks = [Dock(name="Dock 1"), Dock(name="Dock 2")]
        skills = [Skill(name="Rigging"), Skill(name="Cooking"), Skill(name="Maps")]
        missions = [Mission(name="Atlantis"), Mission(name="Fleece")]
        session.add_all([*ships, *outposts, *docks, *skills, *missions])
        session.flush()
        crew = Crew(
            name="Ned",
            ship_id=ships[0].id,
            base_id=outposts[0].id,
            dock_id=docks[0].id,
        )
        session.add(crew)
        session.flush()
        session.add_all(
            [
                CrewSkillLink(crew_id=crew.id, skill_id=skills[0].id),
                CrewSkillLink(crew_id=crew.id, skill_id=skills[1].id),
                Assignment(crew_id=crew.id, mission_id=missions[0].id, role="captain"),
                Assignment(crew_id=crew.id, mission_id=missions[1].id, role="cook"),
            ]
        )
        session.commit()
        return {
            "crew": crew.id,
            "ships": [s.id for s in ships],
            "outposts": [o.id for o in outposts],
            "docks": [d.id for d in docks],
            "skills": [s.id for s in skills],
            "missions": [m.id for m in missions],
        }


@pytest.fixture
def client(settings: Settings, engine: Engine, admin_user: str) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the relation tables, in key order."""
    metadata = MetaData()
    metadata.reflect(engine, only=TABLES)
    with engine.connect() as connection:
        return {
            name: sorted(connection.execute(select(metadata.tables[name])).all())
            for name in TABLES
        }


def edit_url(rows: dict[str, Any]) -> str:
    return f"/admin/crew/edit/{rows['crew']}"


def post(client: TestClient, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data={**data, "save": "Save"})


Change = Callable[[dict[str, Any]], None]


def test_the_pickers_current_values_are_selected_options(
    client: TestClient, rows: dict[str, Any]
) -> None:
    page = client.get(edit_url(rows)).text
    assert "data-json" not in page
    for name, key, label in [
        ("ship", rows["ships"][0], "Nautilus"),
        ("base", rows["outposts"][0], "North &lt;b&gt;&#34;&amp;"),
        ("dock_id", rows["docks"][0], "Dock 1"),
        ("skills", rows["skills"][0], "Rigging"),
        ("skills", rows["skills"][1], "Cooking"),
        ("missions", rows["missions"][0], "Atlantis"),
    ]:
        select_html = re.search(
            rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S
        )
        assert select_html is not None, name
        assert f'<option value="{key}" selected>{label}</option>' in select_html[1]
    values = form_values(page)
    assert values["ship"] == str(rows["ships"][0])
    assert values["base"] == str(rows["outposts"][0])
    assert values["dock_id"] == str(rows["docks"][0])
    # A multiple picker sends its presence marker, then each pick.
    assert values["skills"] == ["", *(str(k) for k in rows["skills"][:2])]
    assert values["missions"] == ["", *(str(k) for k in rows["missions"])]


def test_an_unchanged_form_posted_back_changes_nothing(
    client: TestClient, engine: Engine, rows: dict[str, Any]
) -> None:
    before = snapshot(engine)
    page = client.get(edit_url(rows)).text
    response = post(client, edit_url(rows), form_values(page))
    assert response.status_code == 302, field_errors(response.text)
    after = snapshot(engine)
    assert after == before
    # The association object's own column survived: its rows were not rewritten.
    roles = {row[-1] for row in after["rel_assignment"]}
    assert roles == {"captain", "cook"}


def test_changing_one_field_keeps_every_relation(
    client: TestClient, engine: Engine, rows: dict[str, Any]
) -> None:
    before = snapshot(engine)
    page = client.get(edit_url(rows)).text
    response = post(client, edit_url(rows), {**form_values(page), "name": "Ned Land"})
    assert response.status_code == 302, field_errors(response.text)
    after = snapshot(engine)
    assert after["rel_crew_skill"] == before["rel_crew_skill"]
    assert after["rel_assignment"] == before["rel_assignment"]
    with Session(engine) as session:
        crew = session.get(Crew, rows["crew"])
        assert crew is not None
        assert (crew.name, crew.ship_id, crew.base_id, crew.dock_id) == (
            "Ned Land",
            rows["ships"][0],
            rows["outposts"][0],
            rows["docks"][0],
        )


@pytest.mark.parametrize("field", ["ship", "base", "dock_id", "skills", "missions"])
def test_a_relation_missing_from_the_post_is_an_error(
    client: TestClient, engine: Engine, rows: dict[str, Any], field: str
) -> None:
    before = snapshot(engine)
    data = form_values(client.get(edit_url(rows)).text)
    del data[field]
    response = post(client, edit_url(rows), {**data, "name": "Changed"})
    assert response.status_code == 400
    assert any("missing" in m for m in field_errors(response.text)[field])
    assert snapshot(engine) == before


def test_a_relation_missing_from_a_create_is_not_given(
    client: TestClient, engine: Engine, rows: dict[str, Any]
) -> None:
    """A create has nothing to clear: a picker it lacks takes its default."""
    data = form_values(client.get("/admin/crew/create").text)
    assert data["skills"] == "" and data["base"] == ""
    del data["skills"], data["base"]
    data.update(name="Jim", ship=str(rows["ships"][0]))
    response = post(client, "/admin/crew/create", data)
    assert response.status_code == 302, field_errors(response.text)
    with Session(engine) as session:
        jim = session.scalars(select(Crew).where(Crew.name == "Jim")).one()
        assert (jim.base_id, jim.skills) == (None, [])


def test_a_text_field_missing_from_an_edit_is_an_error(
    client: TestClient, engine: Engine, rows: dict[str, Any]
) -> None:
    before = snapshot(engine)
    data = form_values(client.get(edit_url(rows)).text)
    del data["name"]
    response = post(client, edit_url(rows), data)
    assert response.status_code == 400
    assert "name" in field_errors(response.text)
    assert snapshot(engine) == before


def test_clearing_is_an_explicit_empty_value(
    client: TestClient, engine: Engine, rows: dict[str, Any]
) -> None:
    data = form_values(client.get(edit_url(rows)).text)
    data.update(base="", dock_id="", skills="", missions="")
    response = post(client, edit_url(rows), data)
    assert response.status_code == 302, field_errors(response.text)
    after = snapshot(engine)
    assert after["rel_crew_skill"] == [] and after["rel_assignment"] == []
    with Session(engine) as session:
        crew = session.get(Crew, rows["crew"])
        assert crew is not None
        assert (crew.base_id, crew.dock_id, crew.ship_id) == (
            None,
            None,
            rows["ships"][0],
        )


def test_a_required_relation_cannot_be_cleared(
    client: TestClient, engine: Engine, rows: dict[str, Any]
) -> None:
    before = snapshot(engine)
    data = form_values(client.get(edit_url(rows)).text)
    response = post(client, edit_url(rows), {**data, "ship": ""})
    assert response.status_code == 400
    assert field_errors(response.text)["ship"] == ["This field is required."]
    assert snapshot(engine) == before


def test_a_refused_form_keeps_what_was_picked_with_labels(
    client: TestClient, engine: Engine, rows: dict[str, Any]
) -> None:
    before = snapshot(engine)
    data = form_values(client.get(edit_url(rows)).text)
    data.update(
        name="x" * 81,  # too long: the save is refused
        ship=str(rows["ships"][1]),
        base=str(rows["outposts"][1]),
        dock_id=str(rows["docks"][1]),
        skills=["", str(rows["skills"][2])],
        missions=["", str(rows["missions"][1])],
    )
    response = post(client, edit_url(rows), data)
    assert response.status_code == 400
    assert "name" in field_errors(response.text)
    page = response.text
    for key, label in [
        (rows["ships"][1], "Argo"),
        (rows["outposts"][1], "South"),
        (rows["docks"][1], "Dock 2"),
        (rows["skills"][2], "Maps"),
        (rows["missions"][1], "Fleece"),
    ]:
        assert f'<option value="{key}" selected>{label}</option>' in page
    # Posting the refused form back, corrected, saves what it showed.
    again = {**form_values(page), "name": "Ned"}
    assert again["skills"] == ["", str(rows["skills"][2])]
    assert snapshot(engine) == before
    assert post(client, edit_url(rows), again).status_code == 302
    with Session(engine) as session:
        crew = session.get(Crew, rows["crew"])
        assert crew is not None
        assert (crew.ship_id, crew.base_id, crew.dock_id) == (
            rows["ships"][1],
            rows["outposts"][1],
            rows["docks"][1],
        )
        assert [s.id for s in crew.skills] == [rows["skills"][2]]
        assert [m.id for m in crew.missions] == [rows["missions"][1]]


def test_a_create_form_posted_as_shown_saves_its_picks(
    client: TestClient, engine: Engine, rows: dict[str, Any]
) -> None:
    data = form_values(client.get("/admin/crew/create").text)
    data.update(
        name="Jim", ship=str(rows["ships"][1]), skills=["", str(rows["skills"][0])]
    )
    response = post(client, "/admin/crew/create", data)
    assert response.status_code == 302, field_errors(response.text)
    with Session(engine) as session:
        jim = session.scalars(select(Crew).where(Crew.name == "Jim")).one()
        assert (jim.ship_id, jim.base_id, jim.dock_id) == (rows["ships"][1], None, None)
        assert [s.id for s in jim.skills] == [rows["skills"][0]]
        assert jim.missions == []
