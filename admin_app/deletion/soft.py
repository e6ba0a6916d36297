"""Soft delete: a model with a ``deleted_at``-like column keeps its deleted
rows, stamped, in the trash.

A view's ``soft_delete_column`` (inferred by ``infer_soft_delete_column``: a
nullable date-time column named as in :data:`SOFT_DELETE_NAMES`) makes its
delete set that column to now (UTC) instead of removing the row, audited as
``soft_delete`` (its own action, not ``delete``: a ``delete`` entry means the
row is gone and a restore inserts it; a ``soft_delete`` one means it is in the
trash and a restore clears the stamp). Nothing cascades, since nothing is
removed. Deleting rows that are all in the trash already deletes them for good,
as a delete of a model without the column does. Lists hide trashed rows unless
asked for the trash (:mod:`admin_app.lists.trash`).
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, Select, Table, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

from admin_app.audit import entries as audit
from admin_app.deletion.plans import Key, Names, Plan, _matching, row_key
from admin_app.inspection import columns_of
from admin_app.moments import as_stored, zoned

# Column names that mark a row as deleted when set (a nullable date-time).
SOFT_DELETE_NAMES = (
    "deleted_at",
    "deleted_on",
    "trashed_at",
    "archived_at",
    "removed_at",
)
SOFT_DELETE = "soft_delete"


def infer_soft_delete_column(model: type[SQLModel]) -> str | None:
    """The first nullable date-time column named as in :data:`SOFT_DELETE_NAMES`."""
    facts = {fact.name: fact for fact in columns_of(model)}
    for name in SOFT_DELETE_NAMES:
        fact = facts.get(name)
        if fact is None or not fact.column.nullable:
            continue
        kind = fact.column.type
        while isinstance(kind, TypeDecorator):
            kind = kind.impl_instance
        if isinstance(kind, DateTime):
            return name
    return None


class SoftDeleteOptions:
    """The view options of soft delete, mixed into ``AutoModelView``."""

    # The column a delete stamps (the row goes to the trash); None: deletes
    # remove rows. Inferred by infer_soft_delete_column.
    soft_delete_column: ClassVar[str | None] = None

    @staticmethod
    def infer_soft_delete_column(model: type[SQLModel]) -> str | None:
        """A nullable date-time column called ``deleted_at``, ``deleted_on``,
        ``trashed_at``, ``archived_at`` or ``removed_at``; None for none."""
        return infer_soft_delete_column(model)

    def in_trash(self, row: Any) -> bool:
        """Whether ``row`` is in the trash (for the banner of its pages)."""
        name = self.soft_delete_column
        return bool(name) and getattr(row, str(name), None) is not None


def live_rows(site: Any, target: type, stmt: Select[Any]) -> Select[Any]:
    """``stmt`` without the ``target`` rows in its view's trash: pickers, the
    foreign-key filters and the palette offer no trashed row."""
    for view in getattr(site, "views", ()):
        if getattr(view, "model", None) is target:
            name = getattr(view, "soft_delete_column", None)
            return stmt.where(getattr(target, name).is_(None)) if name else stmt
    return stmt


def trash_plan(
    session: Session, model: type[SQLModel], column: str, names: Names, keys: list[Key]
) -> Plan | None:
    """The plan of moving the rows of ``keys`` to the trash (``to_trash``),
    or None when every one found is in it already (a delete for good)."""
    mapper: Mapper[Any] = sa_inspect(model)
    found: Sequence[Any] = session.scalars(
        select(model).where(_matching(list(mapper.primary_key), keys))
    ).all()
    by_key = {row_key(row): row for row in found}
    live = [row for row in found if getattr(row, column) is None]
    if found and not live:
        return None
    return Plan(
        names,
        list(keys),
        rows=[by_key[key] for key in keys if key in by_key and by_key[key] in live],
        missing=[key for key in keys if key not in by_key],
        to_trash=True,
    )


def move_to_trash(
    session: Session,
    model: type[SQLModel],
    column: str,
    keys: list[Key],
    trail: audit.Trail,
) -> int:
    """Stamp the rows of ``keys`` not yet in the trash (locked first), one
    ``soft_delete`` entry each, and commit: how many went."""
    mapper: Mapper[Any] = sa_inspect(model)
    table = mapper.local_table
    assert isinstance(table, Table)
    stamp = as_stored(
        datetime.now(UTC), bool(zoned(table.c[_column_key(mapper, column)]))
    )
    try:
        rows = session.scalars(
            select(model)
            .where(_matching(list(mapper.primary_key), keys))
            .with_for_update()
        ).all()
        moved = 0
        for row in rows:
            if getattr(row, column) is not None:
                continue
            setattr(row, column, stamp)
            trail.record(session, SOFT_DELETE, row, {column: None}, {column: stamp})
            moved += 1
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return moved


def _column_key(mapper: Mapper[Any], attribute: str) -> str:
    return str(mapper.column_attrs[attribute].columns[0].key)
