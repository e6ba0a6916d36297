"""Form fields for floats and for JSON every database can store."""

import anyio
import pytest
from sqladmin import Admin
from sqlalchemy import create_engine
from starlette.applications import Starlette
from wtforms import FloatField, Form

from admin_app.forms.converters import StrictJSONField
from admin_app.registry import build_views
from admin_app.views.inferred import AutoModelView
from tests import form_models
from tests.form_models import Gadget


class _Data(dict[str, list[str]]):
    """The smallest formdata WTForms accepts."""

    def getlist(self, key: str) -> list[str]:
        return self[key]


class JSONForm(Form):
    value = StrictJSONField()


@pytest.mark.parametrize(
    ("text", "expected"),
    [('{"a": [1, 2.5]}', {"a": [1, 2.5]}), ("[]", []), ("", None), ("null", None)],
)
def test_json_that_parses(text: str, expected: object) -> None:
    form = JSONForm(_Data(value=[text]))
    assert form.validate()
    assert form.value.data == expected


@pytest.mark.parametrize("text", ["{bad", '{"x": NaN}', "[Infinity]", "-Infinity"])
def test_json_every_database_cannot_store_is_refused(text: str) -> None:
    form = JSONForm(_Data(value=[text]))
    assert not form.validate()
    assert form.value.errors == ["Invalid JSON"]


def test_floats_get_a_float_input() -> None:
    """A float column's input reads a float (sqladmin's would read a Decimal),
    whether the column is optional or not."""
    [view_class] = build_views([Gadget], modules=[form_models])
    admin = Admin(Starlette(), engine=create_engine("sqlite://"))
    admin.add_view(view_class)
    view = admin.views[-1]
    assert isinstance(view, AutoModelView)
    form_class = anyio.run(view.form_class_for, view.form_plan("create"))
    for name in ("ratio", "weight"):
        field = form_class(_Data({name: ["0.25"]}))[name]
        assert isinstance(field, FloatField)
        assert type(field.data) is float and field.data == 0.25
        refused = form_class(_Data({name: ["a quarter"]}))[name]
        assert refused.process_errors == ["Not a valid float value."]
