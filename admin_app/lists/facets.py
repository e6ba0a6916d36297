"""Counts per value beside the choice filters (yes/no, an enum's values, a
foreign key to a small table), as Django 5's facets, never a scan of a big
table: one statement per choice filter, whatever the page size.

* **A list of at most ``count_cap`` rows** (its count is exact and below the
  cap): ``SELECT col, count(*) … GROUP BY col`` over the list's rows, which
  costs what its count did.
* **A big list that no filter or search narrows**: each value counted from
  the column's index up to the cap (``10,000+`` past it), when the column has
  an index; none otherwise.
* **A big narrowed list**: no counts (they would read every matching row).

Counts are of the list as shown: every active filter applies, its own too.
So a yes/no or enum filter set to one value counts without a statement: its
value has the list's rows, the others none.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from sqladmin import ModelView
from sqladmin.filters import BooleanFilter, StaticValuesFilter, get_column_obj
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from admin_app.inspection import columns_of
from admin_app.lists.counting import Accuracy, RowCount, counted_rows
from admin_app.lists.related import Choices, RelatedFilter, key_value

# {parameter name: {value as the filter's link gives it: count as shown}}
Facets = dict[str, dict[str, str]]


def facet_values(
    view: ModelView, found: Any, choices: dict[str, Choices]
) -> list[tuple[str, Any]] | None:
    """``(value as in the URL, value to compare)`` of a choice filter, or None
    for a filter that is none."""
    if isinstance(found, BooleanFilter):
        return [("true", True), ("false", False)]
    if isinstance(found, StaticValuesFilter):
        return [(str(key), key) for key, _ in found.values]
    if isinstance(found, RelatedFilter):
        offered = choices.get(found.parameter_name)
        if offered is None or not offered.few:
            return None
        column = get_column_obj(found.column, view.model)
        return [(key, key_value(column, key)) for key, _ in offered.options]
    return None


def facet_counts(
    session: Session,
    view: ModelView,
    stmt: Select[Any],
    *,
    narrowed: bool,
    count: RowCount,
    cap: int,
    filters: Sequence[Any],
    choices: dict[str, Choices],
    params: Mapping[str, str],
) -> Facets:
    """The counts the list's choice filters show (see the module's rules)."""
    small = count.exact and count.value <= cap
    if not small and narrowed:
        return {}
    indexed = {fact.name for fact in columns_of(view.model) if fact.is_indexed}
    facets: Facets = {}
    for found in filters:
        values = facet_values(view, found, choices)
        column_ref = getattr(found, "column", None)
        if not values or column_ref is None:
            continue
        column = get_column_obj(column_ref, view.model)
        chosen = params.get(found.parameter_name, "")
        if small and not isinstance(found, RelatedFilter) and chosen in dict(values):
            facets[found.parameter_name] = {
                text: f"{count.value:,}" if text == chosen else "0"
                for text, _ in values
            }
        elif small:
            facets[found.parameter_name] = _grouped(session, stmt, column, values, cap)
        elif column.key in indexed:
            facets[found.parameter_name] = _capped(session, stmt, column, values, cap)
    return facets


def _grouped(
    session: Session,
    stmt: Select[Any],
    column: Any,
    values: list[tuple[str, Any]],
    cap: int,
) -> dict[str, str]:
    rows = counted_rows(stmt).with_only_columns(column, maintain_column_froms=True)
    # The list holds at most ``cap`` rows: the LIMIT only says so (and keeps
    # the read bounded should rows have come since the count).
    shown = rows.limit(cap + 1).subquery()
    grouped = select(shown.c[0], func.count()).group_by(shown.c[0])
    counted = {_text(value): int(number) for value, number in session.execute(grouped)}
    by_value = {_text(value): text for text, value in values}
    found = {text: "0" for text, _ in values}
    for value, number in counted.items():
        if value in by_value:
            found[by_value[value]] = f"{number:,}"
    return found


def _capped(
    session: Session,
    stmt: Select[Any],
    column: Any,
    values: list[tuple[str, Any]],
    cap: int,
) -> dict[str, str]:
    """Each value's rows counted up to ``cap``, all in one statement."""
    counts = [
        select(func.count())
        .select_from(
            counted_rows(stmt.where(column == value)).limit(cap + 1).subquery()
        )
        .scalar_subquery()
        for _, value in values
    ]
    row = session.execute(select(*counts)).one()
    found: dict[str, str] = {}
    for (text, _), number in zip(values, row, strict=True):
        number = int(number or 0)
        counted = RowCount(cap, Accuracy.AT_LEAST) if number > cap else RowCount(number)
        found[text] = str(counted)
    return found


def _text(value: Any) -> str:
    """A grouped value as the filter's links name it: a bool as
    ``true``/``false``, an enum member by name, a key as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    name = getattr(value, "name", None)
    if isinstance(name, str) and hasattr(value, "value"):
        return name
    return str(value)
