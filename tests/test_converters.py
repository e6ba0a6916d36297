"""Form fields for floats and for JSON every database can store."""

import pytest
from wtforms import Form

from admin_app.converters import StrictJSONField


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
    from admin_app.converters import AdminConverter

    assert "Float" in AdminConverter()._converters
