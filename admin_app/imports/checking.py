"""Each row of a file, validated as its form would be, and checked against the
database as the whole file: what it would create, update, leave unchanged,
or refuse, and why.

A row is parsed by the view's own form class and validated by the model (or
its ``<Model>Create`` / ``<Model>Update``) through :mod:`admin_app.forms`:
the same rules, hashers and storage checks as a form. Then, a chunk of rows
at a time (:data:`CHUNK_ROWS`, one ``IN`` query per column asked about):

* matched rows (on the key or a unique column the person picked) are read;
* foreign keys are resolved by key, or by the related row's label or unique
  column, and a reference to no row is an error on its field;
* unique columns are checked inside the file (a set of the values seen per
  unique column: memory bounded by those columns only) and against the table.

The same checks run in the dry run and again in the confirming transaction.
"""

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqladmin.i18n import gettext
from sqlalchemy import Integer, Uuid, select
from sqlalchemy.orm import Session
from sqlmodel import SQLModel
from starlette.datastructures import ImmutableMultiDict
from wtforms import Form

from admin_app.forms.errors import FormErrors
from admin_app.forms.integrity import verbose_name
from admin_app.forms.planning import FormPlan
from admin_app.forms.validation import changed_columns, new_row, parsed_inputs
from admin_app.imports.mapping import key_columns, unique_columns
from admin_app.inspection import ColumnFacts, columns_of, mapper_of
from admin_app.keys import BadKey, format_key, parse_key
from admin_app.labels import labelled_by_column
from admin_app.moments import as_stored, zoned
from admin_app.references import referenced_model

CHUNK_ROWS = 1000
Hasher = Callable[[str], str] | None


@dataclass
class Checked:
    """What one row of the file would do."""

    number: int
    cells: list[str]
    action: str = "refused"  # create, update, unchanged, refused
    errors: list[str] = field(default_factory=list)
    # create: every column's value; update: the columns it changes.
    values: dict[str, Any] = field(default_factory=dict)
    # update: the row's values before (by attribute name).
    before: dict[str, Any] = field(default_factory=dict)
    key: tuple[Any, ...] | None = None

    def refuse(self, label: str | None, message: str) -> None:
        self.action = "refused"
        self.errors.append(f"{label}: {message}" if label else message)


@dataclass(frozen=True)
class Forms:
    """The view's plans and form classes, and its hashers, as a form has them."""

    create: FormPlan
    edit: FormPlan
    create_form: type[Form]
    edit_form: type[Form]
    create_hasher: Hasher = None
    edit_hasher: Hasher = None


@dataclass
class _Reference:
    """A foreign key a mapped field fills: its column and the row it names."""

    field: str
    column: str
    target: type[SQLModel]


