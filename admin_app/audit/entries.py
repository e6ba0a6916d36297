"""The audit trail: who changed what, when, from what to what.

Entries are written in the same transaction as the change they record: if the
change rolls back, so does its entry; if the entry cannot be written, the
change does not happen.

Where entries come from:

* create and edit pages of inferred views: :mod:`admin_app.forms.saving`, given a
  :class:`Trail` by :mod:`admin_app.forms.editing`;
* deletes (one row or several, the list's bulk delete included): one entry per
  row that goes, cascaded and link rows too, and one per row a delete unlinks
  (:func:`record_deletion`, called by :mod:`admin_app.deletion.routes`);
* reverts: :mod:`admin_app.audit.history`;
* logins, logouts and failed logins: :mod:`admin_app.auth`, through :func:`record`;
* everything sqladmin writes itself (declared plain ``ModelView`` create and edit
  pages, CSV import) and custom actions: :func:`audited`, which records what the
  ORM flushes inside it, or :func:`record_action` for a custom action that
  writes with SQL statements.

sqladmin's own ``audit_backend`` hook is not used: it runs after the commit, in
a transaction of its own, and could neither undo a change nor be undone by one.
"""

from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from sqladmin.helpers import slugify_class_name
from sqladmin.i18n import gettext
from sqlalchemy import JSON, Table, event, insert
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper, Session
from sqlmodel import Field, SQLModel
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from admin_app.inspection import columns_of, is_sensitive_name
from admin_app.keys import format_key
from admin_app.schemas import password_column

if TYPE_CHECKING:
    from sqladmin import ModelView

    from admin_app.deletion.plans import Plan


def utc_now() -> datetime:
    return datetime.now(UTC)


class AuditEntry(SQLModel, table=True):
    """One recorded action. Read-only in the admin."""

    __tablename__ = "admin_app_audit"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utc_now, index=True)
    # No foreign key: the trail outlives the users it names.
    user_id: int | None = Field(default=None, index=True)
    username: str = Field(default="", max_length=150)
    # create, update, delete, cascade_delete (went with a deleted row), unlink
    # (a deleted row's reference emptied), soft_delete (moved to the trash),
    # restore, action:<name>, import, revert, login, logout, login_failed
    action: str = Field(max_length=60, index=True)
    # The view's identity (as in URLs); the table's class or name without one.
    model: str | None = Field(default=None, max_length=100, index=True)
    pk: str | None = Field(default=None, max_length=200, index=True)
    # {"field": {"before": ..., "after": ...}}; sensitive fields redacted.
    changes: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    remote_addr: str | None = Field(default=None, max_length=64)
    # The entry this one went with: a cascaded or unlinked row's points at
    # the delete of the selected row it went with, a restored child's at its
    # parent's restore (admin_app.audit.restore finds them by it).
    cause_id: int | None = Field(default=None, index=True)
    # The import (admin_app.imports) that wrote the row: undone as one.
    import_id: str | None = Field(default=None, max_length=32, index=True)

    def __str__(self) -> str:
        target = f" {self.model} {self.pk}" if self.model else ""
        return f"{self.action}{target} by {shown_username(self) or 'nobody'}"


FAILED_LOGIN = "login_failed"


def shown_username(entry: AuditEntry) -> str:
    """Who ``entry`` is by, as the admin's pages and exports show it.

    A failed login that named no user (``user_id`` empty) recorded what was
    typed as a username, which is often a password typed into the wrong box:
    it shows as "an unknown user", never as typed.
    """
    if entry.action == FAILED_LOGIN and entry.user_id is None:
        return gettext("an unknown user")
    return entry.username


REDACTED = "(hidden)"
# Entries written by one statement, at most.
BULK = 1000


def changed_values(
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    sensitive: set[str] | frozenset[str] = frozenset(),
) -> dict[str, dict[str, Any]]:
    """``{field: {"before": …, "after": …}}`` for each field whose value differs
    (all fields of a created or deleted row); sensitive ones say only that they
    changed. Values are made JSON-safe as text where JSON has no type for them."""
    before, after = before or {}, after or {}
    changes: dict[str, dict[str, Any]] = {}
    for name in dict.fromkeys([*before, *after]):
        old, new = before.get(name), after.get(name)
        if name in before and name in after and old == new:
            continue
        if name in sensitive:
            old = REDACTED if name in before else None
            new = REDACTED if name in after else None
        changes[name] = {"before": plain(old), "after": plain(new)}
    return changes


