"""FormErrors: messages by field and for the whole row."""

from admin_app.forms.errors import FormErrors


def test_messages_by_field_and_for_the_row_without_duplicates() -> None:
    errors = FormErrors()
    assert not errors
    errors.add("name", "Too short.")
    errors.add("name", "Too short.")
    errors.add(None, "Cost cannot exceed the price")
    assert errors.fields == {"name": ["Too short."]}
    assert list(errors) == [
        ("name", "Too short."),
        (None, "Cost cannot exceed the price"),
    ]
    assert str(errors) == "name: Too short.; Cost cannot exceed the price"


def test_merge() -> None:
    first = FormErrors({"a": ["x"]}, ["row"])
    first.merge(FormErrors({"a": ["x", "y"], "b": ["z"]}, ["row", "other"]))
    assert first.fields == {"a": ["x", "y"], "b": ["z"]}
    assert first.row == ["row", "other"]
