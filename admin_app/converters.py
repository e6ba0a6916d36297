"""WTForms fields for column types sqladmin's converter leaves out or takes too
loosely."""

import json
from typing import Any

from sqladmin.fields import JSONField
from sqladmin.forms import ModelConverter, converts
from sqlalchemy.orm import ColumnProperty
from wtforms import FloatField
from wtforms.fields.core import UnboundField

from admin_app.enums import enum_text


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


def _refuse_constant(token: str) -> Any:
    raise ValueError(f"{token} is not JSON")


class AdminConverter(ModelConverter):
    """sqladmin's converter, plus floats, strict JSON and enums by value."""

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