def plain(value: Any) -> Any:
    """``value`` as JSON holds it: text where JSON has no type for it."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict | list):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value") and hasattr(value, "name"):  # an enum member
        return value.value
    return str(value)


def record(
    session: Session,
    action: str,
    *,
    user: Any = None,
    model: str | None = None,
    pk: str | None = None,
    changes: dict[str, Any] | None = None,
    remote_addr: str | None = None,
    cause_id: int | None = None,
) -> AuditEntry:
    """Add an entry to ``session``: it commits, or rolls back, with the change."""
    entry = AuditEntry(
        action=action,
        user_id=getattr(user, "id", None),
        username=str(getattr(user, "username", "") or "")[:150],
        model=model,
        pk=pk[:200] if pk is not None else None,
        changes=changes,
        remote_addr=remote_addr[:64] if remote_addr is not None else None,
        cause_id=cause_id,
    )
    session.add(entry)
    return entry


# Who acts, on what, and the values of a row.


@dataclass(frozen=True)
class Actor:
    """Who makes a change (an ``AdminUser``, or None), and from where."""

    user: Any = None
    remote_addr: str | None = None


def actor_of(request: Request, site: Any = None) -> Actor:
    """The logged-in user of ``request`` (set by the login backend) and the
    client's address, as ``site``'s login backend reads it when it can (trusted
    proxies considered), else the peer's."""
    user = getattr(request.state, "admin_user", None)
    backend = getattr(site, "authentication_backend", None)
    read_address = getattr(backend, "client_address", None)
    if callable(read_address):
        return Actor(user, str(read_address(request)))
    return Actor(user, request.client.host if request.client else None)


@cache
def secret_columns(model: type[SQLModel]) -> frozenset[str]:
    """Columns whose values never enter the trail: the sensitive ones and the
    column passwords are hashed into (by a marked hasher or an API model's
    ``password`` field), whatever it is called."""
    names = {fact.name for fact in columns_of(model) if fact.sensitive}
    password = password_column(model)
    if password is not None:
        names.add(password)
    return frozenset(names)


def values_of(row: SQLModel) -> dict[str, Any]:
    """Every column value of an ORM row, by attribute name."""
    return {fact.name: getattr(row, fact.name) for fact in columns_of(type(row))}


def identifier_of(row: Any) -> str:
    """The row's identifier as admin URLs spell it."""
    return format_key(row)


def identifier_from(values: Sequence[Any]) -> str:
    """:func:`identifier_of` for key values read without the ORM."""
    return format_key(values)


