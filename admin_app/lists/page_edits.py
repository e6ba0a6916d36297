"""What an editable list's page posts back, and saving it: one transaction
for the page, each changed row locked, checked against its snapshot,
validated as its edit form validates it, written and audited; or nothing.

Each editable row of a page posts one hidden state, in page order, and its
inputs prefixed ``rows-<n>-`` (see :mod:`admin_app.lists.editable`, which
draws them).
"""

import json
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio.from_thread
from sqladmin.i18n import gettext
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session
from sqlalchemy.util.concurrency import await_, in_greenlet
from sqlmodel import SQLModel
from starlette import status
from starlette.datastructures import MultiDict
from starlette.exceptions import HTTPException
from wtforms import BooleanField, Form
from wtforms.fields import SelectFieldBase

from admin_app.audit.entries import Trail, values_of
from admin_app.forms.concurrency import Change, Snapshots, StaleEdit, version_column
from admin_app.forms.errors import FormErrors
from admin_app.forms.integrity import explain_database_error, explain_refused_value
from admin_app.forms.planning import FormPlan, PlannedField
from admin_app.forms.validation import (
    changed_columns,
    parsed_inputs,
    unchanged_inputs,
)
from admin_app.inspection import mapper_of
from admin_app.keys import RowNotFound, format_key, row_clauses
from admin_app.labels import row_label
from admin_app.moments import shown_unchanged

# One hidden input per editable row, in page order: {"k": key, "s": snapshot,
# "v": {field: [values as drawn]}}; row n's inputs are prefixed "rows-n-".
STATE = "_rows"


@dataclass
class RowEdit:
    """One posted row: its state as drawn, its inputs as posted, and what
    saving made of them."""

    key: str
    token: str
    shown: dict[str, list[str]]
    posted: dict[str, list[str]]
    errors: FormErrors = field(default_factory=FormErrors)
    # The fields whose inputs the POST holds (a clear checkbox sends none).
    present: set[str] = field(default_factory=set)
    stale: list[Change] | None = None
    fresh_token: str = ""
    label: str = ""

    @property
    def touched(self) -> set[str]:
        """The fields whose inputs came back other than drawn."""
        return {
            name
            for name, values in self.posted.items()
            if _plain(values) != _plain(self.shown.get(name, []))
        }


@dataclass
class PageEdits:
    """A refused page: each posted row, and the page's status."""

    rows: list[RowEdit]
    status: int = status.HTTP_400_BAD_REQUEST


def _plain(values: Sequence[str]) -> list[str]:
    return [v.replace("\r\n", "\n") for v in values if v != ""]


def row_prefix(index: int) -> str:
    return f"rows-{index}-"


def posted_rows(plan: FormPlan, form: Any, limit: int) -> list[RowEdit]:
    """Each row a list page posted (at most ``limit``), in page order; a
    state the page did not draw is a 400."""
    states = form.getlist(STATE)
    if len(states) > limit:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, gettext("Too many rows."))
    edits: list[RowEdit] = []
    for index, text in enumerate(states):
        try:
            state = json.loads(text)
            key, token = str(state["k"]), str(state["s"])
            shown = {str(k): [str(v) for v in vs] for k, vs in state["v"].items()}
        except (TypeError, ValueError, KeyError, AttributeError):
            refused = gettext("This is not a form the list drew. Reload the page.")
            raise HTTPException(status.HTTP_400_BAD_REQUEST, refused) from None
        names = {p.name: row_prefix(index) + p.name for p in plan.fields}
        posted = {name: [str(v) for v in form.getlist(n)] for name, n in names.items()}
        present = {name for name, n in names.items() if n in form}
        edits.append(RowEdit(key, token, shown, posted, present=present))
    return edits


def posted_formdata(prefix: str, values: Mapping[str, Sequence[str]]) -> MultiDict:
    return MultiDict(
        [(prefix + name, value) for name, items in values.items() for value in items]
    )


def initial_data(plan: FormPlan, row: Any, related: bool) -> dict[str, Any]:
    """A row's values as its edit form takes them; a many-to-one as its row
    when ``related`` and already loaded (no query), else as its key."""
    data: dict[str, Any] = {}
    for planned in plan.fields:
        if planned.kind == "to_one":
            loaded = row.__dict__.get(planned.name) if related else None
            data[planned.name] = (
                loaded if loaded is not None else _to_one_key(plan.model, planned, row)
            )
        else:
            data[planned.name] = getattr(row, planned.key, None)
    return data


def _to_one_key(model: type[SQLModel], planned: PlannedField, row: Any) -> str:
    relation = mapper_of(model).relationships[planned.name]
    local = {
        remote: str(local.key) for local, remote in relation.local_remote_pairs or []
    }
    values = [getattr(row, local[key]) for key in relation.mapper.primary_key]
    return "" if any(v is None for v in values) else format_key(values)


def shown_inputs(form: Form, plan: FormPlan) -> dict[str, list[str]]:
    """What each input of ``form`` submits when left as drawn."""
    shown: dict[str, list[str]] = {}
    for planned in plan.fields:
        input_ = form[planned.name]
        data = input_.data
        if isinstance(input_, BooleanField):
            shown[planned.name] = ["y"] if data else []
        elif planned.kind == "to_one" or hasattr(input_, "loader"):
            if isinstance(data, SQLModel):
                data = format_key(data)
            shown[planned.name] = [] if data in (None, "") else [str(data)]
        elif isinstance(input_, SelectFieldBase):
            choices = [(c[0], c[2]) for c in input_.iter_choices()]
            chosen = [str(v) for v, selected in choices if selected]
            shown[planned.name] = chosen[:1] or [str(c[0]) for c in choices[:1]]
        else:
            shown[planned.name] = [str(input_._value())]
    return shown


