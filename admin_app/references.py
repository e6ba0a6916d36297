"""Rows named by their keys elsewhere, shown by their labels as they are now.

A foreign key's value in the audit trail, a stale-edit table or an export, or
an audit entry's row, is an id to the database and a name to a person
(``Maya Rossi``, not ``Requester 433``). :class:`Labels` gathers the keys a
page shows, then looks them up in bulk: one query per related table, in chunks
of :data:`CHUNK` keys, never a row at a time and never a whole table. A key
whose row is gone reads ``#433 (deleted)``.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqladmin.i18n import gettext
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.exc import NoReferencedTableError
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from admin_app.inspection import columns_of, mapper_of
from admin_app.keys import BadKey, format_key, key_parts, parse_key
from admin_app.labels import row_label

# Keys per IN list: well under every database's bound-parameter limit.
CHUNK = 500

# (model, key) → the URL of that row's detail page, or "" for none.
Linker = Callable[[type[Any], str], str]


@dataclass(frozen=True)
class Reference:
    """A row as a page names it: its label now, or that it is gone."""

    model: type[Any]
    key: str
    label: str | None  # None: no such row (deleted, or never there)
    url: str = ""  # its detail page, while it exists and the user may open it

    @property
    def gone(self) -> bool:
        return self.label is None

    def __str__(self) -> str:
        if self.label is not None:
            return self.label
        return gettext("#%(key)s (deleted)") % {"key": self.key}


def referenced_model(model: type[SQLModel], column_name: str) -> type[SQLModel] | None:
    """The mapped class whose single-column primary key ``column_name`` references,
    or None (not a foreign key, a composite one, or to an unmapped table)."""
    column = mapper_of(model).columns.get(column_name)
    if column is None or len(column.foreign_keys) != 1:
        return None
    (key,) = column.foreign_keys
    if key.constraint is not None and len(key.constraint.columns) != 1:
        return None
    try:
        referenced = key.column
    except NoReferencedTableError:
        return None
    for mapper in mapper_of(model).registry.mappers:
        keys = mapper.primary_key
        if (
            mapper.local_table is referenced.table
            and mapper.inherits is None
            and len(keys) == 1
            and keys[0] is referenced
        ):
            return mapper.class_
    return None


@cache
def foreign_keys(model: type[SQLModel]) -> dict[str, type[SQLModel]]:
    """The model's columns that reference another mapped row's key, by
    attribute name, with the model they reference."""
    found: dict[str, type[SQLModel]] = {}
    for fact in columns_of(model):
        target = referenced_model(model, fact.name) if fact.is_foreign_key else None
        if target is not None:
            found[fact.name] = target
    return found


def key_text(value: Any) -> str:
    """A key value (or an identifier already) as URLs spell it."""
    return value if isinstance(value, str) else format_key((value,))


class Labels:
    """The labels of rows named by key: :meth:`want` each, :meth:`load` once,
    then :meth:`get` them."""

    def __init__(self) -> None:
        self._wanted: dict[type[Any], set[str]] = {}
        self._found: dict[tuple[type[Any], str], str] = {}

    def want(self, model: type[Any], key: Any) -> None:
        """Ask for the row of ``model`` keyed ``key`` (a value or identifier)."""
        if key is not None and key != "":
            self._wanted.setdefault(model, set()).add(key_text(key))

    def load(self, session: Session) -> "Labels":
        """One query per model (per :data:`CHUNK` keys) for every wanted row."""
        for model, keys in self._wanted.items():
            wheres = key_wheres(model, keys)
            for where in wheres:
                for row in session.scalars(select(model).where(where)):
                    self._found[(model, format_key(row))] = row_label(row)
        self._wanted = {}
        return self

    def get(self, model: type[Any], key: Any, link: Linker | None = None) -> Reference:
        """The row of ``model`` keyed ``key``, as found by :meth:`load`."""
        text = key_text(key)
        label = self._found.get((model, text))
        url = link(model, text) if link is not None and label is not None else ""
        return Reference(model, text, label, url)


def key_wheres(model: type, keys: Iterable[str]) -> list[ColumnElement[bool]]:
    """WHERE clauses of :data:`CHUNK` keys each: ``IN`` for a one-column key;
    keys that cannot name a row are left out (they read as gone)."""
    try:
        parts = key_parts(model)
    except TypeError:  # keys URLs cannot name: nothing to look up
        return []
    named: list[tuple[Any, ...]] = []
    for key in sorted(keys):
        try:
            named.append(parse_key(model, key))
        except BadKey:
            continue
    wheres: list[ColumnElement[bool]] = []
    for start in range(0, len(named), CHUNK):
        chunk = named[start : start + CHUNK]
        if len(parts) == 1:
            wheres.append(parts[0].column.in_([values[0] for values in chunk]))
        else:
            wheres.append(
                or_(
                    *(
                        and_(
                            *(p.column == v for p, v in zip(parts, values, strict=True))
                        )
                        for values in chunk
                    )
                )
            )
    return wheres


def details_linker(views: Iterable[Any], request: Any) -> Linker:
    """Links to the detail pages of the views the user may open."""
    by_model: dict[type[Any], Any] = {}
    for view in views:
        model = getattr(view, "model", None)
        if (
            model is not None
            and model not in by_model
            and getattr(view, "can_view_details", False)
            and view.is_accessible(request)
        ):
            by_model[model] = view

    def link(model: type[Any], key: str) -> str:
        view = by_model.get(model)
        if view is None:
            return ""
        return str(request.url_for("admin:details", identity=view.identity, pk=key))

    return link
