"""Editable lists over plain HTTP, as a browser without JavaScript posts them:
the page's form read from its HTML (tests/html.py), posted back whole."""

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlmodel import Session, SQLModel
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin_app.app import create_app, mount_admin
from admin_app.audit.entries import AuditEntry
from admin_app.auth.models import Role
from admin_app.auth.users import create_user
from admin_app.inspection import columns_of
from admin_app.keys import format_key
from admin_app.lists.editable import ListEditableError, editable_plan
from admin_app.lists.page_edits import STATE
from admin_app.views.inferred import AutoModelView, view_for
from models.tables import Order, OrderItem, User
from tests.conftest import ADMIN_PASSWORD, StatementLog, login, make_settings
from tests.engines import async_url
from tests.form_models import Box, Gadget, Shelf
from tests.html import field_errors, form_values

GADGETS = "/admin/gadget/list"
BOXES = "/admin/box/list"


class GadgetList(AutoModelView, model=Gadget):
    column_list = ["id", "name", "count", "active", "colour", "notes"]
    list_editable = ["name", "count", "active", "colour"]


class BoxList(AutoModelView, model=Box):
    column_list = ["id", "label", "shelf"]
    list_editable = ["label", "shelf"]


class ShelfList(AutoModelView, model=Shelf):
    column_list = ["id", "label", "version"]
    list_editable = ["label"]


VIEWS = (GadgetList, BoxList, ShelfList)


@pytest.fixture
def app(database_url: str, tmp_path: Path, engine: Engine) -> Starlette:
    app = Starlette()
    settings = make_settings(database_url, tmp_path, models=["tests.form_models"])
    mount_admin(app, engine=engine, views=VIEWS, settings=settings)
    return app


@pytest.fixture
def client(app: Starlette, admin_user: str) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


@pytest.fixture
def gadgets(engine: Engine) -> list[str]:
    with Session(engine) as session:
        rows = [
            Gadget(name="Lamp", count=1, notes="desk"),
            Gadget(name="Fan", count=2, active=False),
            Gadget(name="Kettle", count=3),
        ]
        session.add_all(rows)
        session.commit()
        return [format_key(row) for row in rows]


def page(client: TestClient, url: str) -> tuple[str, dict[str, Any]]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return response.text, form_values(response.text)


def prefixes(values: dict[str, Any]) -> dict[str, str]:
    """Each editable row's input prefix, by its key."""
    states = values[STATE]
    states = states if isinstance(states, list) else [states]
    return {json.loads(s)["k"]: f"rows-{i}-" for i, s in enumerate(states)}


def gadget(engine: Engine, key: str) -> Gadget:
    with Session(engine) as session:
        row = session.exec(select(Gadget)).scalars().all()  # type: ignore[call-overload]
        return next(g for g in row if format_key(g) == key)


def updates(engine: Engine) -> list[AuditEntry]:
    with Session(engine) as session:
        stmt = select(AuditEntry).where(AuditEntry.action == "update")  # type: ignore[arg-type]
        return list(session.scalars(stmt))


def test_the_list_is_one_form_with_an_input_per_editable_cell(
    client: TestClient, gadgets: list[str]
) -> None:
    html, values = page(client, GADGETS)
    assert 'data-admin-app="list-edit"' in html and 'method="post"' in html
    rows = prefixes(values)
    assert set(rows) == set(gadgets)
    lamp = rows[gadgets[0]]
    assert values[lamp + "name"] == "Lamp"
    assert values[lamp + "count"] == "1"
    assert values[lamp + "active"] == "y"
    assert values[lamp + "colour"] == "red"
    assert rows[gadgets[1]] + "active" not in values  # a clear checkbox
    # Every input belongs to the page's form; the column not declared is text.
    assert f'name="{lamp}name"' in html and 'form="list-edit"' in html
    assert f'name="{lamp}notes"' not in html and ">desk<" in html
    assert 'aria-label="Count of Lamp"' in html