class Checker:
    """Checks a file's rows, chunk by chunk, remembering across chunks the
    unique values seen so far."""

    def __init__(
        self,
        model: type[SQLModel],
        forms: Forms,
        headers: Sequence[str],
        mapping: Mapping[str, str],
        match: str | None,
    ) -> None:
        self.model = model
        self.forms = forms
        self.facts = {fact.name: fact for fact in columns_of(model)}
        self.keys = key_columns(model)
        # (position in the row, field name) of each mapped header.
        self.columns = [
            (index, mapping[header])
            for index, header in enumerate(headers)
            if mapping.get(header)
        ]
        self.mapped = {name for _, name in self.columns}
        self.match = match if match in self.mapped else None
        creatable = {p.name for p in forms.create.writable}
        # A key the database gives is matched on, never written.
        self.ignored = {k for k in self.keys if k not in creatable}
        self.labels = {p.name: str(p.label or p.name) for p in forms.create.fields}
        self.labels.update({p.name: str(p.label or p.name) for p in forms.edit.fields})
        self.unique = [u for u in unique_columns(model) if u in self.facts]
        self.seen: dict[str, set[Any]] = {name: set() for name in self.unique}
        self.references = self._references()
        # One form of each kind, given each row's cells in turn (WTForms'
        # process): parsing as a new form would, without binding its fields anew.
        self._create_form = forms.create_form()
        self._edit_form = forms.edit_form()
        self._create_names = [p.name for p in forms.create.fields]
        self._edit_names = [p.name for p in forms.edit.fields]
        # The date-time columns, and whether each keeps a zone.
        self._zones = {
            name: with_zone
            for name, fact in self.facts.items()
            if (with_zone := zoned(fact.column)) is not None
        }

    def label(self, name: str) -> str:
        fact = self.facts.get(name)
        return self.labels.get(name) or (fact.title if fact else name)

    def _references(self) -> list[_Reference]:
        found: list[_Reference] = []
        relations = mapper_of(self.model).relationships
        for planned in self.forms.create.writable:
            if planned.name not in self.mapped or len(planned.columns) != 1:
                continue
            if planned.kind == "to_one":
                target = relations[planned.name].mapper.class_
                if len(key_columns(target)) == 1:
                    found.append(_Reference(planned.name, planned.columns[0], target))
            elif planned.kind == "column":
                referenced = referenced_model(self.model, planned.key)
                if referenced is not None:
                    found.append(_Reference(planned.name, planned.key, referenced))
        return found

    # One chunk.

    def check(
        self, session: Session, rows: Sequence[tuple[int, list[str]]]
    ) -> list[Checked]:
        chunk = [Checked(number, cells) for number, cells in rows]
        data = [self._data(item) for item in chunk]
        self._resolve_references(session, chunk, data)
        current = self._matched_rows(session, chunk, data)
        for item, given, found in zip(chunk, data, current, strict=True):
            if item.errors:
                continue
            if found is None:
                self._created(item, given)
            else:
                self._updated(item, given, found)
        self._check_unique(session, chunk)
        return chunk

    def _data(self, item: Checked) -> dict[str, str]:
        cells = item.cells
        return {
            name: cells[index] if index < len(cells) else ""
            for index, name in self.columns
        }

    def _matched_rows(
        self, session: Session, chunk: list[Checked], data: list[dict[str, str]]
    ) -> list[dict[str, Any] | None]:
        """Each row's match in the table (its values), or None."""
        if self.match is None:
            return [None] * len(chunk)
        fact = self.facts[self.match]
        wanted: list[Any] = []
        for item, given in zip(chunk, data, strict=True):
            text = given.get(self.match, "").strip()
            value = _typed(fact, text) if text else None
            if text and value is None:
                item.refuse(self.label(self.match), gettext("Not a valid value."))
            wanted.append(value)
        present = [value for value in wanted if value is not None]
        found: dict[Any, dict[str, Any]] = {}
        if present:
            attributes = [self.facts[name].column for name in self.facts]
            column = fact.column
            for row in session.execute(
                select(*attributes).where(column.in_(set(present)))
            ):
                values = dict(zip(self.facts, row, strict=True))
                found[values[self.match]] = values
        matched: list[dict[str, Any] | None] = []
        for item, value in zip(chunk, wanted, strict=True):
            current = found.get(value) if value is not None else None
            if value is not None and current is None and self.match in self.ignored:
                item.refuse(
                    self.label(self.match),
                    gettext(
                        "No row has this key: new rows get theirs from the database."
                    ),
                )
            matched.append(current)
        return matched

    def _created(self, item: Checked, given: dict[str, str]) -> None:
        forms = self.forms
        cells = {k: v for k, v in given.items() if k not in self.ignored}
        form = self._create_form
        form.process(ImmutableMultiDict(cells))
        values, _, errors = parsed_inputs(forms.create, form, self._create_names)
        if errors:
            self._refused(item, errors)
            return
        try:
            row = new_row(forms.create, values, forms.create_hasher)
        except FormErrors as invalid:
            self._refused(item, invalid)
            return
        stored = {name: getattr(row, name) for name in self.facts}
        for name in self.ignored:
            if stored.get(name) is None:
                stored.pop(name, None)
        item.values = self._as_stored(stored)
        item.action = "create"

    def _updated(
        self, item: Checked, given: dict[str, str], current: dict[str, Any]
    ) -> None:
        forms = self.forms
        form = self._edit_form
        form.process(ImmutableMultiDict(given))
        values, _, errors = parsed_inputs(forms.edit, form, self._edit_names)
        shown = {p.key for p in forms.edit.fields if p.name in self.mapped}
        shown |= {
            c for p in forms.edit.fields if p.name in self.mapped for c in p.columns
        }
        for name in list(errors.fields):
            planned = forms.edit.field(name)
            if planned is None or planned.name not in self.mapped:
                del errors.fields[name]  # not in the file: left as it is
        if errors:
            self._refused(item, errors)
            return
        values = {k: v for k, v in values.items() if k in shown}
        try:
            changes = changed_columns(forms.edit, values, current, forms.edit_hasher)
        except FormErrors as invalid:
            self._refused(item, invalid)
            return
        changes = self._as_stored(changes)
        real = {k: v for k, v in changes.items() if not _same(current.get(k), v)}
        item.key = tuple(current[name] for name in self.keys)
        item.before = current
        item.values = real
        item.action = "update" if real else "unchanged"

    def _as_stored(self, values: dict[str, Any]) -> dict[str, Any]:
        for name, with_zone in self._zones.items():
            value = values.get(name)
            if value is not None:
                values[name] = as_stored(value, with_zone)
        return values

    def _refused(self, item: Checked, errors: FormErrors) -> None:
        for name, message in errors:
            item.refuse(self.label(name) if name else None, message)

    # Across rows: references and unique values.

    def _resolve_references(
        self, session: Session, chunk: list[Checked], data: list[dict[str, str]]
    ) -> None:
        """Put the key of the row each reference names in its cell: found by
        key, else by the related row's label or unique column."""
        for reference in self.references:
            texts = {
                text
                for given in data
                if (text := given.get(reference.field, "").strip())
            }
            if not texts:
                continue
            keys = _resolved(session, reference.target, texts)
            for item, given in zip(chunk, data, strict=True):
                text = given.get(reference.field, "").strip()
                if not text:
                    continue
                key = keys.get(text)
                if key is None:
                    item.refuse(
                        self.label(reference.field),
                        gettext("No %(model)s is “%(value)s”.")
                        % {"model": _name(reference.target), "value": text[:80]},
                    )
                else:
                    given[reference.field] = key

    def _check_unique(self, session: Session, chunk: list[Checked]) -> None:
        for name in self.unique:
            fact = self.facts[name]
            asked: dict[Any, list[Checked]] = {}
            for item in chunk:
                if item.action == "refused":
                    continue
                value = _final(item, name)
                if value is None:
                    continue
                if value in self.seen[name]:
                    item.refuse(
                        self.label(name),
                        gettext("Another row of the file has this value."),
                    )
                    continue
                self.seen[name].add(value)
                if item.action == "create" or name in item.values:
                    asked.setdefault(value, []).append(item)
            if not asked:
                continue
            keys = [self.facts[k].column for k in self.keys]
            owners = {
                row[0]: tuple(row[1:])
                for row in session.execute(
                    select(fact.column, *keys).where(fact.column.in_(list(asked)))
                )
            }
            for value, items in asked.items():
                owner = owners.get(value)
                for item in items:
                    if owner is not None and owner != item.key:
                        item.refuse(
                            self.label(name),
                            gettext("A %(model)s with this value already exists.")
                            % {"model": _name(self.model)},
                        )


