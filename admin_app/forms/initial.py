"""The edit form's first values: the row, with its current picks loaded in
the same session hop, not one query per picker afterwards.

sqladmin's ``form_edit_query`` leaves the pickers' relations (its "ajax"
relations) unloaded and ``get_form_data_for_edit`` then reads each one in a
session of its own. Here the edit query loads them with the row (a join for a
many-to-one, one more statement for a collection), and the form's data is read
off the loaded row.
"""

from collections.abc import Collection, Iterable
from typing import Any

from sqladmin.forms import WTFORMS_ATTRS
from sqlalchemy import Select, inspect
from sqlalchemy.orm import joinedload, selectinload


def with_picks(
    stmt: Select[Any], relations: Iterable[Any], picker_names: Collection[str]
) -> Select[Any]:
    """``stmt`` (the row by its key) loading every form relation with it."""
    for relation in relations:
        if relation.key in picker_names and not relation.property.uselist:
            stmt = stmt.options(joinedload(relation))
        else:
            stmt = stmt.options(selectinload(relation))
    return stmt


def loaded_form_data(row: Any, names: list[str]) -> dict[str, Any] | None:
    """The form's values of ``names`` read off ``row``; None when one of its
    relations was not loaded with it (a view's own edit query)."""
    state = inspect(row)
    if any(name in state.unloaded for name in names):
        return None
    relations = state.mapper.relationships
    data: dict[str, Any] = {}
    for name in names:
        value = getattr(row, name, None)
        if name in relations and relations[name].uselist and value is not None:
            value = list(value)  # a collection: its rows, as sqladmin gives them
        data[WTFORMS_ATTRS.get(name, name)] = value
    return data
