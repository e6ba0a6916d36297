"""Form plans: which fields a create or edit form shows, what each writes, and
which are read-only — for inferred views, API models and model markings."""

from pathlib import Path

import pytest
from sqladmin import Admin
from sqlalchemy import Engine, create_engine, select
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin_app.forms.planning import FormPlan, PlannedField, plan_form
from admin_app.registry import build_views
from admin_app.views.inferred import AutoModelView, view_for
from tests import form_models, sample_models
from tests.form_models import (
    Account,
    AccountCreate,
    AccountUpdate,
    Box,
    Gadget,
    Locker,
    Shelf,
)
from tests.html import form_values
from tests.sample_models import Member, Membership


def plan(model: type, mode: str, **attrs: object) -> FormPlan:
    """The plan of an inferred view, registered on a throwaway admin."""
    [view_class] = build_views([model], modules=[form_models, sample_models])
    for name, value in attrs.items():
        setattr(view_class, name, value)
    admin = Admin(Starlette(), engine=create_engine("sqlite://"))
    admin.add_view(view_class)
    view = admin.views[-1]
    assert isinstance(view, AutoModelView)
    return plan_form(view, mode)  # type: ignore[arg-type]


def names(plan: FormPlan, *, read_only: bool | None = None) -> list[str]:
    return [
        f.name for f in plan.fields if read_only is None or f.read_only is read_only
    ]


def test_create_forms_leave_out_generated_and_read_only_columns() -> None:
    create = plan(Gadget, "create")
    assert "id" not in names(create) and "created_at" not in names(create)
    assert "audit_tag" not in names(create)
    assert "serial" in names(create, read_only=False)
    assert create.field("name") == PlannedField(
        "name", "column", "name", ("name",), False, True, "Name"
    )


def test_edit_forms_show_keys_generated_and_create_only_columns_read_only() -> None:
    edit = plan(Gadget, "edit")
    assert {"created_at", "serial", "audit_tag"} <= set(names(edit, read_only=True))
    assert "id" not in names(edit)  # a generated key is in the URL, not the form
    assert "name" in names(edit, read_only=False)
    assert "version" in names(plan(Shelf, "edit"), read_only=True)


def test_many_to_one_relations_write_their_foreign_keys() -> None:
    box = plan(Box, "create").field("shelf")
    assert box is not None
    assert (box.kind, box.key, box.columns, box.required) == (
        "to_one",
        "shelf_id",
        ("shelf_id",),
        True,
    )


def test_link_rows_pick_both_sides_and_keep_them_on_edit() -> None:
    assert names(plan(Membership, "create"), read_only=False) == [
        "is_training",
        "club",
        "member",
    ]
    assert set(names(plan(Membership, "edit"), read_only=True)) == {"club", "member"}


def test_api_models_found_by_name_shape_the_forms() -> None:
    create = plan(Account, "create")
    assert create.schema is AccountCreate
    assert names(create) == ["email", "display_name", "password"]
    password = create.field("password")
    assert password is not None
    assert (password.kind, password.columns) == ("password", ("password_hash",))
    edit = plan(Account, "edit")
    assert edit.schema is AccountUpdate
    assert not any(f.required for f in edit.fields)


def test_a_declared_view_may_name_its_own_api_models() -> None:
    class MemberAdmin(AutoModelView, model=Member):
        create_schema = AccountCreate

    [view] = build_views([Member], [MemberAdmin], modules=[sample_models])
    assert view is MemberAdmin
    assert MemberAdmin.create_schema is AccountCreate  # not sample_models.MemberCreate
    assert MemberAdmin.update_schema is None


def test_a_marked_hash_column_gets_a_set_new_password_input_never_its_value() -> None:
    edit = plan(Locker, "edit")
    field = edit.field("secret_hash")
    assert field is not None
    assert (field.kind, field.label, field.required) == (
        "password",
        "Set new password",
        False,
    )
    # An unmarked secret is not in any form.
    assert "api_token" not in names(plan(Member, "edit"))
    assert "pin_code" not in names(plan(Member, "edit"))


# A value for every column of Gadget that no form may write: posted all the same.
FORGED = {
    "id": "00000000-0000-0000-0000-000000000001",
    "created_at": "2000-01-01 00:00:00",
    "serial": "FORGED",
    "audit_tag": "forged",
}


@pytest.mark.parametrize("mode", ["create", "edit"])
def test_writable_fields_are_the_only_ones_saved(
    mode: str, forms: TestClient, engine: Engine
) -> None:
    form = plan(Gadget, mode)
    assert all(not f.read_only for f in form.writable)
    writable = {f.key for f in form.writable}
    # What no form writes, and what only the create form does.
    assert not writable & {"id", "created_at", "audit_tag"}
    assert ("serial" in writable) is (mode == "create")

    url = "/admin/gadget/create"
    data = {"name": "Lamp", "count": "7", "serial": "S-9"}
    if mode == "edit":
        with Session(engine) as session:
            old = Gadget(name="Desk")
            session.add(old)
            session.commit()
            session.refresh(old)
            session.expunge(old)
        url = f"/admin/gadget/edit/{old.id}"
        data = form_values(forms.get(url).text) | {"name": "Lamp", "count": "7"}
    forged = {k: v for k, v in FORGED.items() if k not in writable}
    response = forms.post(url, data={**data, **forged, "save": "Save"})
    assert response.status_code == 302, response.text

    with Session(engine) as session:
        saved = session.scalars(select(Gadget)).one()
    # Each writable field posted is written...
    assert (saved.name, saved.count) == ("Lamp", 7)
    if mode == "create":
        assert saved.serial == "S-9"
    else:
        assert (saved.id, saved.serial) == (old.id, "S-1")
        assert saved.created_at.replace(tzinfo=None) == old.created_at.replace(
            tzinfo=None
        )
    # ...and nothing else, whatever was posted for it.
    assert str(saved.id) != FORGED["id"]
    assert saved.created_at.year > 2000
    assert saved.audit_tag == "auto"


def test_plan_lookup_by_written_key() -> None:
    create = plan(Box, "create")
    assert create.field_for_key("shelf_id") is create.field("shelf")
    assert create.field_for_key("nope") is None


def test_view_for_leaves_schemas_unset_until_registered(tmp_path: Path) -> None:
    assert view_for(Account).create_schema is None
    [registered] = build_views([Account], modules=[form_models])
    assert registered.create_schema is AccountCreate  # type: ignore[attr-defined]
