"""Restoring a deleted row from its history page.

A row deleted for good is inserted again with its key and the values its
``delete`` (or ``cascade_delete``) entry recorded, validated like a create (by
the model, then what its columns can store), and, when asked, with the rows
deleted with it in the same action (the entries whose ``cause_id`` is its
entry) and the references that delete emptied, put back where they are still
empty. A row in the trash (:mod:`admin_app.deletion.soft`) gets its stamp
cleared. Either is one transaction, audited ``restore`` (each entry's
``cause_id`` the entry it undoes), or nothing is written: a key or unique
value taken since, a foreign key to a row that is gone, a required field the
trail hides, each is a message naming it.
"""

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqladmin import ModelView
from sqladmin.authorization import Action
from sqladmin.i18n import gettext
from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    exists,
    func,
    select,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapper, Session, aliased
from sqlmodel import col
from starlette import status
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from admin_app.audit.companions import (
    RESTORE,
    WITH_IT,
    Resolver,
    Restored,
    flush_or_refuse,
    record_all,
    resolver,
    restore_with_it,
)
from admin_app.audit.entries import (
    Actor,
    AuditEntry,
    actor_of,
    changed_values,
    record,
    secret_columns,
    values_of,
)
from admin_app.audit.revival import (
    Shape,
    Unrestorable,
    conflicts,
    recorded_values,
)
from admin_app.db import run_in_session
from admin_app.forms.planning import plans_forms
from admin_app.forms.validation import storage_errors, validate_table_row
from admin_app.keys import row_clauses
from admin_app.labels import row_label

if TYPE_CHECKING:
    from admin_app.site import AdminSite

logger = logging.getLogger(__name__)

# Entries of a row that is gone, which a restore inserts again.
DELETED = ("delete", "cascade_delete")
SOFT_DELETE = "soft_delete"


@dataclass(frozen=True)
class Offer:
    """What a row's history page offers to restore."""

    entry_id: int | None  # the entry restored from (None: a trashed row's stamp)
    trashed: bool
    with_it: int = 0  # rows deleted or unlinked with it, restorable on request


def deleted_rows(not_restored: bool) -> ColumnElement[bool]:
    """The trail's entries of rows deleted (or moved to the trash), and, when
    ``not_restored``, only those no ``restore`` entry undid since."""
    deleted = col(AuditEntry.action).in_((*DELETED, SOFT_DELETE))
    if not not_restored:
        return deleted
    undo = aliased(AuditEntry)
    undone = exists().where(
        col(undo.action) == RESTORE, col(undo.cause_id) == col(AuditEntry.id)
    )
    return and_(deleted, ~undone)


def offer(session: Session, view: ModelView, pk: str, row: Any) -> Offer | None:
    """What the history page of ``view``'s row ``pk`` (``row``, None when gone)
    may restore: its latest deletion, or its trash stamp; None for nothing."""
    if row is not None:
        in_trash = getattr(view, "in_trash", None)
        if callable(in_trash) and in_trash(row):
            return Offer(_latest(session, view, pk, (SOFT_DELETE,)), trashed=True)
        return None
    latest = _latest(session, view, pk, DELETED)
    if latest is None:
        return None
    with_it = session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(col(AuditEntry.cause_id) == latest, col(AuditEntry.action).in_(WITH_IT))
    )
    return Offer(latest, trashed=False, with_it=int(with_it or 0))


def _latest(
    session: Session, view: ModelView, pk: str, actions: Sequence[str]
) -> int | None:
    return session.scalar(
        select(func.max(AuditEntry.id)).where(
            col(AuditEntry.model) == view.identity,
            col(AuditEntry.pk) == pk,
            col(AuditEntry.action).in_(actions),
        )
    )


async def restore(
    site: "AdminSite", request: Request, view: ModelView, pk: str, form: FormData
) -> Restored:
    """Restore ``view``'s row ``pk`` as the history page's form asks; raises
    :class:`Unrestorable` (nothing written) or 403."""
    if not view.can_create or not await view.check_can_create(request):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    actor = actor_of(request, site)
    views = {v.identity: v for v in site.views if isinstance(v, ModelView)}
    trashed = getattr(view, "soft_delete_column", None)
    if form.get("trash") and trashed:
        work: Callable[[Session], Restored] = partial(
            _untrash, view=view, pk=pk, column=str(trashed), actor=actor
        )
        return await run_in_session(view.session_maker, work)
    try:
        entry_id = int(str(form.get("restore", "")))
    except ValueError:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, "No entry to restore."
        ) from None
    with_it = form.get("with_it") == "1"
    if with_it:
        await _check_with_it(request, view, views, entry_id)
    work = partial(
        _reinsert,
        view=view,
        pk=pk,
        entry_id=entry_id,
        with_it=with_it,
        resolve=resolver(view, views),
        actor=actor,
    )
    return await run_in_session(view.session_maker, work)


