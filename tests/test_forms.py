"""Form plans: which fields a create or edit form shows, what each writes, and
which are read-only — for inferred views, API models and model markings."""

from pathlib import Path

import pytest
from sqladmin import Admin
from sqlalchemy import create_engine
from starlette.applications import Starlette

from admin_app.forms import FormPlan, PlannedField, plan_form
from admin_app.registry import build_views
from admin_app.views import AutoModelView, view_for
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


@pytest.mark.parametrize("mode", ["create", "edit"])
def test_writable_fields_are_the_only_ones_saved(mode: str) -> None:
    form = plan(Gadget, mode)
    assert all(not f.read_only for f in form.writable)
    assert {f.name for f in form.writable} < {
        f.name for f in form.fields
    } or mode == "create"


def test_plan_lookup_by_written_key() -> None:
    create = plan(Box, "create")
    assert create.field_for_key("shelf_id") is create.field("shelf")
    assert create.field_for_key("nope") is None


def test_view_for_leaves_schemas_unset_until_registered(tmp_path: Path) -> None:
    assert view_for(Account).create_schema is None
    [registered] = build_views([Account], modules=[form_models])
    assert registered.create_schema is AccountCreate  # type: ignore[attr-defined]
