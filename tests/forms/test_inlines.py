"""Inlines over plain HTTP, as a browser without JavaScript posts them: an
order's items drawn in its edit form, added, changed and deleted with it in one
transaction, each validated by OrderItem and audited, stale rows refused (409),
more than max_rows linked rather than loaded, pickers inside rows, "Add item"
from the order's page. On SQLite and PostgreSQL."""

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.pool import Pool
from sqlmodel import Session
from starlette.testclient import TestClient

import benchmarks.shop  # noqa: F401  (its tables, for the picker test)
from admin_app.app import create_app
from admin_app.audit.entries import AuditEntry
from admin_app.forms.inlines import Inline
from admin_app.settings import Settings
from admin_app.views.inferred import AutoModelView
from benchmarks.shop import BenchOrderItem
from models.tables import Order, OrderItem, User
from tests.conftest import ADMIN_PASSWORD, StatementLog, login, make_settings
from tests.html import field_errors, form_values, read_form
from tests.inline_models import InlBook, InlShelf
from tests.shop_rows import make_shop


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path, models=["models"])


@pytest.fixture
def order(engine: Engine) -> int:
    """An order of three items."""
    with Session(engine) as session:
        user = User(email="maya@example.com", full_name="Maya", hashed_password="x")
        session.add(user)
        session.flush()
        order = Order(reference="PO-1", requester_id=user.id)
        session.add(order)
        session.flush()
        session.add_all(
            OrderItem(
                order_id=order.id,
                sku=f"SKU-{i}",
                description=f"Item {i}",
                quantity=i + 1,
                unit_price=Decimal("2.50"),
            )
            for i in range(3)
        )
        session.commit()
        assert order.id is not None
        return order.id


@pytest.fixture
def client(settings: Settings, engine: Engine, admin_user: str) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


def items(engine: Engine, order_id: int) -> list[tuple[str, str, int, Decimal]]:
    with Session(engine) as session:
        rows = session.scalars(
            select(OrderItem).where(OrderItem.order_id == order_id).order_by("id")
        )
        return [(r.sku, r.description, r.quantity, r.unit_price) for r in rows]


def audit(engine: Engine) -> list[tuple[str, str | None]]:
    with Session(engine) as session:
        entries = session.scalars(select(AuditEntry).order_by("id"))
        return [(e.action, e.model) for e in entries if e.model]


def row_prefix(values: dict[str, Any], sku: str) -> str:
    """The prefix of the row showing item ``sku`` ("items-1-")."""
    for name, value in values.items():
        if name.endswith("-sku") and value == sku:
            return name.removesuffix("sku")
    raise AssertionError(f"no row shows {sku}")


def test_edit_form_draws_the_items_and_blank_rows(
    client: TestClient, order: int
) -> None:
    page = client.get(f"/admin/order/edit/{order}")
    assert page.status_code == 200
    values = form_values(page.text)
    # Three items and three blank rows, the parent's key not among the inputs.
    assert values["items-_total"] == "6"
    assert [values[f"items-{i}-sku"] for i in range(6)] == [
        "SKU-0",
        "SKU-1",
        "SKU-2",
        "",
        "",
        "",
    ]
    assert "items-0-order" not in values and "items-0-order_id" not in values
    assert values["items-1-quantity"] == "2"
    # A stored row's key after the digest of what was drawn; a new row has none.
    assert values["items-0-_row"].endswith("1") and "items-3-_row" not in values
    # Blank rows can be left blank: no input of a row is `required`.
    assert not re.search(r'name="items-\d+-[a-z_]+"[^>]* required', page.text)
    assert 'name="items-0-_delete"' in page.text


def test_a_form_posted_back_unchanged_changes_nothing(
    client: TestClient, engine: Engine, order: int
) -> None:
    before = items(engine, order)
    page = client.get(f"/admin/order/edit/{order}")
    response = client.post(
        f"/admin/order/edit/{order}", data={**form_values(page.text), "save": "Save"}
    )
    assert response.status_code == 302, field_errors(response.text)
    assert items(engine, order) == before
    assert [a for a in audit(engine) if a[1] == "order-item"] == []


