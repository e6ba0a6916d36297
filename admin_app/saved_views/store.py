"""Reading and writing saved views.

A page needs the user's saved views (the sidebar, the palette, opening one):
they are read with the user, in the sign-in's own session and round trip
(:func:`read_visible`, registered on the login backend's ``also_read``), at
most :data:`READ_LIMIT` of them, and nothing more for a user who has none.
Each write is one transaction with its audit entry."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqladmin.i18n import gettext
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import col
from starlette.requests import Request

from admin_app.audit import entries as audit
from admin_app.forms.diagnosis import Problem, diagnose
from admin_app.saved_views.models import (
    NAME_LENGTH,
    SHARED_INDEX,
    SHARED_NAME,
    SavedView,
    utc_now,
)

# The name the views are read under (``request.state.admin_also_read``).
STATE_KEY = "saved_views"
# Views a page reads at most: the user's own and the shared ones, by model
# and name. A view beyond it still opens by its link.
READ_LIMIT = 200
# The audit trail's name for the table (as a view identity would be).
AUDIT_MODEL = "saved-view"


@dataclass(frozen=True)
class Saved:
    """A saved view as pages use it, detached from any session."""

    id: int
    model: str
    name: str
    owner_id: int
    shared: bool
    query: str


class NameRefused(ValueError):
    """A name the view cannot have; ``args[0]`` says why."""


def read_visible(session: Session, user: Any) -> list[Saved]:
    """The views ``user`` may open: their own and the shared ones (of every
    model: the page drops those of models the user may not see)."""
    stmt = (
        select(
            col(SavedView.id),
            col(SavedView.model),
            col(SavedView.name),
            col(SavedView.owner_id),
            col(SavedView.shared),
            col(SavedView.query),
        )
        .where(or_(col(SavedView.owner_id) == user.id, col(SavedView.shared)))
        .order_by(col(SavedView.model), col(SavedView.name), col(SavedView.id))
        .limit(READ_LIMIT)
    )
    return [
        Saved(int(id_ or 0), model, name, owner, shared, query)
        for id_, model, name, owner, shared, query in session.execute(stmt)
    ]


def read_one(session: Session, user_id: int, view_id: int) -> Saved | None:
    """One view ``user_id`` may open, read by its key (beyond the limit)."""
    row = session.get(SavedView, view_id)
    if row is None or not (row.shared or row.owner_id == user_id):
        return None
    assert row.id is not None
    return Saved(row.id, row.model, row.name, row.owner_id, row.shared, row.query)


def preloaded(request: Request) -> list[Saved]:
    """The views read with the user for this request (none when signed out)."""
    also = getattr(request.state, "admin_also_read", None)
    found = also.get(STATE_KEY) if isinstance(also, dict) else None
    return found if isinstance(found, list) else []


def clean_name(value: object) -> str:
    """A view's name as typed, trimmed; :class:`NameRefused` for none, one too
    long, or one holding control characters."""
    name = " ".join(value.split()) if isinstance(value, str) else ""
    if not name:
        raise NameRefused(gettext("Give the view a name."))
    if len(name) > NAME_LENGTH:
        raise NameRefused(
            gettext("A name has at most %(count)d characters.") % {"count": NAME_LENGTH}
        )
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        raise NameRefused(gettext("A name cannot hold control characters."))
    return name


def _taken(
    session: Session, model: str, owner_id: int, name: str, shared: bool, but: Any
) -> str:
    """Why ``name`` is taken for a view of ``model`` ("" when it is free)."""
    same = select(col(SavedView.id)).where(
        col(SavedView.model) == model, col(SavedView.name) == name
    )
    if but is not None:
        same = same.where(col(SavedView.id) != but)
    if session.scalars(same.where(col(SavedView.owner_id) == owner_id)).first():
        return _own_taken(name)
    if shared and session.scalars(same.where(col(SavedView.shared))).first():
        return _shared_taken(name)
    return ""


def _own_taken(name: str) -> str:
    return gettext("You have a view of this list called “%(name)s” already.") % {
        "name": name
    }


def _shared_taken(name: str) -> str:
    return gettext("A shared view of this list is called “%(name)s” already.") % {
        "name": name
    }


def _values(row: SavedView) -> dict[str, Any]:
    return {
        "model": row.model,
        "name": row.name,
        "owner_id": row.owner_id,
        "shared": row.shared,
        "query": row.query,
    }


@contextmanager
def _saving(session: Session, name: str) -> Iterator[None]:
    """Write and commit; a name taken meanwhile (another admin's save between
    :func:`_taken` and this one's insert: a unique index refused it) is the
    same :class:`NameRefused` the check gives, the index read from the
    database's error (SQLite names the columns of a partial index)."""
    try:
        yield
        session.commit()
    except IntegrityError as error:
        session.rollback()
        found = diagnose(error)
        if found.problem is not Problem.UNIQUE:
            raise
        if found.constraint == SHARED_INDEX or set(found.columns) in (
            {"model", "name"},
            {"model", SHARED_NAME},
        ):
            raise NameRefused(_shared_taken(name)) from None
        raise NameRefused(_own_taken(name)) from None


def create(
    session: Session,
    actor: audit.Actor,
    *,
    model: str,
    name: str,
    query: str,
    shared: bool,
) -> int:
    """Save a new view; its key. :class:`NameRefused` for a name taken."""
    user_id = actor.user.id
    why = _taken(session, model, user_id, name, shared, None)
    if why:
        raise NameRefused(why)
    row = SavedView(
        model=model, name=name, owner_id=user_id, shared=shared, query=query
    )
    with _saving(session, name):
        session.add(row)
        session.flush()
        _record(session, actor, "view:save", row, None, _values(row))
    assert row.id is not None
    return row.id


def change(
    session: Session,
    actor: audit.Actor,
    view_id: int,
    *,
    name: str | None = None,
    shared: bool | None = None,
) -> bool:
    """Rename or (un)share a view; False when it is gone."""
    row = session.get(SavedView, view_id, with_for_update=True)
    if row is None:
        return False
    before = _values(row)
    name = row.name if name is None else name
    shared = row.shared if shared is None else shared
    why = _taken(session, row.model, row.owner_id, name, shared, row.id)
    if why:
        raise NameRefused(why)
    action = "view:rename" if name != row.name else "view:share"
    if shared != row.shared and not shared:
        action = "view:unshare"
    row.name, row.shared, row.updated_at = name, shared, utc_now()
    if before == _values(row):
        return True
    with _saving(session, name):
        session.flush()
        _record(session, actor, action, row, before, _values(row))
    return True


def delete(session: Session, actor: audit.Actor, view_id: int) -> bool:
    """Delete a view; False when it is gone already."""
    row = session.get(SavedView, view_id, with_for_update=True)
    if row is None:
        return False
    _record(session, actor, "view:delete", row, _values(row), None)
    session.delete(row)
    session.commit()
    return True


def _record(
    session: Session,
    actor: audit.Actor,
    action: str,
    row: SavedView,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    audit.record(
        session,
        action,
        user=actor.user,
        model=AUDIT_MODEL,
        pk=str(row.id),
        changes=audit.changed_values(before, after),
        remote_addr=actor.remote_addr,
    )
