"""WTForms fields for column types sqladmin's converter leaves out or takes too
loosely."""

import json
from typing import Any

from sqladmin.fields import JSONField
from sqladmin.forms import ModelConverter, converts
from sqlalchemy.orm import ColumnProperty
from wtforms import FloatField
from wtforms.fields.core import UnboundField


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
    """sqladmin's converter, plus floats and strict JSON."""

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