def test_a_page_posted_back_unchanged_changes_nothing(
    client: TestClient, gadgets: list[str], engine: Engine, statements: StatementLog
) -> None:
    _, values = page(client, GADGETS)
    statements.clear()
    response = client.post(GADGETS, data=values)
    assert response.status_code == 303
    assert response.headers["location"].endswith(GADGETS)
    written = [s for s in statements if s.lstrip().upper().startswith("UPDATE")]
    assert [s for s in written if "gadget" in s.lower()] == []
    assert updates(engine) == []
    # Not even read: no row was changed.
    assert not [s for s in statements if "FROM gadget" in s]


def test_one_cell_changed_writes_that_row_only_audited(
    client: TestClient, gadgets: list[str], engine: Engine
) -> None:
    _, values = page(client, GADGETS)
    fan = prefixes(values)[gadgets[1]]
    values[fan + "count"] = "7"
    values[fan + "active"] = "y"
    response = client.post(GADGETS, data=values)
    assert response.status_code == 303, response.text
    assert (gadget(engine, gadgets[1]).count, gadget(engine, gadgets[1]).active) == (
        7,
        True,
    )
    assert gadget(engine, gadgets[0]).count == 1
    (entry,) = updates(engine)
    assert (entry.model, entry.pk, entry.username) == ("gadget", gadgets[1], "boss")
    assert entry.changes == {
        "count": {"before": 2, "after": 7},
        "active": {"before": False, "after": True},
    }
    html, _ = page(client, GADGETS)
    assert "Saved 1 row." in html


def test_a_ticked_box_cleared_is_a_change(
    client: TestClient, gadgets: list[str], engine: Engine
) -> None:
    _, values = page(client, GADGETS)
    del values[prefixes(values)[gadgets[0]] + "active"]
    assert client.post(GADGETS, data=values).status_code == 303
    assert gadget(engine, gadgets[0]).active is False


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("count", "-1", "greater than or equal to 0"),
        ("count", "many", "Not a valid integer value."),
        ("name", "LOUD", "Please don't shout"),
        ("name", "x", "at least 2 characters"),
        ("colour", "purple", "Not a valid choice"),
    ],
)
def test_a_bad_value_is_an_error_on_its_cell_and_nothing_is_written(
    client: TestClient,
    gadgets: list[str],
    engine: Engine,
    field: str,
    value: str,
    message: str,
) -> None:
    _, values = page(client, GADGETS)
    rows = prefixes(values)
    values[rows[gadgets[0]] + "count"] = "5"  # valid, but the page is refused
    values[rows[gadgets[2]] + field] = value
    response = client.post(GADGETS, data=values)
    assert response.status_code == 400
    errors = field_errors(response.text)
    assert list(errors) == [rows[gadgets[2]] + field]
    assert message in " ".join(errors[rows[gadgets[2]] + field])
    assert "Nothing was saved." in response.text
    again = form_values(response.text)
    if field != "colour":
        assert again[rows[gadgets[2]] + field] == value  # as submitted
    assert again[rows[gadgets[0]] + "count"] == "5"
    assert [gadget(engine, key).count for key in gadgets] == [1, 2, 3]
    assert updates(engine) == []


def test_a_database_refusal_is_an_error_on_its_cell(
    client: TestClient, gadgets: list[str], engine: Engine
) -> None:
    _, values = page(client, GADGETS)
    rows = prefixes(values)
    values[rows[gadgets[0]] + "count"] = "9"
    values[rows[gadgets[2]] + "name"] = "Fan"  # unique
    response = client.post(GADGETS, data=values)
    assert response.status_code == 400
    assert list(field_errors(response.text)) == [rows[gadgets[2]] + "name"]
    assert gadget(engine, gadgets[0]).count == 1
    assert updates(engine) == []


