"""Undoing an import as one action: the rows it created deleted, the rows it
updated given back their values before, in one transaction, audited.

What the import did is read back from its audit entries (``import_id``), a
batch at a time. An entry of a created row lists the key among its changes
(before: nothing); an updated row's never does (an import does not change
keys). Undo is refused, listing them, when rows it wrote were changed since
(a later audit entry for the same row), or when its updates touched a secret
column (the trail keeps no secret to restore).
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqladmin.i18n import gettext
from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, col

from admin_app.audit.entries import REDACTED, Actor, AuditEntry
from admin_app.forms.validation import validate_table_row
from admin_app.imports.mapping import key_columns, table_of
from admin_app.imports.writing import ACTION, AUDIT_TABLE
from admin_app.inspection import columns_of, mapper_of
from admin_app.keys import BadKey, parse_key
from admin_app.moments import as_stored, zoned

UNDO_ACTION = "import_undo"
BATCH = 1000
SHOWN = 50


@dataclass
class UndoRefused(Exception):
    """Why an import cannot be undone; ``rows``: the keys of rows changed since."""

    message: str
    rows: list[str] = field(default_factory=list)


def _entries(session: Session, import_id: str) -> Iterator[list[AuditEntry]]:
    last = 0
    while True:
        batch = list(
            session.scalars(
                select(AuditEntry)
                .where(
                    col(AuditEntry.import_id) == import_id,
                    col(AuditEntry.action) == ACTION,
                    col(AuditEntry.id) > last,
                )
                .order_by(col(AuditEntry.id))
                .limit(BATCH)
            )
        )
        if not batch:
            return
        last = batch[-1].id or last
        yield batch
        session.expunge_all()


def changed_since(session: Session, import_id: str, identity: str) -> list[str]:
    """Keys of rows the import wrote that another action changed after it."""
    last = session.scalar(
        select(col(AuditEntry.id))
        .where(col(AuditEntry.import_id) == import_id)
        .order_by(col(AuditEntry.id).desc())
        .limit(1)
    )
    changed: list[str] = []
    for batch in _entries(session, import_id):
        keys = [entry.pk for entry in batch if entry.pk is not None]
        later = session.scalars(
            select(col(AuditEntry.pk))
            .where(
                col(AuditEntry.model) == identity,
                col(AuditEntry.pk).in_(keys),
                col(AuditEntry.id) > (last or 0),
            )
            .distinct()
        )
        changed.extend(str(key) for key in later)
        if len(changed) >= SHOWN:
            break
    return changed[:SHOWN]


def undo(
    session: Session,
    model: type[SQLModel],
    identity: str,
    import_id: str,
    actor: Actor,
) -> int:
    """Undo the import's rows in ``session``'s transaction (the caller
    commits); raises :class:`UndoRefused`. Returns how many rows it put back."""
    changed = changed_since(session, import_id, identity)
    if changed:
        raise UndoRefused(
            gettext("Rows this import wrote were changed since: undo them first."),
            changed,
        )
    keys = key_columns(model)
    undone = 0
    undo_entries: list[dict[str, Any]] = []
    try:
        for batch in _entries(session, import_id):
            created = [e for e in batch if _was_created(e, keys)]
            updated = [e for e in batch if not _was_created(e, keys)]
            _delete(session, model, created)
            for entry in updated:
                _restore(session, model, entry)
            undone += len(batch)
            undo_entries.extend(_undo_entry(entry, actor) for entry in batch)
            if len(undo_entries) >= BATCH:
                session.connection().execute(insert(AUDIT_TABLE), undo_entries)
                undo_entries = []
        if undo_entries:
            session.connection().execute(insert(AUDIT_TABLE), undo_entries)
        session.flush()
    except DBAPIError:
        session.rollback()
        raise UndoRefused(
            gettext(
                "The database refused the undo: other rows refer to rows this "
                "import created. Nothing was changed."
            )
        ) from None
    return undone


def _was_created(entry: AuditEntry, keys: Sequence[str]) -> bool:
    changes = entry.changes or {}
    return all(name in changes and changes[name].get("before") is None for name in keys)


def _delete(session: Session, model: type[SQLModel], entries: list[AuditEntry]) -> None:
    if not entries:
        return
    mapper = mapper_of(model)
    columns = list(mapper.primary_key)
    matches = []
    for entry in entries:
        try:
            values = parse_key(model, entry.pk or "")
        except (BadKey, ValueError, TypeError):
            continue
        matches.append(and_(*(c == v for c, v in zip(columns, values, strict=True))))
    if matches:
        session.execute(delete(table_of(model)).where(or_(*matches)))


def _restore(session: Session, model: type[SQLModel], entry: AuditEntry) -> None:
    changes = entry.changes or {}
    before = {name: change.get("before") for name, change in changes.items()}
    if any(value == REDACTED for value in before.values()):
        raise UndoRefused(
            gettext(
                "This import changed a secret column, whose old value the "
                "audit trail does not keep: it cannot be undone."
            )
        )
    mapper = mapper_of(model)
    columns = list(mapper.primary_key)
    values = parse_key(model, entry.pk or "")
    where = [c == v for c, v in zip(columns, values, strict=True)]
    facts = {fact.name: fact for fact in columns_of(model)}
    names = [fact.name for fact in columns_of(model)]
    current = session.execute(
        select(*(facts[n].column for n in names)).where(*where)
    ).one_or_none()
    if current is None:
        return  # gone since: a delete is a later entry, refused above
    # The trail's text (dates, decimals, enum values) typed by the model again.
    typed = validate_table_row(
        model, {**dict(zip(names, current, strict=True)), **before}
    )
    restored = {}
    for name in before:
        fact = facts.get(name)
        if fact is None:
            continue
        value = getattr(typed, name)
        with_zone = zoned(fact.column)
        restored[fact.column.key] = (
            as_stored(value, with_zone) if with_zone is not None else value
        )
    if restored:
        session.execute(update(table_of(model)).where(*where).values(restored))


def _undo_entry(entry: AuditEntry, actor: Actor) -> dict[str, Any]:
    changes = {
        name: {"before": change.get("after"), "after": change.get("before")}
        for name, change in (entry.changes or {}).items()
    }
    return {
        "at": _now(),
        "action": UNDO_ACTION,
        "user_id": getattr(actor.user, "id", None),
        "username": str(getattr(actor.user, "username", "") or "")[:150],
        "model": entry.model,
        "pk": entry.pk,
        "changes": changes,
        "remote_addr": actor.remote_addr,
        "import_id": entry.import_id,
    }


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)