@dataclass(frozen=True)
class Trail:
    """Where one request's entries go: who acts, on which view (its identity),
    under which action name when not the one the change implies."""

    actor: Actor
    model: str
    action: str | None = None

    def record(
        self,
        session: Session,
        action: str,
        row: SQLModel,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> AuditEntry:
        """Add the entry for ``action`` on ``row``, with the fields that differ
        between ``before`` and ``after`` (secrets redacted)."""
        return record(
            session,
            self.action or action,
            user=self.actor.user,
            model=self.model,
            pk=identifier_of(row),
            changes=changed_values(before, after, secret_columns(type(row))),
            remote_addr=self.actor.remote_addr,
        )


def trail_for(request: Request, view: "ModelView", action: str | None = None) -> Trail:
    """The trail of ``request`` on ``view``."""
    site = getattr(view, "_admin_ref", None)
    return Trail(actor_of(request, site), view.identity, action)


# Custom actions and sqladmin's own writes.


def record_action(
    session: Session,
    request: Request,
    view: "ModelView",
    name: str,
    row: SQLModel,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """The entry for custom action ``name`` on ``row``, added to ``session``,
    the session that makes the change, before it commits.

    ``before`` and ``after`` are the row's values around the change (take them
    with :func:`values_of`); what differs is recorded, secrets redacted::

        before = values_of(order)
        order.status = "shipped"
        record_action(session, request, self, "ship", order, before, values_of(order))
        session.commit()

    A custom action whose changes go through the ORM can wrap its work in
    :func:`audited` instead; one or the other, not both.
    """
    return trail_for(request, view, f"action:{name}").record(
        session, "update", row, before, after
    )


@dataclass(frozen=True)
class _Scope:
    request: Request
    view: "ModelView"
    action: str | None

    @property
    def trail(self) -> Trail:
        # Read when rows are flushed: the block may start before the login
        # check that tells who the user is.
        return trail_for(self.request, self.view, self.action)


_scope: ContextVar[_Scope | None] = ContextVar("admin_app_audit_scope", default=None)


@contextmanager
def audited(
    request: Request, view: "ModelView", action: str | None = None
) -> Iterator[None]:
    """Record every change to ``view``'s model that the ORM flushes inside the
    block, in the flushing session (so in its transaction): rows created,
    changed or deleted, as ``create`` / ``update`` / ``delete``, or all as
    ``action`` when given (``"import"``, ``"action:publish"``).

    It follows the block's context into worker threads (``anyio.to_thread``)
    and async sessions' ``run_sync``. Used around sqladmin's own create, edit
    and import endpoints, and offered to custom actions::

        @action(name="publish", ...)
        async def publish(self, request):
            with audited(request, self, "action:publish"):
                ...  # change rows through a session, commit
    """
    token = _scope.set(_Scope(request, view, action))
    try:
        yield
    finally:
        _scope.reset(token)


def audited_response(
    response: Response, request: Request, view: "ModelView", action: str | None
) -> Response:
    """``response``, its body (when it streams) produced inside
    :func:`audited`: sqladmin's import writes rows while it streams progress."""
    if not isinstance(response, StreamingResponse):
        return response
    body = response.body_iterator

    async def audited_body() -> AsyncIterator[Any]:
        iterator = body.__aiter__()
        while True:
            # Entered and left around each step, in the context that runs it.
            with audited(request, view, action):
                try:
                    chunk = await iterator.__anext__()
                except StopAsyncIteration:
                    return
            yield chunk

    response.body_iterator = audited_body()
    return response


@event.listens_for(Session, "after_flush")
def _record_flushed(session: Session, flush_context: Any) -> None:
    # In after_flush new rows have their keys and attribute history still
    # holds the values they had; entries added here are flushed by the same
    # commit (it flushes until nothing is left), in the same transaction.
    scope = _scope.get()
    if scope is None:
        return
    model, trail = scope.view.model, scope.trail
    for row in _rows_of(session.new, model):
        trail.record(session, "create", row, None, values_of(row))
    for row in _rows_of(session.dirty, model):
        before, after = _history(row)
        if before != after:
            trail.record(session, "update", row, before, after)
    for row in _rows_of(session.deleted, model):
        trail.record(session, "delete", row, values_of(row), None)


def _rows_of(rows: Iterable[object], model: type[Any]) -> list[SQLModel]:
    # Copied: recording adds to the session being iterated.
    return [row for row in rows if type(row) is model and isinstance(row, SQLModel)]


def _history(row: SQLModel) -> tuple[dict[str, Any], dict[str, Any]]:
    """The changed columns of a flushed row: as loaded, and as written."""
    state = sa_inspect(row)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for fact in columns_of(type(row)):
        history = state.attrs[fact.name].history
        if not history.added and not history.deleted:
            continue
        before[fact.name] = history.deleted[0] if history.deleted else None
        after[fact.name] = history.added[0] if history.added else None
    return before, after


# Deletes.


def record_deletion(
    session: Session, plan: "Plan", actor: Actor, identities: Mapping[Table, str]
) -> None:
    """Entries for everything a delete ``plan`` is about to do, read before it
    does it: ``delete`` for each selected row, ``cascade_delete`` for each row
    going with them (cascades, many-to-many links), ``unlink`` for each row
    whose reference is emptied (``ON DELETE SET NULL``). ``identities`` names
    the tables the admin has views of. Each entry of a row that goes with a
    selected row has that row's entry as its ``cause_id``: a restore finds
    them by it."""
    seen: set[tuple[Table, str]] = set()
    causes: dict[tuple[Any, ...], int] = {}
    went: list[dict[str, Any]] = []
    actor_fields: dict[str, Any] = {
        "user": actor.user,
        "remote_addr": actor.remote_addr,
    }
    who = {
        "user_id": getattr(actor.user, "id", None),
        "username": str(getattr(actor.user, "username", "") or "")[:150],
        "remote_addr": actor.remote_addr[:64] if actor.remote_addr else None,
    }
    for affected in plan.affected:
        table = affected.table
        model = affected.model
        mapper: Mapper[Any] | None = sa_inspect(model) if model is not None else None
        names = {
            column.key: (
                mapper.get_property_by_column(column).key
                if mapper is not None
                else column.key
            )
            for column in table.c
        }
        keys = (
            list(mapper.primary_key) if mapper is not None else list(table.primary_key)
        )
        secrets = (
            secret_columns(model)
            if model is not None
            else frozenset(n for n in names.values() if is_sensitive_name(n))
        )
        label = identities.get(table) or (
            slugify_class_name(model.__name__) if model is not None else table.name
        )
        for found in session.execute(affected.rows):
            mapping = found._mapping
            values = {names[k]: v for k, v in mapping.items() if k in names}
            root = tuple(v for k, v in mapping.items() if k not in names)
            pk = identifier_from([mapping[str(c.key)] for c in keys]) if keys else None
            if pk is not None:
                if (table, pk) in seen:
                    continue
                seen.add((table, pk))
            if affected.emptied:
                action = "unlink"
                before = {names[c]: values[names[c]] for c in affected.emptied}
                after: dict[str, Any] | None = dict.fromkeys(before)
            else:
                action = "delete" if affected.kind is None else "cascade_delete"
                before, after = values, None
            changes = changed_values(before, after, secrets)
            if affected.kind is not None:
                went.append(
                    {
                        **who,
                        "at": utc_now(),
                        "action": action,
                        "model": label,
                        "pk": pk[:200] if pk is not None else None,
                        "changes": changes,
                        "cause_id": causes.get(root),
                    }
                )
                continue
            entry = record(
                session, action, model=label, pk=pk, changes=changes, **actor_fields
            )
            session.flush()
            assert entry.id is not None
            causes[root] = entry.id
        # What went with the selected rows, a statement per chunk: thousands
        # of rows go with some deletes.
        for start in range(0, len(went), BULK):
            session.execute(insert(AuditEntry), went[start : start + BULK])
        went.clear()
