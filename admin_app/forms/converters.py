"""WTForms fields for column types sqladmin's converter leaves out or takes too
loosely."""

import json
from typing import Any

from sqladmin.fields import BooleanField, JSONField, SelectField
from sqladmin.forms import ModelConverter, converts
from sqlalchemy.dialects.postgresql import INET
from sqlalchemy.orm import ColumnProperty
from wtforms import FloatField, StringField
from wtforms.fields.core import UnboundField

from admin_app.enums import enum_text
from admin_app.forms.type_fields import (
    DURATION_HINT,
    AddressField,
    DurationField,
    NetworkField,
    tag_parser,
)
from admin_app.forms.widgets import TagsField

# What a ticked checkbox sends: the value it renders (WTForms' "y").
CHECKED = "y"
# The options of a yes/no select (a nullable bool), as they are rendered;
# its empty option sends sqladmin's "__None".
YES, NO = "True", "False"


class StrictJSONField(JSONField):
    """JSON that every database stores: no NaN or Infinity tokens."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist and valuelist[0].strip():
            try:
                self.data = json.loads(valuelist[0], parse_constant=_refuse_constant)
            except ValueError as exc:
                raise ValueError(self.gettext("Invalid JSON")) from exc
            return
        super().process_formdata(valuelist)

    def _value(self) -> str:
        """The stored JSON, ``[]`` included (sqladmin wrote ``{}`` for any empty
        value, which a list column refuses); nothing for no value."""
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else json.dumps(self.data, ensure_ascii=False)


def _refuse_constant(token: str) -> Any:
    raise ValueError(f"{token} is not JSON")


class _Strict:
    """A field whose unreadable input stays an error: the ``Optional()`` a
    form gives fields it does not require clears the errors of an empty
    input, which no yes/no field renders either."""

    process_errors: list[Any]
    errors: list[Any]

    def post_validate(self, form: Any, validation_stopped: bool) -> None:
        for error in self.process_errors:
            if error not in self.errors:
                self.errors.append(error)


class StrictBooleanField(_Strict, BooleanField):
    """A checkbox: ticked sends the value it renders, unticked sends nothing.

    WTForms takes any value but ``false`` and the empty string as ticked, so
    ``maybe`` would switch a flag on; here it is an error by the field.
    """

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            self.data = False
        elif valuelist[0] == CHECKED:
            self.data = True
        else:
            raise ValueError(self.gettext("Not a valid choice."))

    def _value(self) -> str:
        return CHECKED  # never what was posted


class YesNoField(_Strict, SelectField):
    """A nullable bool's select: empty, yes or no, each option with its value
    written out (WTForms leaves ``value`` off an option whose value is False,
    and a browser then sends its text)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("choices", [(YES, YES), (NO, NO)])
        kwargs["coerce"] = yes_or_no
        super().__init__(*args, **kwargs)


def yes_or_no(value: Any) -> bool:
    """A yes/no select's value; what it does not offer is refused (WTForms'
    message for a select: "Invalid Choice: could not coerce")."""
    if value is True or value == YES:
        return True
    if value is False or value == NO:
        return False
    raise ValueError(value)


class AdminConverter(ModelConverter):
    """sqladmin's converter, plus floats, strict JSON, strict yes/no, enums by
    value and PostgreSQL's types."""

    @converts("Boolean", "dialects.mssql.base.BIT")  # type: ignore[untyped-decorator]
    def conv_boolean(
        self, model: type, prop: ColumnProperty[Any], kwargs: dict[str, Any]
    ) -> UnboundField:
        """sqladmin's widgets (a switch; a select when the column may be
        empty), taking only the values they render."""
        if not prop.columns[0].nullable:
            kwargs.setdefault("render_kw", {})
            kwargs["render_kw"]["class"] = "form-check-input"
            return StrictBooleanField(**kwargs)
        return YesNoField(**kwargs)

    @converts("Float", "Double", "REAL", "DOUBLE_PRECISION")  # type: ignore[untyped-decorator]
    def conv_float(
        self, model: type, prop: ColumnProperty[Any], kwargs: dict[str, Any]
    ) -> UnboundField:
        return FloatField(**kwargs)

    @converts("JSON", "JSONB")  # type: ignore[untyped-decorator]
    def conv_json(
        self, model: type, prop: ColumnProperty[Any], kwargs: dict[str, Any]
    ) -> UnboundField:
        return StrictJSONField(**kwargs)

    @converts("Enum")  # type: ignore[untyped-decorator]
    def conv_enum(
        self, model: type, prop: ColumnProperty[Any], kwargs: dict[str, Any]
    ) -> UnboundField:
        """sqladmin's select, each member labelled by its value as every page
        shows it (admin_app.enums); the option values stay the names."""
        field = super().conv_enum(model, prop, kwargs)
        enum_class = getattr(prop.columns[0].type, "enum_class", None)
        if enum_class is not None:
            field.kwargs["choices"] = [(m.name, enum_text(m)) for m in enum_class]
        return field

    # PostgreSQL's types (admin_app.forms.type_fields): each typed value is parsed,
    # a bad one refused by its field.

    @converts(  # type: ignore[untyped-decorator]
        "sqlalchemy.dialects.postgresql.base.ARRAY",
        "sqlalchemy.sql.sqltypes.ARRAY",
    )
    def conv_array(
        self, model: type, prop: ColumnProperty[Any], kwargs: dict[str, Any]
    ) -> UnboundField:
        """A tag input; each tag parsed as the array's item type."""
        item_type = prop.columns[0].type.item_type  # type: ignore[attr-defined]
        kwargs.setdefault("coerce", tag_parser(item_type))
        return TagsField(**kwargs)

    @converts(  # type: ignore[untyped-decorator]
        "sqlalchemy.dialects.postgresql.base.INET",
        "sqlalchemy.dialects.postgresql.types.INET",
        "sqlalchemy_utils.types.ip_address.IPAddressType",
    )
    def conv_ip_address(
        self, model: type, prop: ColumnProperty[Any], kwargs: dict[str, Any]
    ) -> UnboundField:
        """An INET takes a host address with or without its network."""
        if not isinstance(prop.columns[0].type, INET):
            return super().conv_ip_address(model, prop, kwargs)
        return AddressField(**kwargs)

    @converts("sqlalchemy.dialects.postgresql.types.CIDR")  # type: ignore[untyped-decorator]
    def conv_network(
        self, model: type, prop: ColumnProperty[Any], kwargs: dict[str, Any]
    ) -> UnboundField:
        return NetworkField(**kwargs)

    @converts("Interval", "INTERVAL")  # type: ignore[untyped-decorator]
    def conv_interval(
        self, model: type, prop: ColumnProperty[Any], kwargs: dict[str, Any]
    ) -> UnboundField:
        kwargs.setdefault("render_kw", {}).setdefault("placeholder", DURATION_HINT)
        return DurationField(**kwargs)

    @converts("TSVECTOR")  # type: ignore[untyped-decorator]
    def conv_tsvector(
        self, model: type, prop: ColumnProperty[Any], kwargs: dict[str, Any]
    ) -> UnboundField:
        """Shown on the edit form, never edited (forms.py: read-only)."""
        return StringField(**kwargs)