def test_add_change_and_delete_items_in_one_save_each_audited(
    client: TestClient, engine: Engine, order: int
) -> None:
    page = client.get(f"/admin/order/edit/{order}")
    values = form_values(page.text)
    changed, deleted = row_prefix(values, "SKU-1"), row_prefix(values, "SKU-2")
    data = {
        **values,
        f"{changed}quantity": "9",
        f"{deleted}_delete": "y",
        "items-3-sku": "NEW-1",
        "items-3-description": "A new line",
        "items-3-quantity": "4",
        "items-3-unit_price": "1.25",
        "reference": "PO-1b",
        "save": "Save",
    }
    response = client.post(f"/admin/order/edit/{order}", data=data)
    assert response.status_code == 302, field_errors(response.text)
    assert items(engine, order) == [
        ("SKU-0", "Item 0", 1, Decimal("2.50")),
        ("SKU-1", "Item 1", 9, Decimal("2.50")),
        ("NEW-1", "A new line", 4, Decimal("1.25")),
    ]
    with Session(engine) as session:
        assert session.get(Order, order).reference == "PO-1b"  # type: ignore[union-attr]
    entries = audit(engine)
    assert sorted(a for a, model in entries if model == "order-item") == [
        "create",
        "delete",
        "update",
    ]
    assert ("update", "order") in entries


def test_an_invalid_item_is_shown_on_its_row_and_nothing_is_written(
    client: TestClient, engine: Engine, order: int
) -> None:
    before = items(engine, order)
    page = client.get(f"/admin/order/edit/{order}")
    values = form_values(page.text)
    changed = row_prefix(values, "SKU-0")
    data = {
        **values,
        "reference": "PO-changed",
        f"{changed}description": "Changed too",
        "items-3-sku": "NEW-1",
        "items-3-description": "Bad quantity",
        "items-3-quantity": "0",
        "items-3-unit_price": "1",
        "items-4-sku": "NEW-2",  # the rest left out: required
        "save": "Save",
    }
    response = client.post(f"/admin/order/edit/{order}", data=data)
    assert response.status_code == 400
    errors = field_errors(response.text)
    assert "greater than or equal to 1" in errors["items-3-quantity"][0]
    assert errors["items-4-description"] == ["This field is required."]
    assert "items-3-sku" not in errors
    assert "Please correct the errors in the rows below." in response.text
    # What was typed comes back; nothing was written, the order neither.
    again = form_values(response.text)
    assert again["items-3-description"] == "Bad quantity"
    assert again[f"{changed}description"] == "Changed too"
    assert items(engine, order) == before
    with Session(engine) as session:
        assert session.get(Order, order).reference == "PO-1"  # type: ignore[union-attr]
    assert audit(engine) == []


def test_an_item_changed_elsewhere_is_a_conflict_and_nothing_is_written(
    client: TestClient, engine: Engine, order: int
) -> None:
    page = client.get(f"/admin/order/edit/{order}")
    values = form_values(page.text)
    with Session(engine) as session:
        item = session.scalars(select(OrderItem).where(OrderItem.sku == "SKU-2")).one()
        item.quantity = 42
        session.add(item)
        session.commit()
    data = {
        **values,
        f"{row_prefix(values, 'SKU-0')}quantity": "7",
        "reference": "PO-mine",
        "save": "Save",
    }
    response = client.post(f"/admin/order/edit/{order}", data=data)
    assert response.status_code == 409
    assert 'data-admin-app="stale-edit"' in response.text
    assert "SKU-2" in response.text and "42" in response.text
    assert [q for _, _, q, _ in items(engine, order)] == [1, 2, 42]
    with Session(engine) as session:
        assert session.get(Order, order).reference == "PO-1"  # type: ignore[union-attr]
    # Saving the redrawn form again replaces their value knowingly.
    again = client.post(
        f"/admin/order/edit/{order}",
        data={**form_values(response.text), "save": "Save"},
    )
    assert again.status_code == 302, field_errors(again.text)
    assert [q for _, _, q, _ in items(engine, order)] == [7, 2, 3]


