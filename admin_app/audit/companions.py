"""What went with a deleted row, brought back with it
(:mod:`admin_app.audit.restore`): the rows its delete took along (the entries
whose ``cause_id`` is its entry), parents before children, checked and written
a run of one table's rows at a time, and the references it emptied, put back
where they are still empty. Also what a restore reports, and its entries.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from pydantic import ValidationError
from sqladmin import ModelView
from sqladmin.helpers import slugify_class_name
from sqladmin.i18n import gettext
from sqlalchemy import Table, insert, select, tuple_
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapper, Session
from sqlmodel import SQLModel, col

from admin_app.audit.entries import (
    Actor,
    AuditEntry,
    changed_values,
    secret_columns,
    utc_now,
    values_of,
)
from admin_app.audit.revival import (
    Shape,
    Unrestorable,
    conflicts,
    recorded_values,
    revive,
)
from admin_app.forms.integrity import explain_database_error
from admin_app.forms.validation import validate_table_row
from admin_app.keys import BadKey, format_key, parse_key

RESTORE = "restore"
# What went with a deleted row: rows deleted with it, references it emptied.
WITH_IT = ("cascade_delete", "unlink")
# Entries of the rows deleted with one row, read a chunk at a time.
CHUNK = 500


@dataclass
class Restored:
    """What a restore did, for its message."""

    title: str
    rows: int = 0
    relinked: int = 0
    left: int = 0
    hidden: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        text = gettext("Restored %(what)s.") % {"what": self.title}
        if self.rows:
            text += " " + gettext("With it: %(count)s rows.") % {"count": self.rows}
        if self.relinked:
            text += " " + gettext("References put back: %(count)s.") % {
                "count": self.relinked
            }
        if self.left:
            text += " " + gettext(
                "References left as they are (changed since): %(count)s."
            ) % {"count": self.left}
        if self.hidden:
            text += " " + gettext(
                "Left empty or at their defaults (hidden in the trail): %(fields)s."
            ) % {"fields": ", ".join(self.hidden)}
        return text


Resolver = Callable[[str], tuple[Table, type | None, str] | None]


def resolver(view: ModelView, views: dict[str, ModelView]) -> Resolver:
    """How an entry's ``model`` (a view's identity, a class's slug or a table's
    name, as the delete recorded it) names a table, its class and its rows."""
    mapper: Mapper[Any] = sa_inspect(view.model)
    by_name: dict[str, tuple[Table, type | None, str]] = {}
    for each in mapper.registry.mappers:
        table = each.local_table
        if isinstance(table, Table) and each.base_mapper is each:
            name = slugify_class_name(each.class_.__name__)
            by_name[name] = (table, each.class_, name.replace("-", " "))
            for other_table in table.metadata.tables.values():
                by_name.setdefault(
                    other_table.name,
                    (other_table, None, other_table.name.replace("_", " ")),
                )
    for identity, other in views.items():
        other_mapper: Mapper[Any] = sa_inspect(other.model)
        local = other_mapper.local_table
        if isinstance(local, Table):
            by_name[identity] = (local, other.model, str(other.name).lower())
    return by_name.get


def flush_or_refuse(
    session: Session, model: type[SQLModel], values: dict[str, Any]
) -> None:
    try:
        session.flush()
    except DBAPIError as exc:
        session.rollback()
        errors = explain_database_error(exc, model, values, session)
        raise Unrestorable(
            gettext("Not restored: %(why)s") % {"why": str(errors)}
        ) from None


Undone = tuple[AuditEntry, dict[str, Any], dict[str, Any] | None]


def record_all(
    session: Session, actor: Actor, undone: Sequence[Undone], model: type | None
) -> None:
    """A ``restore`` entry for each ``(entry undone, values after, before)``,
    inserted together (a statement, not an ORM object, each: thousands of rows
    go with some deletes), in the restore's transaction."""
    if not undone:
        return
    secrets = secrets_of(model)
    user = actor.user
    session.execute(
        insert(AuditEntry),
        [
            {
                "at": utc_now(),
                "action": RESTORE,
                "user_id": getattr(user, "id", None),
                "username": str(getattr(user, "username", "") or "")[:150],
                "model": entry.model,
                "pk": entry.pk,
                "changes": changed_values(before, values, secrets),
                "remote_addr": actor.remote_addr,
                "cause_id": entry.id,
            }
            for entry, values, before in undone
        ],
    )


