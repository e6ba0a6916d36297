"""Enum columns as the admin reads them.

A stored value the code does not know (a status a newer release added, or one
an older release retired) makes SQLAlchemy fail the whole query. For the enum
classes of registered models the admin reads it as its raw text instead, so
the row still lists, opens, and can be fixed.
"""

import enum
from collections.abc import Callable
from typing import Any, TypeVar

from sqladmin import ModelView
from sqlalchemy import Enum as SAEnum
from sqlmodel import SQLModel

from admin_app.inspection import columns_of

F = TypeVar("F", bound=Callable[..., Any])

# Enum classes read leniently. Dialects copy column types (PostgreSQL's ENUM is
# an adapted copy), so the choice is made by enum class, not by type instance.
_TOLERATED: set[type[enum.Enum]] = set()
_strict_read = SAEnum._object_value_for_elem


def _read(self: SAEnum, elem: Any) -> Any:
    try:
        return _strict_read(self, elem)
    except LookupError:
        if self.enum_class in _TOLERATED:
            return elem
        raise


def tolerate_unknown_values(model: type[SQLModel]) -> None:
    """Let ``model``'s enum columns read unknown stored values as text."""
    for fact in columns_of(model):
        if fact.enum_class is not None:
            _TOLERATED.add(fact.enum_class)
    if _TOLERATED and SAEnum._object_value_for_elem is not _read:
        SAEnum._object_value_for_elem = _read  # type: ignore[method-assign]


def enum_text(member: enum.Enum) -> str:
    """How the admin shows an enum member, everywhere (lists, details, forms,
    filters, exports, history): by its value, as an API serialises it; never
    ``str(member)``, which is ``PriorityEnum.MEDIUM`` for a ``(str, Enum)``."""
    return str(member.value)


def shows_enums_by_value(reader: F) -> F:
    """Mark a ``get_prop_value`` that reads attributes as sqladmin's does but
    shows enum members by :func:`enum_text`."""
    reader._shows_enums_by_value = True  # type: ignore[attr-defined]
    return reader


def reads_plainly(view: Any) -> bool:
    """Whether ``view``'s cells are its attributes as the formatters show them
    (sqladmin's ``get_prop_value``, or one marked by
    :func:`shows_enums_by_value`): lists and exports may then read the columns
    straight from the rows."""
    reader = type(view).get_prop_value
    return reader is ModelView.get_prop_value or bool(
        getattr(reader, "_shows_enums_by_value", False)
    )


def unknown_choice(choices: list[tuple[Any, Any]], value: Any) -> bool:
    """True when ``value`` is set but is none of a select's choices."""
    known = {str(choice) for choice, _ in choices}
    return value not in (None, "") and str(getattr(value, "name", value)) not in known
