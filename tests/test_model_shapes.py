"""What particular model shapes of the corpus (``tests/shapes``) must do beyond
answering every view (``tests/test_shapes.py``): naive timestamps stored as
UTC, values a column type refuses told by their field, enums shown by value
everywhere, columns in the order the class reads, descriptions as help text."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from admin_app.inspection import columns_of
from tests.html import field_errors, form_values
from tests.shape_server import Served, serving
from tests.shapes import column_options, inherited_fields, naive_datetimes, str_enums
from tests.shapes.naive_datetimes import NaiveNote
from tests.shapes.str_enums import EnumTicket, PriorityEnum


def create(served: Served, identity: str, inputs: dict[str, Any]) -> Any:
    page = served.client.get(f"/admin/{identity}/create")
    assert page.status_code == 200
    data = {**form_values(page.text), **inputs, "save": "Save"}
    return served.client.post(f"/admin/{identity}/create", data=data)


def edit(served: Served, identity: str, pk: Any, inputs: dict[str, Any]) -> Any:
    url = f"/admin/{identity}/edit/{pk}"
    page = served.client.get(url)
    assert page.status_code == 200
    return served.client.post(url, data={**form_values(page.text), **inputs})


def near_now(moment: datetime) -> bool:
    """Within an hour of now, in UTC: a stamp not shifted by a time zone."""
    return abs(moment - datetime.now(UTC)) < timedelta(hours=1)


# Naive timestamps (issue 11, point 3).


def test_naive_stamps_are_stored_as_utc_on_create_and_edit(
    database_url: str, tmp_path: Path
) -> None:
    with serving(naive_datetimes, database_url, tmp_path) as served:
        created = create(served, "naive-note", {"title": "Stamped"})
        assert created.status_code == 302, field_errors(created.text)
        with Session(served.engine) as session:
            note = session.scalars(
                select(NaiveNote).where(NaiveNote.title == "Stamped")
            ).one()
            # default_factory=datetime.utcnow, into sqlmodel's aware column.
            assert note.created_at.utcoffset() == timedelta(0)
            assert near_now(note.created_at)
            # An aware default, into a naive column: naive UTC.
            assert note.logged_at.tzinfo is None
            assert near_now(note.logged_at.replace(tzinfo=UTC))
            # The on_model_change hook's datetime.utcnow().
            assert note.reviewed_at is not None and near_now(note.reviewed_at)
            # The column's default=datetime.utcnow, the form left empty.
            assert note.filed_at is not None and near_now(note.filed_at)
            assert note.updated_at is None

        edited = edit(served, "naive-note", note.id, {"title": "Stamped again"})
        assert edited.status_code == 302, field_errors(edited.text)
        with Session(served.engine) as session:
            again = session.get_one(NaiveNote, note.id)
            # onupdate=datetime.utcnow, computed for the aware column.
            assert again.updated_at is not None and near_now(again.updated_at)
            assert again.created_at == note.created_at
            assert again.logged_at == note.logged_at
        # The next request, on the same pool, is served.
        assert served.client.get("/admin/naive-note/list").status_code == 200


# Values the database layer refuses (issue 11, point 3).


def test_a_value_its_column_type_refuses_is_an_error_by_its_field(
    database_url: str, tmp_path: Path
) -> None:
    """``UpperCode.process_bind_param`` raises at flush for a lowercase code
    that the model itself accepts: a form error by the field, nothing saved,
    and the next save goes through."""
    with serving(column_options, database_url, tmp_path) as served:
        inputs = {"name": "Dehydrated boulders", "sku": "DB-1", "price": "3"}
        refused = create(served, "option-product", {**inputs, "code": "db"})
        assert refused.status_code == 400
        errors = field_errors(refused.text)
        assert errors["code"] == ["The database cannot store this value of code."]
        assert 'value="Dehydrated boulders"' in refused.text  # nothing lost
        saved = create(served, "option-product", {**inputs, "code": "DB"})
        assert saved.status_code == 302, field_errors(saved.text)


# Enums (issue 11, point 7).


def test_enums_show_their_values_everywhere(database_url: str, tmp_path: Path) -> None:
    with serving(str_enums, database_url, tmp_path) as served:
        client = served.client
        with Session(served.engine) as session:
            high = session.scalars(
                select(EnumTicket).where(EnumTicket.priority == PriorityEnum.HIGH)
            ).one()

        listing = client.get("/admin/enum-ticket/list").text
        assert "PriorityEnum." not in listing and "TicketStatus." not in listing
        assert "<td>high</td><td>open</td>" in listing
        assert "<td>medium</td><td>in progress</td><td>2</td>" in listing
        # The filters' choices: the same words, the members' names in the URL.
        for value, name in [("low", "LOW"), ("medium", "MEDIUM"), ("high", "HIGH")]:
            link = rf'\?priority={name}"[^>]*>\s*<span[^>]*>\s*{value}\s*<'
            assert re.search(link, listing)

        details = client.get(f"/admin/enum-ticket/details/{high.id}").text
        assert "<td>high</td>" in details and "HIGH" not in details

        export = client.get("/admin/enum-ticket/export/csv").text
        rows = list(csv.DictReader(io.StringIO(export)))
        assert {(row["priority"], row["status"]) for row in rows} == {
            ("high", "open"),
            ("medium", "in progress"),
        }

        form = client.get(f"/admin/enum-ticket/edit/{high.id}").text
        assert '<option selected value="HIGH">high</option>' in form
        assert '<option value="IN_PROGRESS">in progress</option>' in form

        response = create(
            served, "enum-ticket", {"title": "New", "status": "IN_PROGRESS"}
        )
        assert response.status_code == 302, field_errors(response.text)
        with Session(served.engine) as session:
            new = session.scalars(
                select(EnumTicket).where(EnumTicket.title == "New")
            ).one()
        history = client.get(f"/admin/enum-ticket/history/{new.id}").text
        assert re.search(r'data-role="after">\s*in progress\s*<', history)


# Column order (issue 11, point 7).


def test_the_key_comes_first_then_the_fields_as_the_classes_read() -> None:
    names = [fact.name for fact in columns_of(inherited_fields.InheritedItem)]
    # The table's order is description, id, title, owner_id.
    assert names == ["id", "title", "description", "owner_id"]
    user = [fact.name for fact in columns_of(inherited_fields.InheritedUser)]
    assert user == ["id", "email", "full_name", "is_active", "hashed_password"]


def test_lists_details_forms_and_exports_show_that_order(
    database_url: str, tmp_path: Path
) -> None:
    with serving(inherited_fields, database_url, tmp_path) as served:
        client = served.client
        listing = client.get("/admin/inherited-item/list").text
        headers = re.findall(
            r'sortBy=[^"]*">([^<]+)</a>|<th>\s*([^<\s][^<]*?)\s*</th>', listing
        )
        shown = [a or b for a, b in headers]
        assert shown == ["Id", "Title", "Description", "Owner"]
        export = client.get("/admin/inherited-item/export/csv").text
        # The owner's label follows its key (exports add a label per foreign key).
        assert export.splitlines()[0] == "id,title,description,owner_id,owner"
        form = client.get("/admin/inherited-item/create").text
        names = re.findall(r'<(?:input|select|textarea)[^>]*name="([^"]+)"', form)
        fields = [name for name in names if name in {"title", "description", "owner"}]
        assert fields == ["title", "description", "owner"]
        details = client.get("/admin/inherited-item/details/1").text
        labels = re.findall(r"<td>(Id|Title|Description|Owner)</td>", details)
        assert labels == ["Id", "Title", "Description", "Owner"]


# Help text (issue 11, point 8).


def test_descriptions_are_the_forms_help_text(
    database_url: str, tmp_path: Path
) -> None:
    with serving(column_options, database_url, tmp_path) as served:
        form = served.client.get("/admin/option-product/create").text
        # On a sa_column=Column(...) field and on a Field(sa_type=...) one.
        assert "Shown on invoices" in form and "Upper-case letters" in form
        supplier = served.client.get("/admin/option-supplier/create").text
        assert "The trading name" in supplier
