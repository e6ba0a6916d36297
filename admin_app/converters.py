"""WTForms fields for column types sqladmin's converter leaves out or takes too
loosely."""

import json
from typing import Any

from sqladmin.fields import JSONField
from sqladmin.forms import ModelConverter, converts
from sqlalchemy.dialects.postgresql import INET
from sqlalchemy.orm import ColumnProperty
from wtforms import FloatField, StringField
from wtforms.fields.core import UnboundField

from admin_app.type_fields import (
    DURATION_HINT,
    AddressField,
    DurationField,
    NetworkField,
    tag_parser,
)
from admin_app.widgets import TagsField


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


class AdminConverter(ModelConverter):
    """sqladmin's converter, plus floats, strict JSON and PostgreSQL's types."""

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

    # PostgreSQL's types (admin_app.type_fields): each typed value is parsed,
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