def test_an_item_deleted_elsewhere_is_a_conflict(
    client: TestClient, engine: Engine, order: int
) -> None:
    page = client.get(f"/admin/order/edit/{order}")
    with Session(engine) as session:
        item = session.scalars(select(OrderItem).where(OrderItem.sku == "SKU-1")).one()
        session.delete(item)
        session.commit()
    response = client.post(
        f"/admin/order/edit/{order}", data={**form_values(page.text), "save": "Save"}
    )
    assert response.status_code == 409
    assert "Deleted by someone else" in response.text
    assert [sku for sku, *_ in items(engine, order)] == ["SKU-0", "SKU-2"]


def test_an_item_of_another_order_cannot_be_edited_through_this_one(
    client: TestClient, engine: Engine, order: int
) -> None:
    with Session(engine) as session:
        other = Order(reference="PO-2", requester_id=1)
        session.add(other)
        session.flush()
        stranger = OrderItem(
            order_id=other.id, sku="X", description="x", quantity=1, unit_price=1
        )
        session.add(stranger)
        session.commit()
        stranger_id, other_id = stranger.id, other.id
    page = client.get(f"/admin/order/edit/{order}")
    values = form_values(page.text)
    digest = str(values["items-0-_row"])[:16]
    data = {**values, "items-0-_row": f"{digest}{stranger_id}", "items-0-quantity": "5"}
    response = client.post(f"/admin/order/edit/{order}", data={**data, "save": "Save"})
    assert response.status_code == 409
    assert items(engine, other_id) == [("X", "x", 1, Decimal("1.00"))]


def test_create_an_order_with_its_items_in_one_post(
    client: TestClient, engine: Engine, order: int
) -> None:
    page = client.get("/admin/order/create")
    assert page.status_code == 200
    values = form_values(page.text)
    assert values["items-_total"] == "3"
    data = {
        **values,
        "reference": "PO-NEW",
        "requester": "1",
        "items-0-sku": "A",
        "items-0-description": "First",
        "items-0-quantity": "1",
        "items-0-unit_price": "3",
        "items-2-sku": "C",
        "items-2-description": "Third",
        "items-2-quantity": "2",
        "items-2-unit_price": "4.5",
        "save": "Save",
    }
    response = client.post("/admin/order/create", data=data)
    assert response.status_code == 302, field_errors(response.text)
    with Session(engine) as session:
        new = session.scalars(select(Order).where(Order.reference == "PO-NEW")).one()
        new_id = new.id
    assert new_id is not None
    assert items(engine, new_id) == [
        ("A", "First", 1, Decimal("3.00")),
        ("C", "Third", 2, Decimal("4.50")),
    ]
    assert audit(engine).count(("create", "order-item")) == 2


def test_a_create_with_an_invalid_item_writes_no_order(
    client: TestClient, engine: Engine, order: int
) -> None:
    data = {
        **form_values(client.get("/admin/order/create").text),
        "reference": "PO-NEW",
        "requester": "1",
        "items-0-sku": "A",
        "items-0-description": "Negative",
        "items-0-quantity": "1",
        "items-0-unit_price": "-3",
        "items-1-sku": "B",
        "save": "Save",
    }
    response = client.post("/admin/order/create", data=data)
    assert response.status_code == 400
    errors = field_errors(response.text)
    assert "greater than or equal to 0" in errors["items-0-unit_price"][0]
    assert errors["items-1-description"] == ["This field is required."]
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 1


class OrderAdmin(AutoModelView, model=Order):
    inlines = [
        Inline("items", columns=["sku", "quantity"], ordering=["-sku"], max_rows=2)
    ]


class OrderWithout(AutoModelView, model=Order):
    inlines = []


def test_more_items_than_max_rows_link_to_the_filtered_list(
    client_with: Any, engine: Engine, order: int
) -> None:
    from admin_app.views.inferred import view_for

    client = client_with(OrderAdmin, view_for(OrderItem), view_for(User))
    page = client.get(f"/admin/order/edit/{order}")
    assert page.status_code == 200
    values = form_values(page.text)
    # Two rows of the three, by SKU descending, with only the declared columns.
    assert values["items-0-sku"] == "SKU-2" and values["items-1-sku"] == "SKU-1"
    assert "items-0-description" not in values and "items-2-_row" not in values
    link = re.search(r'data-role="inline-more">.*?href="([^"]+)"', page.text, re.S)
    assert link is not None
    listed = client.get(link.group(1).replace("&amp;", "&"))
    assert listed.status_code == 200
    assert "SKU-0" in listed.text
    # Saving what was shown leaves the item not shown alone.
    data = {**values, "items-0-quantity": "8", "save": "Save"}
    response = client.post(f"/admin/order/edit/{order}", data=data)
    assert response.status_code == 302, field_errors(response.text)
    assert [q for _, _, q, _ in items(engine, order)] == [1, 2, 8]