def test_a_row_changed_since_the_page_was_drawn_refuses_the_page(
    client: TestClient, gadgets: list[str], engine: Engine
) -> None:
    _, values = page(client, GADGETS)
    rows = prefixes(values)
    with Session(engine) as session:
        row = session.get(Gadget, gadget(engine, gadgets[1]).id)
        assert row is not None
        row.name, row.count = "Big fan", 20
        session.commit()
    values[rows[gadgets[1]] + "count"] = "8"
    values[rows[gadgets[0]] + "count"] = "4"
    response = client.post(GADGETS, data=values)
    assert response.status_code == 409
    assert "Someone else changed Big fan since this page was drawn" in response.text
    assert "Count: 2 → 20" in response.text
    assert [gadget(engine, key).count for key in gadgets] == [1, 20, 3]
    assert updates(engine) == []
    # Their name shows where the user changed nothing; the user's count stays.
    again = form_values(response.text)
    assert again[rows[gadgets[1]] + "name"] == "Big fan"
    assert again[rows[gadgets[1]] + "count"] == "8"
    # Saving the page again replaces their value knowingly.
    assert client.post(GADGETS, data=again).status_code == 303
    assert [gadget(engine, key).count for key in gadgets] == [4, 8, 3]
    assert gadget(engine, gadgets[1]).name == "Big fan"


def test_a_row_changed_elsewhere_but_not_here_is_left_alone(
    client: TestClient, gadgets: list[str], engine: Engine
) -> None:
    _, values = page(client, GADGETS)
    with Session(engine) as session:
        row = session.get(Gadget, gadget(engine, gadgets[1]).id)
        assert row is not None
        row.count = 20
        session.commit()
    values[prefixes(values)[gadgets[0]] + "count"] = "4"
    assert client.post(GADGETS, data=values).status_code == 303
    assert [gadget(engine, key).count for key in gadgets] == [4, 20, 3]


def test_a_version_column_decides_staleness_and_counts_up(
    client: TestClient, engine: Engine
) -> None:
    with Session(engine) as session:
        session.add(Shelf(label="Top"))
        session.commit()
    _, values = page(client, "/admin/shelf/list")
    (prefix,) = prefixes(values).values()
    values[prefix + "label"] = "Upper"
    assert client.post("/admin/shelf/list", data=values).status_code == 303
    with Session(engine) as session:
        shelf = session.exec(select(Shelf)).scalars().one()  # type: ignore[call-overload]
        assert (shelf.label, shelf.version) == ("Upper", 2)
    values[prefix + "label"] = "Stale"  # the page drawn at version 1
    assert client.post("/admin/shelf/list", data=values).status_code == 409


def test_the_pickers_of_a_page_shown_again_read_their_rows_together(
    client: TestClient, engine: Engine, statements: StatementLog
) -> None:
    """A page refused with every row's picker changed shows each row's pick,
    read in one query for the page, not one per row."""

    def shelf_reads(boxes: int) -> int:
        with Session(engine) as session:
            shelves = [Shelf(label=f"Shelf {boxes}-{n}") for n in range(boxes)]
            session.add_all(shelves)
            session.flush()
            session.add_all(Box(label="Box", shelf_id=shelves[0].id) for _ in shelves)
            session.commit()
            keys = [str(shelf.id) for shelf in shelves]
        _, values = page(client, BOXES)
        for n, prefix in enumerate(sorted(prefixes(values).values())):
            values[prefix + "label"] = "x" * 41  # too long: the page is refused
            values[prefix + "shelf"] = keys[n % len(keys)]
        statements.clear()
        refused = client.post(BOXES, data=values)
        assert refused.status_code == 400
        assert all(f"Shelf {boxes}-{n}" in refused.text for n in range(boxes))
        return sum("FROM shelf" in sql or "JOIN shelf" in sql for sql in statements)

    few = shelf_reads(2)
    assert shelf_reads(6) == few  # eight rows now: no more statements than two