def _final(item: Checked, name: str) -> Any:
    if name in item.values:
        return item.values[name]
    return item.before.get(name)


def _same(old: Any, new: Any) -> bool:
    try:
        return bool(old == new)
    except Exception:  # values that cannot be compared differ
        return False


def _name(model: type[Any]) -> str:
    return verbose_name(model)


def _typed(fact: ColumnFacts, text: str) -> Any:
    """``text`` as the column's value, to match rows on; None if it is not one."""
    sql_type = fact.sql_type
    try:
        if isinstance(sql_type, Integer):
            return int(text)
        if isinstance(sql_type, Uuid):
            value = uuid.UUID(text)
            return value if sql_type.as_uuid else str(value)
    except ValueError:
        return None
    return text


def _resolved(
    session: Session, target: type[SQLModel], texts: Iterable[str]
) -> dict[str, str]:
    """``{text: key}`` for each text naming one row of ``target``: its key, or
    the value of its label column or of a unique column."""
    (key_name,) = key_columns(target)
    key_column = mapper_of(target).columns[key_name]
    found: dict[str, str] = {}
    parsed: dict[Any, str] = {}
    for text in texts:
        try:
            (value,) = parse_key(target, text)
        except (BadKey, ValueError, TypeError):
            continue
        parsed[value] = text
    if parsed:
        for (value,) in session.execute(
            select(key_column).where(key_column.in_(list(parsed)))
        ):
            found[parsed[value]] = format_key((value,))
    rest = [text for text in texts if text not in found]
    names = [labelled_by_column(target), *unique_columns(target)]
    for name in dict.fromkeys(n for n in names if n and n != key_name):
        if not rest:
            break
        column = mapper_of(target).columns[name]
        if not hasattr(column.type, "length"):
            continue  # text columns only: a label is text
        counts: dict[str, list[Any]] = {}
        for key, value in session.execute(
            select(key_column, column).where(column.in_(rest))
        ):
            counts.setdefault(str(value), []).append(key)
        for text, keys in counts.items():
            if len(keys) == 1 and text not in found:
                found[text] = format_key((keys[0],))
        rest = [text for text in rest if text not in found]
    return found