def test_inlines_empty_turns_them_off(client_with: Any, order: int) -> None:
    from admin_app.views.inferred import view_for

    client = client_with(OrderWithout, view_for(OrderItem), view_for(User))
    page = client.get(f"/admin/order/edit/{order}")
    assert page.status_code == 200
    assert 'data-admin-app="inline"' not in page.text
    assert "items-_total" not in form_values(page.text)


def test_add_item_from_the_order_page_chooses_the_order(
    client: TestClient, order: int
) -> None:
    details = client.get(f"/admin/order/details/{order}")
    link = re.search(r'href="([^"]+)"[^>]*data-role="related-add"', details.text)
    assert link is not None, "the order's page offers to add an item"
    url = link.group(1).replace("&amp;", "&")
    assert url.endswith(f"/admin/order-item/create?order_id={order}")
    page = client.get(url)
    assert page.status_code == 200
    assert read_form(page.text).values["order"] == [str(order)]
    assert re.search(rf'<option value="{order}" selected>PO-1</option>', page.text)


@pytest.mark.parametrize("value", ["abc", "999999", "1" * 300, ""])
def test_a_bad_parent_in_the_query_is_ignored(
    client: TestClient, order: int, value: str
) -> None:
    page = client.get(f"/admin/order-item/create?order_id={value}")
    assert page.status_code == 200
    assert read_form(page.text).values["order"] == [""]


@pytest.fixture
def shop(engine: Engine) -> dict[str, int]:
    return make_shop(engine, (1,))


