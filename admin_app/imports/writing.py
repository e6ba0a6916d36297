"""A checked chunk of rows written, with an audit entry per row, in bulk: one
multi-row INSERT (its keys returned) for the new rows, one UPDATE statement
executed for many rows per set of changed columns, one INSERT for the entries.

Called inside the import's one transaction (:mod:`admin_app.imports.running`);
the caller commits or rolls back.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from admin_app.audit.entries import Actor, AuditEntry, changed_values, secret_columns
from admin_app.forms.concurrency import version_column
from admin_app.imports.checking import Checked
from admin_app.imports.mapping import key_columns, table_of
from admin_app.inspection import columns_of, mapper_of
from admin_app.keys import format_key

ACTION = "import"
AUDIT_TABLE = table_of(AuditEntry)


class Writer:
    """Writes the chunks of one import of ``model`` (the view ``identity``)."""

    def __init__(
        self, model: type[SQLModel], identity: str, actor: Actor, import_id: str
    ) -> None:
        self.model = model
        self.identity = identity
        self.actor = actor
        self.import_id = import_id
        self.table = table_of(model)
        # Attribute name → the table's column key.
        self.columns = {fact.name: fact.column.key for fact in columns_of(model)}
        self.keys = key_columns(model)
        self.secrets = secret_columns(model)
        version = version_column(model)
        self.version = version if mapper_of(model).version_id_col is None else None
        self.server_defaults = {
            fact.name
            for fact in columns_of(model)
            if fact.column.server_default is not None
        }

    def write(self, session: Session, chunk: Sequence[Checked]) -> None:
        entries: list[dict[str, Any]] = []
        created = [item for item in chunk if item.action == "create"]
        for values_group in _grouped(
            [self._insertable(item.values) for item in created]
        ):
            self._insert(session, values_group, entries)
        updated = [item for item in chunk if item.action == "update"]
        self._update(session, updated, entries)
        if entries:
            # Core, not the ORM's bulk insert: the entries need no objects.
            session.connection().execute(insert(AUDIT_TABLE), entries)

    def _insertable(self, values: dict[str, Any]) -> dict[str, Any]:
        # None where the database has a default of its own: the default.
        return {
            name: value
            for name, value in values.items()
            if value is not None or name not in self.server_defaults
        }

    def _insert(
        self,
        session: Session,
        rows: list[dict[str, Any]],
        entries: list[dict[str, Any]],
    ) -> None:
        key_cols = [self.table.c[self.columns[name]] for name in self.keys]
        statement = insert(self.table).returning(
            *key_cols, sort_by_parameter_order=True
        )
        params = [{self.columns[k]: v for k, v in row.items()} for row in rows]
        returned = session.execute(statement, params).all()
        for row, key in zip(rows, returned, strict=True):
            after = {**row, **dict(zip(self.keys, key, strict=True))}
            entries.append(self._entry(tuple(key), None, after))

    def _update(
        self,
        session: Session,
        items: list[Checked],
        entries: list[dict[str, Any]],
    ) -> None:
        for item in items:
            if self.version is not None:
                item.values[self.version] = (item.before.get(self.version) or 0) + 1

        def changed(item: Checked) -> tuple[str, ...]:
            return tuple(sorted(item.values))

        for names, group in groupby(sorted(items, key=changed), key=changed):
            members = list(group)
            where = [
                self.table.c[self.columns[k]] == bindparam(f"key_{i}")
                for i, k in enumerate(self.keys)
            ]
            statement = (
                update(self.table)
                .where(*where)
                .values({self.columns[n]: bindparam(f"new_{n}") for n in names})
            )
            params = []
            for item in members:
                assert item.key is not None
                param = {f"key_{i}": v for i, v in enumerate(item.key)}
                param.update({f"new_{n}": item.values[n] for n in names})
                params.append(param)
            session.connection().execute(statement, params)
            for item in members:
                before = {n: item.before.get(n) for n in names}
                entries.append(self._entry(item.key or (), before, dict(item.values)))

    def _entry(
        self,
        key: tuple[Any, ...],
        before: dict[str, Any] | None,
        after: dict[str, Any],
    ) -> dict[str, Any]:
        return {
            "at": datetime.now(UTC),
            "action": ACTION,
            "user_id": getattr(self.actor.user, "id", None),
            "username": str(getattr(self.actor.user, "username", "") or "")[:150],
            "model": self.identity,
            "pk": _key_text(key)[:200],
            "changes": changed_values(before, after, self.secrets),
            "remote_addr": self.actor.remote_addr,
            "import_id": self.import_id,
        }


def _key_text(key: tuple[Any, ...]) -> str:
    if len(key) == 1 and type(key[0]) is int:
        return str(key[0])  # the usual key, without format_key's generality
    return format_key(key)


def _grouped(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rows with the same columns together: one statement each."""
    groups: dict[frozenset[str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(frozenset(row), []).append(row)
    return list(groups.values())