async def _check_with_it(
    request: Request, view: ModelView, views: dict[str, ModelView], entry_id: int
) -> None:
    """Refuse restoring rows with it into a model the user may not add to, or
    putting back references in rows of a model they may not change."""

    def models(session: Session) -> list[tuple[str, str]]:
        found = session.execute(
            select(col(AuditEntry.action), col(AuditEntry.model))
            .where(col(AuditEntry.cause_id) == entry_id)
            .where(col(AuditEntry.action).in_(WITH_IT))
            .distinct()
        )
        return [(action, name) for action, name in found if name]

    for action, name in await run_in_session(view.session_maker, models):
        other = views.get(name)
        if other is None:
            continue
        if action == "unlink":
            if other.can_edit and other.has_permission(request, Action.EDIT):
                continue
            message = gettext(
                "Not restored: you may not change %(rows)s, so the references "
                "its delete emptied cannot be put back."
            )
        elif other is view or (
            other.can_create and await other.check_can_create(request)
        ):
            continue
        else:
            message = gettext(
                "Not restored: you may not add %(rows)s, so the rows deleted "
                "with it cannot be restored."
            )
        raise Unrestorable(message % {"rows": other.name_plural.lower()})


def _reinsert(
    session: Session,
    *,
    view: ModelView,
    pk: str,
    entry_id: int,
    with_it: bool,
    resolve: Resolver,
    actor: Actor,
) -> Restored:
    with _one_transaction(session):
        return _reinserted(session, view, pk, entry_id, with_it, resolve, actor)


@contextmanager
def _one_transaction(session: Session) -> Iterator[None]:
    """Commit what the block wrote, or none of it: a database refusal is a
    message (logged), anything else goes on up."""
    try:
        yield
        session.commit()
    except SQLAlchemyError:
        session.rollback()
        logger.warning("The database refused a restore", exc_info=True)
        raise Unrestorable(
            gettext("The database could not restore it right now; please try again.")
        ) from None
    except BaseException:
        session.rollback()
        raise


def _reinserted(
    session: Session,
    view: ModelView,
    pk: str,
    entry_id: int,
    with_it: bool,
    resolve: Resolver,
    actor: Actor,
) -> Restored:
    model = view.model
    name = str(view.name).lower()
    entry = session.get(AuditEntry, entry_id)
    if entry is None or entry.model != view.identity or entry.pk != pk:
        raise Unrestorable(gettext("That history entry is not one of this row's."))
    if entry.action not in DELETED or not entry.changes:
        raise Unrestorable(gettext("Only a deleted row can be restored."))
    if _latest(session, view, pk, DELETED) != entry.id:
        raise Unrestorable(
            gettext("Only the latest deletion of a row can be restored.")
        )
    if session.scalars(select(model).where(*row_clauses(model, pk))).first():
        raise Unrestorable(
            gettext("Not restored: this %(name)s exists again.") % {"name": name}
        )
    own: Mapper[Any] = sa_inspect(model)
    table = own.local_table
    assert isinstance(table, Table)
    shape = Shape.of(table, model)
    values, hidden = recorded_values(shape, entry.changes, secret_columns(model))
    what = f"{name} #{pk}"
    problem = conflicts(session, shape, [values], lambda _: what)
    if problem:
        raise Unrestorable(problem)
    try:
        row = validate_table_row(model, values)
    except ValidationError as exc:
        messages = "; ".join(str(error["msg"]) for error in exc.errors())
        raise Unrestorable(
            gettext("Not restored: the recorded values are no longer valid: %(why)s")
            % {"why": messages}
        ) from None
    if plans_forms(view):
        errors = storage_errors(view.form_plan("create"), values_of(row))
        if errors:
            raise Unrestorable(gettext("Not restored: %(why)s") % {"why": str(errors)})
    done = Restored(f"{name} “{row_label(row)}”", hidden=hidden)
    session.add(row)
    flush_or_refuse(session, model, values)
    _record(session, actor, entry, values_of(row), model)
    if with_it:
        restore_with_it(session, entry, resolve, actor, done)
    return done


def _record(
    session: Session,
    actor: Actor,
    undone: AuditEntry,
    values: dict[str, Any],
    model: type | None,
    before: dict[str, Any] | None = None,
) -> None:
    record_all(session, actor, [(undone, values, before)], model)


def _untrash(
    session: Session, *, view: ModelView, pk: str, column: str, actor: Actor
) -> Restored:
    """Clear the trash stamp of ``view``'s row ``pk`` (locked first)."""
    model = view.model
    name = str(view.name).lower()
    with _one_transaction(session):
        row = session.scalars(
            select(model).where(*row_clauses(model, pk)).with_for_update()
        ).first()
        if row is None:
            raise Unrestorable(
                gettext("This %(name)s no longer exists.") % {"name": name}
            )
        stamp = getattr(row, column)
        if stamp is None:
            raise Unrestorable(
                gettext("This %(name)s is not in the trash.") % {"name": name}
            )
        setattr(row, column, None)
        session.flush()
        record(
            session,
            RESTORE,
            user=actor.user,
            model=view.identity,
            pk=pk,
            changes=changed_values({column: stamp}, {column: None}),
            remote_addr=actor.remote_addr,
            cause_id=_latest(session, view, pk, (SOFT_DELETE,)),
        )
    return Restored(f"{name} “{row_label(row)}”")