def test_a_many_to_one_cell_is_a_picker_holding_its_choice(
    client: TestClient, engine: Engine
) -> None:
    with Session(engine) as session:
        top, low = Shelf(label="Top"), Shelf(label="Low")
        session.add_all([top, low])
        session.flush()
        session.add(Box(label="Tools", shelf_id=top.id))
        session.commit()
        top_id, low_id = top.id, low.id
    html, values = page(client, BOXES)
    (prefix,) = prefixes(values).values()
    assert values[prefix + "shelf"] == str(top_id)
    assert 'data-role="select2-ajax"' in html and 'data-lookup="shelf"' in html
    values[prefix + "shelf"] = str(low_id)
    assert client.post(BOXES, data=values).status_code == 303
    with Session(engine) as session:
        box = session.exec(select(Box)).scalars().one()  # type: ignore[call-overload]
        assert box.shelf_id == low_id
    _, values = page(client, BOXES)
    values[prefix + "shelf"] = "999"
    response = client.post(BOXES, data=values)
    assert response.status_code == 400
    assert list(field_errors(response.text)) == [prefix + "shelf"]


def test_a_user_without_the_change_right_gets_a_read_only_list(
    app: Starlette, gadgets: list[str], engine: Engine, client: TestClient
) -> None:
    _, values = page(client, GADGETS)
    values[prefixes(values)[gadgets[0]] + "count"] = "9"
    with Session(engine) as session:
        create_user(session, "reader", ADMIN_PASSWORD, Role.viewer)
    with TestClient(app, follow_redirects=False) as reader:
        login(reader, "reader", ADMIN_PASSWORD)
        html, shown = page(reader, GADGETS)
        assert STATE not in shown and "list-edit" not in html and ">Lamp<" in html
        assert reader.post(GADGETS, data=values).status_code == 403
    assert gadget(engine, gadgets[0]).count == 1


class OwnRowsOnly(AutoModelView, model=Gadget):
    column_list = ["id", "name", "count"]
    list_editable = ["count"]

    async def check_can_edit(self, request: Any, model: Any) -> bool:
        return bool(model.name != "Fan")


