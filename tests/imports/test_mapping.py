"""Columns are matched to fields by name or label; the rest are mapped by the
person, and that mapping is remembered for their next upload."""

from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from admin_app.imports.mapping import Target, mapping_problems, matched, normal
from tests.imports.helpers import (
    BASE,
    confirm,
    counts,
    import_id,
    remap,
    settings,  # noqa: F401  (the fixture)
    upload,
)
from tests.imports.models import ImpPerson

FIELDS = [
    Target("id", "id", "key"),
    Target("email", "E-mail", "column", True),
    Target("full_name", "Full name", "column", True),
]


def test_headers_match_by_name_or_label() -> None:
    assert normal("  Full_Name ") == normal("full-name") == "full name"
    found = matched(["E-MAIL", "Full Name", "Notes", "full_name"], FIELDS)
    # No field is filled twice: the second "full_name" is left out.
    assert found == {
        "E-MAIL": "email",
        "Full Name": "full_name",
        "Notes": "",
        "full_name": "",
    }
    assert matched(["Mail"], FIELDS, {"Mail": "email"}) == {"Mail": "email"}
    # A many-to-one is also named by its foreign key column.
    team = Target("team", "Team", "to_one", aliases=("team_id",))
    assert matched(["team_id"], [*FIELDS, team]) == {"team_id": "team"}


def test_mapping_problems() -> None:
    assert mapping_problems({"a": "", "b": ""}, FIELDS) == [
        "Map at least one column to a field."
    ]
    assert mapping_problems({"a": "email", "b": "email"}, FIELDS) == [
        "Two columns fill the field “E-mail”: keep one."
    ]


def test_unknown_headers_ask_for_a_mapping_which_is_remembered(
    client: TestClient, engine: Engine
) -> None:
    body = "Mail,Name,Notes\nann@example.org,Ann,hello\n"
    response = upload(client, "people.csv", body)
    assert response.headers["location"].endswith("/mapping")
    found = import_id(response)
    page = client.get(f"{BASE}/import/{found}/mapping")
    assert page.status_code == 200
    assert '<label for="column-0">Mail</label>' in page.text
    # Two columns for one field: refused, said on the page.
    twice = remap(client, found, ["email", "email", ""])
    assert twice.status_code == 400
    assert "Two columns fill the field" in twice.text
    assert remap(client, found, ["email", "full_name", ""]).status_code == 303
    page = client.get(f"{BASE}/import/{found}").text
    assert counts(page)["create"] == 1
    confirm(client, found)
    with Session(engine) as session:
        assert session.exec(select(ImpPerson.full_name)).all() == ["Ann"]
    # The next upload with these headers goes straight to its preview.
    again = upload(client, "more.csv", "Mail,Name,Notes\nbo@example.org,Bo,\n")
    assert again.status_code == 303
    assert not again.headers["location"].endswith("/mapping")
