"""A from/to range for number columns: ``?total_from=10&total_to=99.50``,
both ends included."""

import math
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from sqladmin.i18n import lazy_gettext as _
from sqlalchemy import Float, Integer, Numeric
from sqlalchemy.sql.elements import ColumnElement
from starlette.datastructures import QueryParams

from admin_app.lists.filters import (
    FROM,
    TO,
    Chip,
    FilterValueError,
    ParamFilter,
    whole_number,
)
from admin_app.lists.matching import base_type

_MAX_NUMBER_LENGTH = 40


class NumberRangeFilter(ParamFilter):
    """Rows whose number lies from ``<name>_from`` to ``<name>_to``."""

    template = "sqladmin/filters/range_filter.html"

    def parameters(self) -> frozenset[str]:
        name = self.parameter_name
        return frozenset({name + FROM, name + TO})

    def step(self, view: Any) -> str:
        """The number input's ``step``: whole numbers, or any."""
        kind = base_type(self.column_of(view).type)
        return "1" if isinstance(kind, Integer) else "any"

    def clauses(self, view: Any, params: QueryParams) -> list[ColumnElement[bool]]:
        column = self.column_of(view)
        found: list[ColumnElement[bool]] = []
        low = params.get(self.parameter_name + FROM, "").strip()
        high = params.get(self.parameter_name + TO, "").strip()
        if low:
            found.append(column >= number_of(column, low))
        if high:
            found.append(column <= number_of(column, high))
        return found

    def chips(
        self, view: Any, params: QueryParams, labels: Mapping[str, str] | None = None
    ) -> list[Chip]:
        found = []
        for suffix, said in ((FROM, _("from %(value)s")), (TO, _("to %(value)s"))):
            value = params.get(self.parameter_name + suffix, "").strip()
            if value:
                text = said % {"value": value}
                found.append(
                    Chip(
                        f"{self.title}: {text}", ((self.parameter_name + suffix, None),)
                    )
                )
        return found


def number_of(column: Any, text: str) -> Any:
    """``text`` as a value of the number ``column``; FilterValueError if none."""
    kind = base_type(column.type)
    if isinstance(kind, Integer):
        return whole_number(kind, text)
    if len(text) > _MAX_NUMBER_LENGTH:
        raise FilterValueError(text)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise FilterValueError(text) from None
    if not number.is_finite():
        raise FilterValueError(text)
    if isinstance(kind, Float):
        value = float(number)
        if not math.isfinite(value):
            raise FilterValueError(text)
        return value
    return number


def is_number(column: Any) -> bool:
    """Columns :class:`NumberRangeFilter` serves."""
    kind = base_type(column.type)
    return isinstance(kind, Integer | Numeric | Float)
