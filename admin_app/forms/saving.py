"""Writing a validated form: one transaction, only the planned fields, and every
database refusal turned into form errors after a rollback.

The functions here take a sync ``Session`` and run through
:func:`admin_app.db.run_in_session`, in a worker thread or an async session's
``run_sync``; sqladmin's ``on_model_change`` hook is called from inside.
"""

import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn, Protocol

import anyio.from_thread
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import RelationshipProperty, Session
from sqlalchemy.util.concurrency import await_, in_greenlet
from sqlmodel import SQLModel

from admin_app.audit.entries import Trail, identifier_of
from admin_app.forms.concurrency import Change, Snapshots, StaleEdit, version_column
from admin_app.forms.errors import FormErrors
from admin_app.forms.integrity import (
    explain_database_error,
    explain_refused_value,
    verbose_name,
)
from admin_app.forms.planning import FormPlan
from admin_app.inspection import columns_of, mapper_of
from admin_app.keys import BadKey, RowNotFound, row_clauses
from admin_app.keys import key_clauses as _key_clauses

logger = logging.getLogger("admin_app")

AUDIT_FAILED = (
    "Not saved: the audit trail could not record the change. Please try again."
)

Hook = Callable[[SQLModel], Coroutine[Any, Any, Any]]


class Children(Protocol):
    """The parent's children a save writes with it (:mod:`.inline_rows`)."""

    def check(self, session: Session, parent: SQLModel) -> list[Change]: ...

    def write(self, session: Session, parent: SQLModel) -> None: ...


@dataclass
class Submission:
    """What a validated form writes: a new row, or an edit's changed columns."""

    plan: FormPlan
    row: SQLModel | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    picked: dict[str, list[str]] = field(default_factory=dict)
    before_commit: Hook | None = None
    # Where the save's audit entry goes (admin_app.audit.entries), written in the
    # save's own transaction; None writes none.
    trail: Trail | None = None
    # Inline children, written after the row in the same transaction.
    children: Children | None = None


def call_async(hook: Hook, row: SQLModel) -> None:
    """Run an async hook from the sync save, wherever the save is running."""
    if in_greenlet():
        await_(hook(row))
    else:
        anyio.from_thread.run(hook, row)


def insert_row(session: Session, submission: Submission) -> SQLModel:
    """Insert a validated new row; raise FormErrors when the database refuses."""
    row = submission.row
    assert row is not None
    with session.no_autoflush:
        _set_collections(session, submission.plan, row, submission.picked)
        if submission.before_commit is not None:
            call_async(submission.before_commit, row)
        session.add(row)
    _commit(session, submission, row, None, _values(row))
    return row


def update_row(
    session: Session,
    submission: Submission,
    identifier: str,
    snapshots: Snapshots,
    token: str | None,
) -> SQLModel:
    """Apply validated changes to the row the form was loaded from.

    Raises :class:`RowNotFound`, :class:`~admin_app.forms.concurrency.StaleEdit`
    when the row changed since the form was loaded, or FormErrors.
    """
    plan = submission.plan
    model = plan.model
    row = session.scalars(
        select(model).where(*row_clauses(model, identifier)).with_for_update()
    ).one_or_none()
    if row is None:
        raise RowNotFound(identifier)
    snapshots.check(token, row)
    if submission.children is not None:
        stale = submission.children.check(session, row)
        if stale:
            raise StaleEdit(stale, snapshots.token(row))
    before = _audited_values(row, submission) if submission.trail else None
    with session.no_autoflush:
        for name, value in submission.changes.items():
            setattr(row, name, value)
        version = version_column(model)
        if version is not None and mapper_of(model).version_id_col is None:
            setattr(row, version, (getattr(row, version) or 0) + 1)
        _set_collections(session, plan, row, submission.picked)
        if submission.before_commit is not None:
            call_async(submission.before_commit, row)
    _commit(session, submission, row, before, _values(row))
    return row


def _values(row: SQLModel) -> dict[str, Any]:
    return {fact.name: getattr(row, fact.name) for fact in columns_of(type(row))}


def _set_collections(
    session: Session, plan: FormPlan, row: SQLModel, picked: Mapping[str, list[str]]
) -> None:
    """Replace each shown to-many relation by the picked rows, loaded in one query
    per relation; a picked row that no longer exists is an error."""
    errors = FormErrors()
    relations = mapper_of(plan.model).relationships
    for name, identifiers in picked.items():
        relation: RelationshipProperty[Any] = relations[name]
        target = relation.mapper.class_
        found = _load_targets(session, target, identifiers)
        if len(found) != len(set(identifiers)):
            errors.add(
                name,
                f"A selected {verbose_name(target)} does not exist "
                "(it may have been deleted).",
            )
            continue
        setattr(row, name, found)
    if errors:
        raise errors


def _load_targets(
    session: Session, target: type[SQLModel], identifiers: Sequence[str]
) -> list[Any]:
    if not identifiers:
        return []
    matches = []
    for identifier in dict.fromkeys(identifiers):
        try:
            matches.append(and_(*_key_clauses(target, identifier)))
        except BadKey:
            return []
    return list(session.scalars(select(target).where(or_(*matches))).all())


def _audited_values(row: SQLModel, submission: Submission) -> dict[str, Any]:
    """The row's columns and its picked collections (as sorted identifiers),
    as the audit trail compares them."""
    values = _values(row)
    for name in submission.picked:
        values[name] = sorted(identifier_of(item) for item in getattr(row, name))
    return values


def _commit(
    session: Session,
    submission: Submission,
    row: SQLModel,
    before: dict[str, Any] | None,
    values: Mapping[str, Any],
) -> None:
    """Write the row and its audit entry, then commit; or roll back and explain
    what the database refused, or that the entry could not be written."""
    plan = submission.plan
    try:
        session.flush()
    except DBAPIError as exc:
        _refused(session, plan, values, exc)
    except (StatementError, ValueError) as exc:
        _value_refused(session, plan, values, exc)
    if submission.children is not None:
        submission.children.write(session, row)
    if submission.trail is not None:
        try:
            # Read back what the database stored (server defaults, types it
            # normalises): the entry and later reverts compare those values.
            session.expire(row, [fact.name for fact in columns_of(plan.model)])
            after = _audited_values(row, submission)
            action = "create" if before is None else "update"
            submission.trail.record(session, action, row, before, after)
            session.flush()
        except Exception:
            session.rollback()
            logger.exception("The audit trail could not record a save")
            raise FormErrors(row=[AUDIT_FAILED]) from None
    try:
        session.commit()
    except DBAPIError as exc:
        _refused(session, plan, values, exc)


def _value_refused(
    session: Session, plan: FormPlan, values: Mapping[str, Any], exc: Exception
) -> NoReturn:
    """A value the database layer would not even send (its column type, or a
    hook at flush, raised): a form error, and the session usable again."""
    dialect = session.get_bind().dialect
    session.rollback()
    logger.info("%s not saved: %r", plan.model.__name__, exc)
    raise explain_refused_value(plan.model, values, dialect) from None


def _refused(
    session: Session, plan: FormPlan, values: Mapping[str, Any], exc: DBAPIError
) -> NoReturn:
    session.rollback()
    # The page says what to fix; the log keeps what the database said.
    logger.info("%s not saved: %s", plan.model.__name__, exc.orig)
    raise explain_database_error(exc, plan.model, values, session) from None