def test_rows_the_user_may_not_change_are_read_only(
    database_url: str,
    tmp_path: Path,
    engine: Engine,
    admin_user: str,
    gadgets: list[str],
) -> None:
    app = Starlette()
    settings = make_settings(database_url, tmp_path, models=["tests.form_models"])
    mount_admin(app, engine=engine, views=[OwnRowsOnly], settings=settings)
    with TestClient(app, follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        _, values = page(client, GADGETS)
        rows = prefixes(values)
        assert set(rows) == {gadgets[0], gadgets[2]}
        # A forged cell for the Fan row (its state copied from another row).
        forged = {**json.loads(values[STATE][0]), "k": gadgets[1]}
        values[STATE] = [*values[STATE], json.dumps(forged)]
        values["rows-2-count"] = "99"
        assert client.post(GADGETS, data=values).status_code == 403
    assert gadget(engine, gadgets[1]).count == 2


def test_a_list_without_editable_columns_takes_no_post(
    client: TestClient, engine: Engine
) -> None:
    html = client.get("/admin/account/list").text
    assert "list-edit" not in html
    assert client.post("/admin/account/list", data={}).status_code == 405


def test_a_post_that_no_page_drew_is_refused(
    client: TestClient, gadgets: list[str]
) -> None:
    response = client.post(GADGETS, data={STATE: "not json"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("editable", "problem"),
    [
        (["notes"], "is not a column of its list"),
        (["id"], "is not a field its edit form may change"),
        (["audit_tag"], "is not a field its edit form may change"),
    ],
)
def test_a_list_editable_the_list_cannot_edit_stops_the_start(
    editable: list[str], problem: str
) -> None:
    view = type(
        "Broken",
        (AutoModelView,),
        {"column_list": ["id", "name", "audit_tag"], "list_editable": editable},
        model=Gadget,
    )
    with pytest.raises(ListEditableError, match=problem):
        view()


def test_the_demo_corrects_order_item_quantities_in_place(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> None:
    with Session(engine) as session:
        user = User(email="maya@example.com", full_name="Maya", hashed_password="x")
        session.add(user)
        session.flush()
        order = Order(reference="PO-1", requester_id=user.id)
        session.add(order)
        session.flush()
        session.add(
            OrderItem(
                order_id=order.id,
                sku="A-1",
                description="Pens",
                quantity=2,
                unit_price=Decimal("1.50"),
            )
        )
        session.commit()
    settings = make_settings(database_url, tmp_path, models=["models"])
    with TestClient(create_app(settings), follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        url = "/admin/order-item/list"
        _, values = page(client, url)
        (prefix,) = prefixes(values).values()
        assert (values[prefix + "quantity"], values[prefix + "unit_price"]) == (
            "2",
            "1.50",
        )
        values[prefix + "quantity"] = "0"
        response = client.post(url, data=values)
        assert response.status_code == 400
        assert list(field_errors(response.text)) == [prefix + "quantity"]
        values[prefix + "quantity"] = "4"
        assert client.post(url, data=values).status_code == 303
    with Session(engine) as session:
        item = session.scalars(select(OrderItem)).one()
        assert (item.quantity, item.unit_price) == (4, Decimal("1.50"))
    (entry,) = updates(engine)
    assert entry.model == "order-item"
    assert entry.changes == {"quantity": {"before": 2, "after": 4}}


class FlagsOnTheList(AutoModelView):
    """The README's base: yes/no columns edited on every list."""

    @staticmethod
    def infer_list_editable(model: type[SQLModel]) -> list[str]:
        return [fact.name for fact in columns_of(model) if fact.is_bool]


def test_infer_list_editable_decides_for_views_that_do_not_say() -> None:
    assert view_for(Gadget).list_editable == []
    inferred = view_for(Gadget, FlagsOnTheList)
    assert inferred.list_editable == ["active"]
    plan = editable_plan(inferred())
    assert plan is not None and [f.name for f in plan.fields] == ["active"]
    declared = type("Declared", (FlagsOnTheList,), {"list_editable": []}, model=Gadget)
    assert declared.list_editable == []


def test_an_editable_page_reads_as_many_statements_for_one_row_as_for_many(
    client: TestClient, engine: Engine, statements: StatementLog
) -> None:
    def page_statements() -> int:
        statements.clear()
        html, _ = page(client, BOXES)
        assert 'data-lookup="shelf"' in html
        return len([s for s in statements if "box" in s or "shelf" in s])

    with Session(engine) as session:
        shelves = [Shelf(label=f"Shelf {i}") for i in range(5)]
        session.add_all(shelves)
        session.flush()
        session.add(Box(label="Box 0", shelf_id=shelves[0].id))
        session.commit()
        one = page_statements()
        session.add_all(
            [Box(label=f"Box {i}", shelf_id=shelves[i].id) for i in range(1, 5)]
        )
        session.commit()
    assert page_statements() == one


def test_a_post_without_the_csrf_token_is_refused(
    client: TestClient, gadgets: list[str], engine: Engine
) -> None:
    _, values = page(client, GADGETS)
    values[prefixes(values)[gadgets[0]] + "count"] = "9"
    del values["csrf_token"]
    client.csrf.enabled = False  # type: ignore[attr-defined]
    assert client.post(GADGETS, data=values).status_code == 403
    assert gadget(engine, gadgets[0]).count == 1


def test_a_changed_row_deleted_meanwhile_is_named_and_nothing_is_written(
    client: TestClient, gadgets: list[str], engine: Engine
) -> None:
    _, values = page(client, GADGETS)
    rows = prefixes(values)
    values[rows[gadgets[0]] + "count"] = "9"
    values[rows[gadgets[1]] + "count"] = "8"
    with Session(engine) as session:
        session.delete(session.get(Gadget, gadget(engine, gadgets[1]).id))
        session.commit()
    response = client.post(GADGETS, data=values)
    assert response.status_code == 400
    assert f"{gadgets[1]}: This row no longer exists." in response.text
    assert gadget(engine, gadgets[0]).count == 1
    assert updates(engine) == []


def test_async_engines_save_the_page_the_same_way(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> None:
    with Session(engine) as session:
        session.add_all([Gadget(name="Lamp", count=1), Gadget(name="Fan", count=2)])
        session.commit()
    settings = make_settings(
        async_url(database_url), tmp_path, models=["tests.form_models"]
    )
    app = Starlette()
    mount_admin(app, views=VIEWS, settings=settings)
    with TestClient(app, follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        _, values = page(client, GADGETS)
        rows = {
            json.loads(s)["v"]["name"][0]: p
            for s, p in zip(
                values[STATE], [f"rows-{i}-" for i in range(2)], strict=True
            )
        }
        values[rows["Fan"] + "count"] = "-1"
        assert client.post(GADGETS, data=values).status_code == 400
        values[rows["Fan"] + "count"] = "6"
        assert client.post(GADGETS, data=values).status_code == 303
    with Session(engine) as session:
        counts = {g.name: g.count for g in session.scalars(select(Gadget))}
    assert counts == {"Lamp": 1, "Fan": 6}
    (entry,) = updates(engine)
    assert entry.changes == {"count": {"before": 2, "after": 6}}


def test_a_cell_left_as_drawn_is_never_written(
    client: TestClient, gadgets: list[str], engine: Engine
) -> None:
    """A stored value its select does not offer comes back as the first
    option; the row's other cell is saved, that one left as it is."""
    if engine.dialect.name == "postgresql":  # a native enum: a value added
        with engine.begin() as connection:
            connection.execute(text("ALTER TYPE colour ADD VALUE 'purple'"))
    if engine.dialect.name == "mysql":  # the column's ENUM: a value added
        with engine.begin() as connection:
            kind, nullable = connection.execute(
                text(
                    "SELECT COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS"
                    " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'gadget'"
                    " AND COLUMN_NAME = 'colour'"
                )
            ).one()
            wider = str(kind).removesuffix(")") + ",'purple')"
            null = "NULL" if nullable == "YES" else "NOT NULL"
            connection.execute(text(f"ALTER TABLE gadget MODIFY colour {wider} {null}"))
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE gadget SET colour = 'purple' WHERE name = 'Lamp'")
        )
    _, values = page(client, GADGETS)
    lamp = prefixes(values)[gadgets[0]]
    values[lamp + "count"] = "5"
    assert client.post(GADGETS, data=values).status_code == 303
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT colour, count FROM gadget WHERE name = 'Lamp'")
        ).one()
    assert tuple(stored) == ("purple", 5)


def test_a_page_with_columns_hidden_edits_only_those_it_shows(
    client: TestClient, gadgets: list[str], engine: Engine
) -> None:
    url = f"{GADGETS}?columns=name,id"
    html, values = page(client, url)
    fan = prefixes(values)[gadgets[1]]
    assert fan + "name" in values
    assert not any(name.endswith(("-count", "-colour", "-active")) for name in values)
    values[fan + "name"] = "Ceiling fan"
    response = client.post(url, data=values)
    assert response.status_code == 303, response.text
    assert response.headers["location"].endswith(url)
    saved = gadget(engine, gadgets[1])
    assert (saved.name, saved.count, saved.active) == ("Ceiling fan", 2, False)
    (entry,) = updates(engine)
    assert entry.changes == {"name": {"before": "Fan", "after": "Ceiling fan"}}
    # A page showing none of the editable columns takes no post.
    html, _ = page(client, f"{GADGETS}?columns=notes")
    assert 'data-admin-app="list-edit"' not in html
    assert client.post(f"{GADGETS}?columns=notes", data={}).status_code == 405
