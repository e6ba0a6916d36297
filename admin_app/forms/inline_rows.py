"""Posted inline rows: read, validated by the child's own model, then written
with the parent, in its transaction: created, changed and deleted children,
each audited, each checked against the snapshot its row was drawn with.

Validation reuses the child view's planning and :mod:`admin_app.forms.validation`
(``new_row``, ``changed_columns``); a child's errors stay on its row. A new
child of a parent not yet saved is validated with a stand-in for the
parent's key, then given the real one once the parent is flushed.
"""

import enum
import hmac
import logging
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqladmin.i18n import gettext
from sqlalchemy import and_, or_
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session
from sqlmodel import SQLModel
from starlette.datastructures import FormData
from starlette.requests import Request

from admin_app.audit.entries import Trail, trail_for, values_of
from admin_app.db import run_in_session
from admin_app.display import readable
from admin_app.forms.concurrency import Change, Snapshots
from admin_app.forms.errors import FormErrors
from admin_app.forms.inlines import (
    DELETE,
    DIGEST_LENGTH,
    MAX_POSTED,
    ROW,
    InlineRow,
    InlineSet,
    children_statement,
    gone_message,
    parent_columns,
    parent_key,
    untouched,
)
from admin_app.forms.integrity import explain_database_error, explain_refused_value
from admin_app.forms.planning import FormPlan, Mode
from admin_app.forms.validation import (
    changed_columns,
    missing_fields,
    new_row,
    submitted,
    unchanged_inputs,
)
from admin_app.inspection import mapper_of
from admin_app.keys import BadKey, format_key, key_clauses
from admin_app.labels import row_label
from admin_app.moments import shown_unchanged

logger = logging.getLogger("admin_app")


def posted_rows(inline_set: InlineSet, data: FormData, existing: bool) -> FormErrors:
    """Fill ``inline_set.rows`` with the posted rows; errors about the POST.
    Keys posted to a create form are ignored: there are no children yet."""
    errors = FormErrors()
    try:
        total = int(str(data.get(inline_set.total_name) or 0))
    except ValueError:
        total = 0
    if not 0 <= total <= MAX_POSTED:
        message = gettext("Too many rows in %(name)s.") % {"name": inline_set.title}
        errors.add(None, message)
        total = 0
    for index in range(total):
        prefix = inline_set.prefix(index)
        stored = data.get(prefix + ROW)
        stored = stored if isinstance(stored, str) and existing else ""
        key = stored[DIGEST_LENGTH:] or None
        mode: Mode = "edit" if key is not None else "create"
        inline_set.rows.append(
            InlineRow(
                inline_set.forms[mode](data, prefix=prefix),
                prefix,
                key=key,
                snapshot=stored[:DIGEST_LENGTH],
                delete=bool(data.get(prefix + DELETE)) and key is not None,
            )
        )
    return errors


@dataclass
class Work:
    """What a valid POST writes for one inline."""

    inline_set: InlineSet
    creates: list[tuple[InlineRow, SQLModel]] = field(default_factory=list)
    updates: list[tuple[InlineRow, dict[str, Any]]] = field(default_factory=list)
    deletes: list[InlineRow] = field(default_factory=list)
    # Every posted existing row, changed or not: each is concurrency-checked.
    checked: list[InlineRow] = field(default_factory=list)


def load_current(
    session: Session,
    inline_set: InlineSet,
    parent_key: Mapping[str, Any],
    keys: Collection[str],
    lock: bool = False,
) -> dict[str, SQLModel]:
    """The parent's children named by ``keys`` (others' children are not)."""
    child = inline_set.relation.mapper.class_
    matches = []
    for key in dict.fromkeys(keys):
        try:
            matches.append(and_(*key_clauses(child, key)))
        except BadKey:
            continue
    if not matches:
        return {}
    stmt = children_statement(inline_set, parent_key).where(or_(*matches))
    if lock:
        stmt = stmt.with_for_update()
    return {format_key(row): row for row in session.scalars(stmt)}


def stand_in(inline_set: InlineSet) -> dict[str, Any]:
    """Values for the child's key to a parent not yet saved, only to validate."""
    values: dict[str, Any] = {}
    child = mapper_of(inline_set.relation.mapper.class_)
    for _, name in parent_columns(inline_set.relation):
        kind = getattr(child.columns[name].type, "python_type", None)
        samples: dict[Any, Any] = {int: 0, str: "", uuid.UUID: uuid.UUID(int=0)}
        values[name] = samples.get(kind)
    return values