def test_pickers_work_inside_inline_rows(
    database_url: str,
    tmp_path: Path,
    engine: Engine,
    admin_user: str,
    shop: dict[str, int],
) -> None:
    values = make_settings(database_url, tmp_path, models=["benchmarks.shop"])
    with TestClient(create_app(values), follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        url = f"/admin/bench-order/edit/{shop['order']}"
        page = client.get(url)
        assert page.status_code == 200
        # The row's picker: its current product selected; its table names the
        # item view's lookup (asked for "product": the name after the row's).
        assert re.search(r'<select[^>]*name="items-0-product"[^>]*>', page.text)
        assert 'data-lookup-url="/admin/bench-order-item/ajax/lookup"' in page.text
        assert f'<option value="{shop["pen"]}" selected>Pen</option>' in page.text
        found = client.get(
            "/admin/bench-order-item/ajax/lookup",
            params={"name": "product", "term": "In"},
        )
        assert found.json()["results"][0]["id"] == str(shop["ink"])
        data = {
            **form_values(page.text),
            "items-0-product": str(shop["ink"]),
            "items-1-product": str(shop["pen"]),
            "items-1-quantity": "3",
            "items-1-unit_price": "1.5",
            "save": "Save",
        }
        response = client.post(url, data=data)
        assert response.status_code == 302, field_errors(response.text)
    with Session(engine) as session:
        rows = session.scalars(select(BenchOrderItem).order_by("id")).all()
        assert [(r.product_id, r.quantity) for r in rows] == [
            (shop["ink"], 1),
            (shop["pen"], 3),
        ]


def test_picked_rows_shown_again_with_errors_are_read_together(
    database_url: str,
    tmp_path: Path,
    engine: Engine,
    admin_user: str,
    statements: StatementLog,
) -> None:
    shop = make_shop(engine, (1, 2, 3, 4, 5, 6))
    values = make_settings(database_url, tmp_path, models=["benchmarks.shop"])
    with TestClient(create_app(values), follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        url = f"/admin/bench-order/edit/{shop['order']}"
        data = {**form_values(client.get(url).text), "save": "Save"}
        for row in range(6):
            data[f"items-{row}-product"] = str(shop["ink" if row % 2 else "pen"])
        data["items-0-quantity"] = "not a number"
        statements.clear()
        response = client.post(url, data=data)
    assert response.status_code == 400
    # Every row still names its pick; the picks were read in one statement.
    for row in range(6):
        key, label = (shop["ink"], "Ink") if row % 2 else (shop["pen"], "Pen")
        picker = re.search(
            rf'<select[^>]*name="items-{row}-product"[^>]*>(.*?)</select>',
            response.text,
        )
        assert picker is not None
        assert f'<option value="{key}" selected>{label}</option>' in picker[1]
    reads = [s for s in statements if re.search(r"\bFROM bench_product\b", s)]
    # The stored items' products, the six picks, whether labels are shared.
    assert len(reads) == 3, reads


def test_the_edit_page_reads_in_three_sessions_whatever_its_rows(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> None:
    """Each session is a worker-thread hop and a pooled connection's round
    trips: the page takes the signed-in user's, the row's (its picked customer
    joined) and one for its items, their products and every picker's labels."""
    shop = make_shop(engine, (1, 2, 3, 4, 5, 6))
    values = make_settings(database_url, tmp_path, models=["benchmarks.shop"])
    checkouts: list[object] = []

    def checked_out(*_: object) -> None:
        checkouts.append(_)

    with TestClient(create_app(values), follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        event.listen(Pool, "checkout", checked_out)
        try:
            page = client.get(f"/admin/bench-order/edit/{shop['order']}")
        finally:
            event.remove(Pool, "checkout", checked_out)
    assert page.status_code == 200
    assert page.text.count("selected>Pen</option>") == 6
    assert len(checkouts) == 3


def test_stored_and_new_rows_have_the_same_columns(
    client: TestClient, order: int
) -> None:
    # A user's orders: an order's created_at is shown on edit only, so it is
    # left out of the inline; every row has one input per header.
    page = client.get("/admin/user/edit/1")
    assert page.status_code == 200
    inline = page.text.split('data-inline="orders"', 1)[1].split("<template", 1)[0]
    headers = re.findall(r'<th scope="col">', inline)
    body = inline.split('data-role="inline-rows">', 1)[1]
    rows = re.findall(r"<tr>.*?</tr>", body.split("</tbody>", 1)[0], re.S)
    assert len(rows) == 1 + 3  # the user's one order and the blank rows
    for row in rows:
        assert len(re.findall(r"<td>", row)) == len(headers) + 1  # + delete
    assert "orders-0-created_at" not in page.text
    assert "orders-0-requester" not in page.text


def test_rows_are_validated_by_the_childs_api_models(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> None:
    values = make_settings(database_url, tmp_path, models=["tests.inline_models"])
    with TestClient(create_app(values), follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        shelf_id = _books_validated_by_api_models(client, engine)
    with Session(engine) as session:
        assert session.get(InlShelf, shelf_id) is not None


def _books_validated_by_api_models(client: TestClient, engine: Engine) -> int:
    page = client.get("/admin/inl-shelf/create")
    assert page.status_code == 200
    data = {
        **form_values(page.text),
        "name": "Fiction",
        "books-0-title": "lowercase",
        "books-0-pages": "10",
        "save": "Save",
    }
    response = client.post("/admin/inl-shelf/create", data=data)
    assert response.status_code == 400
    assert field_errors(response.text)["books-0-title"] == [
        "Titles start with a capital letter"
    ]
    data["books-0-title"] = "Dune"
    response = client.post("/admin/inl-shelf/create", data=data)
    assert response.status_code == 302, field_errors(response.text)
    with Session(engine) as session:
        shelf = session.scalars(select(InlShelf)).one()
    url = f"/admin/inl-shelf/edit/{shelf.id}"
    values = form_values(client.get(url).text)
    assert values["books-0-title"] == "Dune"
    response = client.post(
        url, data={**values, "books-0-title": "dune", "save": "Save"}
    )
    assert response.status_code == 400
    assert field_errors(response.text)["books-0-title"] == [
        "Titles start with a capital letter"
    ]
    with Session(engine) as session:
        assert session.scalars(select(InlBook.title)).all() == ["Dune"]
    assert shelf.id is not None
    return shelf.id
