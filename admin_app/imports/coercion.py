"""sqladmin's CSV import, reading the column types SQLModel tables have.

sqladmin turns each CSV cell into a column's value with the column type's
``python_type`` (``sqladmin.helpers.coerce_column_value``), which is ``object``
for sqlmodel's ``AutoString``: every ``str`` cell of a SQLModel table was
refused as "Invalid value". sqladmin has no seam for this on a view, so the one
function it asks is replaced by one that sees through such wrappers
(:func:`admin_app.inspection.python_type`); every other type gets sqladmin's
answer. (Datetime cells still fail later, in sqladmin's form round trip, and
JSON ones here: this fixes neither.)
"""

from typing import Any

from sqladmin import helpers
from sqlalchemy import Column

from admin_app.inspection import python_type

_sqladmins = helpers.get_column_python_type


def column_python_type(column: Column[Any]) -> type:
    found = _sqladmins(column)
    if found is object:
        wrapped = python_type(column.type)[1]
        if isinstance(wrapped, type) and wrapped is not object:
            return wrapped
    return found


def install() -> None:
    """Let sqladmin's import read sqlmodel's str cells (idempotent)."""
    helpers.get_column_python_type = column_python_type