def validate(
    inline_set: InlineSet,
    parent_key: Mapping[str, Any] | None,
    current: Mapping[str, SQLModel],
    data: FormData,
) -> tuple[Work, bool]:
    """Each posted row validated by the child's model; (the work, whether
    every row is valid). Errors go onto the rows' forms."""
    work = Work(inline_set)
    fixed = (
        {c: parent_key[p] for p, c in parent_columns(inline_set.relation)}
        if parent_key is not None
        else stand_in(inline_set)
    )
    blank = inline_set.blank()
    valid = True
    for row in inline_set.rows:
        if row.key is not None:
            work.checked.append(row)
            if row.key not in current:
                continue  # gone: the save's check answers 409
        if row.delete:
            work.deletes.append(row)
            continue
        if row.key is None and untouched(row.form, blank):
            continue
        try:
            if row.key is None:
                work.creates.append((row, _new_child(inline_set, row, fixed, data)))
            else:
                changes = _changes(inline_set, row, current[row.key], data)
                if changes:
                    work.updates.append((row, changes))
        except FormErrors as errors:
            show_errors(inline_set.plans["edit" if row.key else "create"], row, errors)
            valid = False
    return work, valid


def _row_errors(plan: FormPlan, row: InlineRow, data: FormData) -> FormErrors:
    """WTForms' parsing errors and inputs missing from the POST."""
    row.form.validate()
    posted = {
        name.removeprefix(row.prefix) for name in data if name.startswith(row.prefix)
    }
    errors = missing_fields(plan, row.form, posted)
    for name, f in row.form._fields.items():
        for message in f.errors if name not in errors.fields else ():
            errors.add(name, message)
    return errors


def _new_child(
    inline_set: InlineSet, row: InlineRow, fixed: Mapping[str, Any], data: FormData
) -> SQLModel:
    plan = inline_set.plans["create"]
    errors = _row_errors(plan, row, data)
    values, _, empty = submitted(plan, row.form, skip=set(errors.fields))
    errors.merge(empty)
    if errors:
        raise errors
    return new_row(plan, {**values, **fixed}, inline_set.view.password_hasher(plan))


def _changes(
    inline_set: InlineSet, row: InlineRow, child: SQLModel, data: FormData
) -> dict[str, Any]:
    plan = inline_set.plans["edit"]
    errors = _row_errors(plan, row, data)
    values, _, empty = submitted(plan, row.form, skip=set(errors.fields))
    errors.merge(empty)
    if errors:
        raise errors
    current = values_of(child)
    shown = inline_set.forms["edit"](data=_shown_data(plan, child), prefix=row.prefix)
    unchanged = unchanged_inputs(plan, row.form, shown)
    values.update(
        (name, current[name])
        for name, value in values.items()
        if name in current and shown_unchanged(value, current[name])
    )
    hasher = inline_set.view.password_hasher(plan)
    changes = changed_columns(plan, values, current, hasher, unchanged)
    return {k: v for k, v in changes.items() if current.get(k) != v}


def _shown_data(plan: FormPlan, child: SQLModel) -> dict[str, Any]:
    return {f.name: getattr(child, f.key, None) for f in plan.fields}


def show_errors(plan: FormPlan, row: InlineRow, errors: FormErrors) -> None:
    """Each message next to its input on the row, or above the row."""
    for name, message in errors:
        planned = plan.field_for_key(name) if name else None
        if planned is not None and planned.name in row.form._fields:
            field_errors = row.form[planned.name].errors
            if isinstance(field_errors, tuple):
                field_errors = row.form[planned.name].errors = list(field_errors)
            if message not in field_errors:
                field_errors.append(message)
        elif message not in row.errors:
            row.errors.append(message)


def invalid_rows() -> FormErrors:
    return FormErrors(row=[gettext("Please correct the errors in the rows below.")])


