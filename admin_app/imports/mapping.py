"""Which field each column of a file fills: matched by name or by label,
else as the person maps it (and as they mapped the same header last time).

The fields a file may fill are those of the view's create form (its plan: the
model's or its ``<Model>Create``'s), the primary key (to match rows, never to
set an automatic one), and the columns a row can be matched on (unique ones).
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from sqladmin.i18n import gettext
from sqlalchemy import Table, UniqueConstraint
from sqlmodel import SQLModel

from admin_app.forms.planning import FormPlan
from admin_app.inspection import columns_of, mapper_of

IGNORED = ""
_SEPARATORS = re.compile(r"[\s_\-.]+")


@dataclass(frozen=True)
class Target:
    """A field a column of the file may fill."""

    name: str  # the create form's field name, or the key's column
    label: str
    kind: str  # column, to_one, password, key
    required: bool = False
    # Other names a header may give it: a many-to-one's foreign key column.
    aliases: tuple[str, ...] = ()


def normal(text: str) -> str:
    """A header or a field's name as compared: case, spaces, ``_`` and ``-`` aside."""
    return _SEPARATORS.sub(" ", text.strip().casefold()).strip()


def table_of(model: type[SQLModel]) -> Table:
    """The table ``model`` maps (a single-table model, as admin_app serves)."""
    return cast(Table, mapper_of(model).local_table)


def key_columns(model: type[SQLModel]) -> list[str]:
    return [
        mapper_of(model).get_property_by_column(column).key
        for column in mapper_of(model).primary_key
    ]


def unique_columns(model: type[SQLModel]) -> list[str]:
    """The columns whose value names one row: a single-column key, unique
    constraint or unique index (attribute names)."""
    table = table_of(model)
    names = {
        column.name: fact.name for fact in columns_of(model) for column in [fact.column]
    }
    found: list[str] = []
    keys = key_columns(model)
    if len(keys) == 1:
        found.append(keys[0])
    groups = [
        list(index.columns) for index in getattr(table, "indexes", ()) if index.unique
    ]
    groups += [
        list(constraint.columns)
        for constraint in getattr(table, "constraints", ())
        if isinstance(constraint, UniqueConstraint)
    ]
    groups += [[fact.column] for fact in columns_of(model) if fact.column.unique]
    for group in groups:
        if len(group) == 1 and group[0].name in names:
            name = names[group[0].name]
            if name not in found:
                found.append(name)
    return found


def targets(plan: FormPlan) -> list[Target]:
    """The fields a file may fill, in the form's order, the key first."""
    found: list[Target] = []
    planned_names = {planned.name for planned in plan.writable}
    for key in key_columns(plan.model):
        if key not in planned_names:
            found.append(Target(key, key, "key"))
    labels = {fact.name: fact.title for fact in columns_of(plan.model)}
    for planned in plan.writable:
        if planned.kind == "to_many":
            continue  # a collection is not a cell
        label = planned.label or labels.get(planned.key, planned.name)
        aliases = planned.columns if planned.kind == "to_one" else ()
        found.append(
            Target(planned.name, str(label), planned.kind, planned.required, aliases)
        )
    return found


def matched(
    headers: Sequence[str],
    fields: Sequence[Target],
    remembered: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """``{header: field name}`` for every header: by the person's last mapping
    of that header, else by name, else by label; :data:`IGNORED` for the rest.
    No field is filled by two headers."""
    by_name = {normal(target.name): target.name for target in fields}
    by_label = {normal(target.label): target.name for target in fields}
    for target in fields:
        for alias in target.aliases:
            by_name.setdefault(normal(alias), target.name)
    known = {target.name for target in fields}
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        choice = (remembered or {}).get(header)
        if choice is None or (choice and choice not in known):
            key = normal(header)
            choice = by_name.get(key) or by_label.get(key) or IGNORED
        if choice and choice in taken:
            choice = IGNORED
        mapping[header] = choice
        if choice:
            taken.add(choice)
    return mapping


def mapping_problems(mapping: Mapping[str, str], fields: Sequence[Target]) -> list[str]:
    """What stops a mapping: a field filled twice, none filled at all."""
    chosen = [name for name in mapping.values() if name]
    problems: list[str] = []
    if not chosen:
        problems.append(gettext("Map at least one column to a field."))
    labels = {target.name: target.label for target in fields}
    for name in sorted({n for n in chosen if chosen.count(n) > 1}):
        problems.append(
            gettext("Two columns fill the field “%(field)s”: keep one.")
            % {"field": labels.get(name, name)}
        )
    unknown = [name for name in chosen if name not in labels]
    if unknown:
        problems.append(gettext("Unknown field: %(name)s") % {"name": unknown[0]})
    return problems


def needs_mapping(
    mapping: Mapping[str, str], remembered: Mapping[str, str] | None = None
) -> bool:
    """Whether a person should look at the mapping: a header matched nothing,
    and they did not choose to ignore it last time."""
    return any(
        not field and header not in (remembered or {})
        for header, field in mapping.items()
    )
