"""Form inputs against the model's rules and the column's capacity: bad inputs
are field errors with nothing written, on SQLite exactly as on PostgreSQL; good
ones round-trip create → detail → edit → save unchanged."""

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update
from sqlmodel import Session
from starlette.testclient import TestClient

from admin_app.app import create_app
from admin_app.forms.validation import validate_table_row
from models.tables import Order
from tests.conftest import ADMIN_PASSWORD, login, make_settings
from tests.form_models import Colour, Gadget
from tests.html import field_errors, form_values


def client_for(
    database_url: str, tmp_path: Path, admin_user: str, **settings: object
) -> TestClient:
    values = make_settings(
        database_url, tmp_path, models=["tests.form_models"], **settings
    )
    client = TestClient(create_app(values), follow_redirects=False)
    return client


@pytest.fixture
def forms(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> Iterator[TestClient]:
    with client_for(database_url, tmp_path, admin_user) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


def gadgets(engine: Engine) -> list[Gadget]:
    with Session(engine) as session:
        return list(session.scalars(select(Gadget)).all())


BAD_INPUTS = [
    ("count", "abc", "Not a valid integer value."),
    ("count", "1e3", "Not a valid integer value."),
    ("count", str(2**31), "Ensure this value is between -2147483648 and 2147483647."),
    ("big", str(2**63), "Ensure this value is between"),
    ("big", "2**63", "Not a valid integer value."),
    ("ratio", "NaN", "Enter a finite number."),
    ("ratio", "Infinity", "Enter a finite number."),
    ("ratio", "1e309", "Enter a finite number."),
    ("price", "NaN", "finite"),
    ("price", "123456789", "digits"),
    ("made_on", "2023-02-30", "Not a valid date value."),
    ("opens_at", "25:61", "Not a valid time value."),
    ("seen_at", "2023-13-01 10:00:00", "Not a valid datetime value."),
    ("batch", "not-a-uuid", "Invalid UUID"),
    ("specs", "{not json", "Invalid JSON"),
    ("specs", '{"x": NaN}', "Invalid JSON"),
    ("specs", "[1, 2]", "valid dictionary"),
    ("name", "ab\x00cd", "Text may not contain NUL characters."),
    ("name", "x" * 21, "longer than 20 characters"),
    ("notes", "nul\x00byte", "Text may not contain NUL characters."),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_INPUTS)
def test_bad_inputs_are_field_errors_and_nothing_is_written(
    forms: TestClient, engine: Engine, field: str, value: str, message: str
) -> None:
    data = {"name": "Lamp", field: value, "save": "Save"}
    response = forms.post("/admin/gadget/create", data=data)
    assert response.status_code == 400
    errors = field_errors(response.text)
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert gadgets(engine) == []
    assert "Traceback" not in response.text


def full_gadget() -> dict[str, str]:
    return {
        "name": "Lamp",
        "code": "AB12",
        "count": "7",
        "big": str(2**62),
        "ratio": "0.125",
        "price": "12.50",
        "active": "y",
        "colour": "green",
        "made_on": "2024-02-29",
        "opens_at": "08:30",
        "seen_at": "2024-06-01 12:00:00",
        "batch": "12345678-1234-5678-1234-567812345678",
        "specs": '{"size": [1, 2], "tag": "é"}',
        "notes": "line one\nline <two> & three",
        "note_count": "3",
        "weight": "1.5",
        "cost": "9.99",
        "serial": "S-2",
        "save": "Save",
    }


def test_every_type_round_trips_unchanged(forms: TestClient, engine: Engine) -> None:
    assert forms.post("/admin/gadget/create", data=full_gadget()).status_code == 302
    [saved] = gadgets(engine)
    assert (saved.count, saved.big, saved.ratio) == (7, 2**62, 0.125)
    assert (saved.price, saved.cost, saved.active) == (
        Decimal("12.50"),
        Decimal("9.99"),
        True,
    )
    assert saved.colour is Colour.green
    assert (saved.made_on, saved.opens_at) == (date(2024, 2, 29), time(8, 30))
    assert saved.seen_at == datetime(2024, 6, 1, 12, tzinfo=UTC)
    assert saved.batch == uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert saved.specs == {"size": [1, 2], "tag": "é"}
    assert saved.notes == "line one\nline <two> & three"

    assert forms.get(f"/admin/gadget/details/{saved.id}").status_code == 200
    url = f"/admin/gadget/edit/{saved.id}"
    values = form_values(forms.get(url).text)
    assert forms.post(url, data={**values, "save": "Save"}).status_code == 302
    [again] = gadgets(engine)
    assert again.model_dump() == saved.model_dump()


def test_empty_optional_inputs_are_none(forms: TestClient, engine: Engine) -> None:
    data = dict.fromkeys(
        (
            "made_on",
            "opens_at",
            "seen_at",
            "batch",
            "notes",
            "note_count",
            "weight",
            "cost",
        ),
        "",
    )
    assert (
        forms.post(
            "/admin/gadget/create", data={**data, "name": "Lamp", "save": "Save"}
        ).status_code
        == 302
    )
    [saved] = gadgets(engine)
    assert [saved.made_on, saved.opens_at, saved.seen_at, saved.batch, saved.notes] == [
        None
    ] * 5
    assert [saved.note_count, saved.weight, saved.cost] == [None] * 3
    assert saved.code == ""  # a non-optional string with a default stays a string


def test_a_required_input_left_empty_is_an_error(
    forms: TestClient, engine: Engine
) -> None:
    response = forms.post("/admin/gadget/create", data={"name": "", "save": "Save"})
    assert response.status_code == 400
    assert field_errors(response.text)["name"] == ["This field is required."]


def test_dates_are_entered_in_the_configured_zone(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> None:
    with client_for(
        database_url, tmp_path, admin_user, timezone="Europe/Berlin"
    ) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        data = {"name": "Lamp", "seen_at": "2024-06-01 12:00:00", "save": "Save"}
        assert client.post("/admin/gadget/create", data=data).status_code == 302
        [saved] = gadgets(engine)
        assert saved.seen_at == datetime(2024, 6, 1, 10, tzinfo=UTC)
        shown = form_values(client.get(f"/admin/gadget/edit/{saved.id}").text)
        assert shown["seen_at"].startswith("2024-06-01 12:00")


def test_a_stored_enum_value_the_code_does_not_know_still_displays(
    forms: TestClient, engine: Engine
) -> None:
    forms.post("/admin/gadget/create", data={"name": "Lamp", "save": "Save"})
    if engine.dialect.name == "postgresql":
        # A newer release added the value to the database's enum type.
        with engine.connect().execution_options(
            isolation_level="AUTOCOMMIT"
        ) as connection:
            connection.exec_driver_sql("ALTER TYPE colour ADD VALUE 'purple'")
    elif engine.dialect.name in ("mysql", "mariadb"):
        # MariaDB's enum is the column's own type: the release changed it.
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "ALTER TABLE gadget MODIFY colour"
                " ENUM('red', 'green', 'purple') NOT NULL"
            )
    with engine.begin() as connection:
        connection.execute(update(Gadget.__table__).values(colour="purple"))  # type: ignore[arg-type]
    [row] = engine.connect().execute(select(Gadget.__table__.c.id)).all()  # type: ignore[attr-defined]
    assert "purple" in forms.get("/admin/gadget/list").text
    assert "purple" in forms.get(f"/admin/gadget/details/{row.id}").text
    page = forms.get(f"/admin/gadget/edit/{row.id}").text
    assert "purple (not a known value)" in page
    refused = forms.post(
        f"/admin/gadget/edit/{row.id}", data={**form_values(page), "save": "Save"}
    )
    assert refused.status_code == 400
    assert "colour" in field_errors(refused.text)


def test_table_models_validate_a_relationship_named_like_a_dict_method() -> None:
    # sqlmodel reads relationships with getattr(data, name): Order.items would
    # be dict.items if the data were a dict.
    order = validate_table_row(Order, {"reference": "PO-1", "requester_id": 1})
    assert isinstance(order, Order)
    assert order.reference == "PO-1"


def test_nothing_is_written_by_a_refused_form(
    forms: TestClient, engine: Engine
) -> None:
    def rows() -> list[tuple[str, int]]:
        return sorted((g.name, g.count) for g in gadgets(engine))

    for name in ("Lamp", "Desk"):
        created = forms.post(
            "/admin/gadget/create", data={"name": name, "save": "Save"}
        )
        assert created.status_code == 302
    before = rows()
    assert before == [("Desk", 0), ("Lamp", 0)]

    # Refused by the database (a duplicate), by the model (its validator), by
    # a column's capacity: on create...
    refusals = [
        ({"name": "Lamp", "count": "5"}, "name", "already exists"),
        ({"name": "LOUD", "count": "5"}, "name", "Please don't shout"),
        ({"name": "Vase", "count": str(2**31)}, "count", "Ensure this value"),
    ]
    for data, field, message in refusals:
        response = forms.post("/admin/gadget/create", data={**data, "save": "Save"})
        assert response.status_code == 400, data
        assert message in " ".join(field_errors(response.text)[field]), data
        assert rows() == before

    # ...and on edit, where the row's other changed inputs are not saved either.
    [desk] = [g for g in gadgets(engine) if g.name == "Desk"]
    url = f"/admin/gadget/edit/{desk.id}"
    for data, field, message in refusals:
        page = forms.get(url).text
        response = forms.post(url, data={**form_values(page), **data, "save": "Save"})
        assert response.status_code == 400, data
        assert message in " ".join(field_errors(response.text)[field]), data
        assert rows() == before