def restore_with_it(
    session: Session,
    entry: AuditEntry,
    resolve: Resolver,
    actor: Actor,
    done: Restored,
) -> None:
    """The rows deleted with ``entry``'s row, parents before children (their
    entries' order), and the references its delete emptied: a chunk of
    entries at a time, each run of one table's rows checked and written
    together."""
    ids = list(
        session.scalars(
            select(col(AuditEntry.id))
            .where(col(AuditEntry.cause_id) == entry.id)
            .where(col(AuditEntry.action).in_(WITH_IT))
            .order_by(col(AuditEntry.id))
        )
    )
    for start in range(0, len(ids), CHUNK):
        chunk = session.scalars(
            select(AuditEntry)
            .where(col(AuditEntry.id).in_(ids[start : start + CHUNK]))
            .order_by(col(AuditEntry.id))
        ).all()
        for (action, model), run in groupby(chunk, key=lambda e: (e.action, e.model)):
            found = resolve(model or "")
            batch = list(run)
            if found is None or any(not e.pk or not e.changes for e in batch):
                raise Unrestorable(
                    gettext(
                        "Not restored: %(what)s, deleted with it, has no table now."
                    )
                    % {"what": model or "?"}
                )
            if action == "unlink":
                _relink(session, batch, found, actor, done)
            else:
                _reinsert_rows(session, batch, found, actor)
                done.rows += len(batch)


def secrets_of(model: type | None) -> frozenset[str]:
    if model is not None and issubclass(model, SQLModel):
        return secret_columns(model)
    return frozenset()


def _reinsert_rows(
    session: Session,
    batch: list[AuditEntry],
    found: tuple[Table, type | None, str],
    actor: Actor,
) -> None:
    """Insert again the rows of one table that ``batch`` recorded deleted."""
    table, model, name = found
    shape = Shape.of(table, model)
    secrets = secrets_of(model)
    rows = [recorded_values(shape, e.changes or {}, secrets)[0] for e in batch]
    problem = conflicts(session, shape, rows, lambda i: f"{name} #{batch[i].pk}")
    if problem:
        raise Unrestorable(problem)
    if model is not None and issubclass(model, SQLModel):
        rows = [
            _validated(model, values, f"{name} #{e.pk}")
            for values, e in zip(rows, batch, strict=True)
        ]
    keyed = [
        {str(shape.columns[k].key): v for k, v in values.items() if k in shape.columns}
        for values in rows
    ]
    if _refers_to_itself(table):
        for one in keyed:  # parents first, one at a time
            session.execute(insert(table), [one])
    else:
        session.execute(insert(table), keyed)
    undone = [(child, values, None) for child, values in zip(batch, rows, strict=True)]
    record_all(session, actor, undone, model)


def _validated(
    model: type[SQLModel], values: dict[str, Any], what: str
) -> dict[str, Any]:
    """``values`` as the model validates them, with the defaults of the fields
    the trail hides; Unrestorable when they are no longer valid."""
    try:
        row = validate_table_row(model, values)
    except ValidationError:
        raise Unrestorable(
            gettext(
                "Not restored: the recorded values of %(what)s are no longer valid."
            )
            % {"what": what}
        ) from None
    current = values_of(row)
    return {
        name: value
        for name, value in current.items()
        if name in values or value is not None
    }


def _refers_to_itself(table: Table) -> bool:
    return any(
        key.column.table is table
        for constraint in table.foreign_key_constraints
        for key in constraint.elements
    )


def _relink(
    session: Session,
    batch: list[AuditEntry],
    found: tuple[Table, type | None, str],
    actor: Actor,
    done: Restored,
) -> None:
    """Put back the references ``batch`` records emptied, where each row is
    still there and they are still empty; else leave it and count it."""
    table, model, _ = found
    if model is None or not issubclass(model, SQLModel):
        done.left += len(batch)
        return
    shape = Shape.of(table, model)
    keys: dict[str, tuple[Any, ...]] = {}
    for child in batch:
        try:
            keys[str(child.pk)] = parse_key(model, str(child.pk))
        except BadKey:
            continue
    mapper: Mapper[Any] = sa_inspect(model)
    key_columns = list(mapper.primary_key)
    wanted = list(keys.values())
    where = (
        key_columns[0].in_([key[0] for key in wanted])
        if len(key_columns) == 1
        else tuple_(*key_columns).in_(wanted)
    )
    locked = session.scalars(select(model).where(where).with_for_update())
    rows = {format_key(row): row for row in locked} if wanted else {}
    undone: list[Undone] = []
    for child in batch:
        row = rows.get(str(child.pk))
        changes = child.changes or {}
        names = [name for name in changes if name in shape.columns]
        if row is None or any(getattr(row, name) is not None for name in names):
            done.left += 1
            continue
        values = {
            name: revive(shape.columns[name], changes[name].get("before"))
            for name in names
        }
        for name, value in values.items():
            setattr(row, name, value)
        undone.append((child, values, dict.fromkeys(values)))
        done.relinked += 1
    flush_or_refuse(session, model, {})
    record_all(session, actor, undone, model)