def _call(hook: Callable[..., Coroutine[Any, Any, Any]], *args: Any) -> Any:
    """Run an async hook from the sync save, wherever the save is running."""
    if in_greenlet():
        return await_(hook(*args))
    return anyio.from_thread.run(hook, *args)


def save_rows(
    session: Session,
    *,
    plan: FormPlan,
    form_cls: type[Form],
    edits: list[RowEdit],
    snapshots: Snapshots,
    trail: Trail,
    allowed: Callable[[Any], Coroutine[Any, Any, bool]],
    before_commit: Callable[[dict[str, Any], Any], Coroutine[Any, Any, None]],
) -> list[tuple[dict[str, Any], SQLModel]] | None:
    """Check, validate and write each changed row, locked, in one transaction;
    None (rolled back, each edit holding its messages) if any row is refused."""
    model = plan.model
    matches = []
    for edit in edits:
        try:
            matches.append(and_(*row_clauses(model, edit.key)))
        except RowNotFound:
            refused = gettext("This is not a form the list drew. Reload the page.")
            raise HTTPException(status.HTTP_400_BAD_REQUEST, refused) from None
    # Locked in key order: two pages saving the same rows cannot deadlock.
    keys = mapper_of(model).primary_key
    stmt = select(model).where(or_(*matches)).order_by(*keys).with_for_update()
    rows = {format_key(row): row for row in session.scalars(stmt)}
    written: list[tuple[dict[str, Any], SQLModel]] = []
    befores: list[dict[str, Any]] = []
    for index, edit in enumerate(edits):
        row = rows.get(edit.key)
        if row is None:
            edit.errors.add(None, gettext("This row no longer exists."))
            continue
        edit.label = row_label(row)
        if not _call(allowed, row):
            raise HTTPException(status.HTTP_403_FORBIDDEN)
        try:
            snapshots.check(edit.token, row)
        except StaleEdit as stale:
            edit.stale, edit.fresh_token = stale.changes, stale.token
            continue
        changes, data = _validated(plan, form_cls, index, edit, row)
        if edit.errors or not changes:
            continue
        before = values_of(row)
        with session.no_autoflush:
            for name, value in changes.items():
                setattr(row, name, value)
            version = version_column(model)
            if version is not None and mapper_of(model).version_id_col is None:
                setattr(row, version, (getattr(row, version) or 0) + 1)
            _call(before_commit, data, row)
        if not _flushed(session, plan, edit, row):
            return None
        written.append((data, row))
        befores.append(before)
    if any(edit.errors or edit.stale is not None for edit in edits):
        session.rollback()
        return None
    if written:
        # What the database stored (types it normalises), read back at once:
        # the entries (and later reverts) compare those values.
        again = [and_(*row_clauses(model, format_key(row))) for _, row in written]
        refresh = select(model).where(or_(*again))
        session.scalars(refresh.execution_options(populate_existing=True)).all()
    for (_, row), before in zip(written, befores, strict=True):
        trail.record(session, "update", row, before, values_of(row))
    session.commit()
    return written


def _validated(
    plan: FormPlan, form_cls: type[Form], index: int, edit: RowEdit, row: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The row's changed columns, validated as its edit form validates them
    (errors into ``edit``), and the posted values for sqladmin's hooks."""
    prefix = row_prefix(index)
    form = form_cls(formdata=posted_formdata(prefix, edit.posted), prefix=prefix)
    drawn = form_cls(data=initial_data(plan, row, related=False), prefix=prefix)
    current = values_of(row)
    # An input the page drew but the POST lacks is an error, never "cleared".
    values, _picked, errors = parsed_inputs(plan, form, edit.present)
    data = dict(values)
    data.update(
        (name, current[name])
        for name, value in values.items()
        if name in current and shown_unchanged(value, current[name])
    )
    changes: dict[str, Any] = {}
    if not errors:
        try:
            # A cell left as drawn is validated but never written: not as
            # parsed back (a stored value its select does not offer) either.
            unchanged = unchanged_inputs(plan, form, drawn) | {
                column
                for planned in plan.fields
                if planned.name not in edit.touched
                for column in (planned.key, *planned.columns)
            }
            changes = changed_columns(plan, data, current, None, unchanged)
        except FormErrors as invalid:
            errors.merge(invalid)
    edit.errors.merge(errors)
    return {k: v for k, v in changes.items() if current.get(k) != v}, data


def _flushed(session: Session, plan: FormPlan, edit: RowEdit, row: Any) -> bool:
    """Flush the row; on a refusal roll back, its explanation in ``edit``."""
    values = values_of(row)
    try:
        session.flush()
    except DBAPIError as exc:
        session.rollback()
        edit.errors.merge(explain_database_error(exc, plan.model, values, session))
        return False
    except (StatementError, ValueError):
        dialect = session.get_bind().dialect
        session.rollback()
        edit.errors.merge(explain_refused_value(plan.model, values, dialect))
        return False
    return True