@dataclass
class Children:
    """The children a parent's save writes, in the parent's transaction."""

    works: list[Work]
    snapshots: Snapshots
    trails: dict[str, Trail]
    # Errors of the rows (each on its row) and of the POST, for the form's top.
    errors: FormErrors = field(default_factory=FormErrors)
    _locked: dict[str, dict[str, SQLModel]] = field(default_factory=dict)

    def check(self, session: Session, parent: SQLModel) -> list[Change]:
        """Lock the posted children; what changed since their rows were drawn."""
        changes: list[Change] = []
        for work in self.works:
            inline_set = work.inline_set
            keys = [row.key for row in work.checked if row.key]
            key = parent_key(inline_set, parent)
            rows = load_current(session, inline_set, key, keys, lock=True)
            self._locked[inline_set.name] = rows
            for row in work.checked:
                changes += self._stale(inline_set, row, rows.get(str(row.key)))
        return changes

    def _stale(
        self, inline_set: InlineSet, row: InlineRow, child: SQLModel | None
    ) -> list[Change]:
        name = f"{inline_set.view.name} {row.key}"
        if child is None:
            # Drawn again as a new row: saving again adds it back.
            row.errors.append(gone_message())
            row.key, row.snapshot, row.delete = None, "", False
            return [Change(row.prefix, name, gettext("(there)"), gettext("(deleted)"))]
        digest = self.snapshots.digest(child)
        if hmac.compare_digest(digest, row.snapshot):
            return []
        # Drawn again with the child as it is now: saving again overwrites.
        row.snapshot = digest
        now = ", ".join(
            f"{f.label}: {_shown(getattr(child, f.key, None))}"
            for f in inline_set.plans["edit"].fields
        )
        # The digest says that it changed, not from what: its values now.
        title = f"{inline_set.view.name} {row_label(child)}"
        return [Change(row.prefix, title, "", now)]

    def write(self, session: Session, parent: SQLModel) -> None:
        """Delete, change, then add children, each flushed alone (what the
        database refuses goes on its row); then their audit entries, together."""
        entries: list[tuple[Trail, str, SQLModel, Any, Any]] = []
        for work in self.works:
            inline_set = work.inline_set
            trail = self.trails[inline_set.name]
            key = parent_key(inline_set, parent)
            rows = self._locked.get(inline_set.name, {})
            for row in work.deletes:
                child = rows[str(row.key)]
                before = values_of(child)
                session.delete(child)
                _flush(session, inline_set, row, before, "edit")
                entries.append((trail, "delete", child, before, None))
            for row, changes in work.updates:
                child = rows[str(row.key)]
                before = values_of(child)
                for name, value in changes.items():
                    setattr(child, name, value)
                after = values_of(child)
                _flush(session, inline_set, row, after, "edit")
                entries.append((trail, "update", child, before, after))
            for row, child in work.creates:
                for p, c in parent_columns(inline_set.relation):
                    setattr(child, c, key[p])
                session.add(child)
                _flush(session, inline_set, row, values_of(child), "create")
                entries.append((trail, "create", child, None, values_of(child)))
        for trail, action, child, before, after in entries:
            trail.record(session, action, child, before, after)


async def posted_children(
    sets: list[InlineSet],
    data: FormData,
    parent: SQLModel | None,
    snapshots: Snapshots,
    request: Request,
) -> Children:
    """The posted rows of every inline, read and validated (in a worker
    thread: validating may hash), errors on their rows."""
    trails = {s.name: trail_for(request, s.view) for s in sets}
    errors = FormErrors()
    for inline_set in sets:
        errors.merge(posted_rows(inline_set, data, existing=parent is not None))
    if not sets:
        return Children([], snapshots, trails, errors)
    session_maker = sets[0].view.session_maker

    def work(session: Session) -> list[Work]:
        works = []
        for inline_set in sets:
            key = None if parent is None else parent_key(inline_set, parent)
            keys = [row.key for row in inline_set.rows if row.key]
            current = (
                {} if key is None else load_current(session, inline_set, key, keys)
            )
            done, valid = validate(inline_set, key, current, data)
            if not valid:
                errors.merge(invalid_rows())
            works.append(done)
        session.expunge_all()
        return works

    works = await run_in_session(session_maker, work)
    return Children(works, snapshots, trails, errors)


def _flush(
    session: Session,
    inline_set: InlineSet,
    row: InlineRow,
    values: Mapping[str, Any],
    mode: str,
) -> None:
    """Flush one child; what the database refuses goes on its row, after a
    rollback of the whole save."""
    model = inline_set.relation.mapper.class_
    plan = inline_set.plans["edit" if mode == "edit" else "create"]
    try:
        session.flush()
    except DBAPIError as exc:
        session.rollback()
        logger.info("%s not saved: %s", model.__name__, exc.orig)
        show_errors(plan, row, explain_database_error(exc, model, values, session))
        raise invalid_rows() from None
    except (StatementError, ValueError) as exc:
        dialect = session.get_bind().dialect
        session.rollback()
        logger.info("%s not saved: %r", model.__name__, exc)
        show_errors(plan, row, explain_refused_value(model, values, dialect))
        raise invalid_rows() from None


def _shown(value: Any) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    return "" if value is None else str(readable(value))
