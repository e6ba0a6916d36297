"""Safe deletion: what deleting rows takes with it, decided before anything goes.

sqladmin deletes each row with ``session.delete`` in a transaction of its own, so
SQLAlchemy quietly sets children's foreign keys to NULL, or the database refuses
with an error shown as raw text. Here a planner (:mod:`admin_app.deletion.planner`)
first follows every foreign key of the ``MetaData`` that points at the rows (one
grouped COUNT per key, however many rows refer) and sorts what it finds by what
the schema says:

* a one-to-many relationship with ``"delete"`` in its cascade, or a foreign key
  with ``ondelete="CASCADE"``: those rows go too, and what *they* imply, up to
  :data:`MAX_DEPTH` levels down;
* ``ondelete="SET NULL"``: those rows stay, unlinked;
* rows of a many-to-many ``secondary`` (link) table: those links are removed;
* anything else refers to the row and blocks the delete, with a message naming it.

The :class:`Plan` then carries out exactly that with Core statements, deepest rows
first, in the caller's transaction. No ORM unit of work runs, so nothing is ever
nullified behind the plan's back, and the outcome does not depend on whether the
database enforces its foreign keys (SQLite without the pragma does not).
"""

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqladmin.i18n import gettext
from sqlalchemy import (
    ColumnElement,
    Executable,
    ForeignKeyConstraint,
    Select,
    Table,
    and_,
    or_,
    tuple_,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapper, RelationshipDirection
from sqlalchemy.sql.schema import Column

from admin_app.keys import BadKey, format_key, parse_key
from admin_app.labels import row_label
from admin_app.references import Linker, Reference

# Levels of rows that may go with a row: deep enough for real cascades, and a
# stop for self-referencing trees, whose depth only the data knows.
MAX_DEPTH = 5
# Row labels shown per kind of row; the rest are counted.
LABELS_SHOWN = 5
# Blocked rows named in one refusal; the rest are counted.
REFUSALS_SHOWN = 5

Key = tuple[Any, ...]
# The columns of an affected row holding the key of the selected row it goes
# with (``_root0``, ``_root1``… for a composite key).
ROOT_PREFIX = "_root"


class Kind(enum.StrEnum):
    """What happens to rows that refer to a row being deleted."""

    CASCADE = "cascade"  # an ORM relationship cascades "delete": they go too
    DB_CASCADE = "db_cascade"  # ON DELETE CASCADE: they go too
    UNLINK = "unlink"  # ON DELETE SET NULL: they stay, their key emptied
    LINKS = "links"  # rows of a many-to-many link table: removed
    BLOCK = "block"  # anything else: the delete is refused


class MalformedKey(ValueError):
    """A primary key from the request cannot be a key of the model."""


@dataclass(frozen=True)
class Names:
    """How the admin calls a table's rows: ``user`` / ``users``."""

    singular: str
    plural: str

    def count(self, count: int) -> str:
        return f"{count} {self.singular if count == 1 else self.plural}"


def lower_words(name: str) -> str:
    """``Order Items`` → ``order items``; acronyms such as ``SKU`` stay."""
    return " ".join(
        word.lower() if word[1:].islower() or len(word) == 1 else word
        for word in name.split()
    )


@dataclass(frozen=True)
class Schema:
    """How the tables of one ``MetaData`` refer to each other, classified."""

    referencing: Mapping[Table, tuple[tuple[ForeignKeyConstraint, Kind], ...]]
    classes: Mapping[Table, type]

    @classmethod
    def of(cls, table: Table, mapper: Mapper[Any]) -> "Schema":
        """Every foreign key of ``table``'s MetaData, with the relationships of
        ``mapper``'s registry saying which cascade and which are links."""
        metadata = table.metadata
        classes: dict[Table, type] = {}
        link_tables: set[Table] = set()
        cascading: set[ForeignKeyConstraint] = set()
        for other in mapper.registry.mappers:
            mapped = other.local_table
            if isinstance(mapped, Table) and other.base_mapper is other:
                classes[mapped] = other.class_
            for relation in other.relationships:
                if isinstance(relation.secondary, Table):
                    link_tables.add(relation.secondary)
                elif (
                    relation.direction is RelationshipDirection.ONETOMANY
                    and relation.cascade.delete
                ):
                    cascading.update(_constraints_of(relation.remote_side))
        referencing: dict[Table, list[tuple[ForeignKeyConstraint, Kind]]] = {}
        # Sorted by name, so plans and messages come out the same on every run
        # (``sorted_tables`` would also warn about cycles of foreign keys).
        for referring in sorted(metadata.tables.values(), key=lambda t: t.fullname):
            constraints = referring.foreign_key_constraints
            for constraint in sorted(constraints, key=lambda c: list(c.column_keys)):
                target = referred_table(constraint)
                if target is None:
                    continue
                if referring in link_tables:
                    kind = Kind.LINKS
                elif constraint in cascading:
                    kind = Kind.CASCADE
                elif (constraint.ondelete or "").upper() == "CASCADE":
                    kind = Kind.DB_CASCADE
                elif (constraint.ondelete or "").upper() == "SET NULL":
                    kind = Kind.UNLINK
                else:
                    kind = Kind.BLOCK
                referencing.setdefault(target, []).append((constraint, kind))
        return cls(
            {table: tuple(edges) for table, edges in referencing.items()}, classes
        )


def _constraints_of(
    columns: Iterable[ColumnElement[Any]],
) -> set[ForeignKeyConstraint]:
    """The foreign key constraints made of exactly ``columns``."""
    wanted = set(columns)
    found: set[ForeignKeyConstraint] = set()
    for column in wanted:
        if not isinstance(column, Column):
            continue
        for key in column.foreign_keys:
            constraint = key.constraint
            if isinstance(constraint, ForeignKeyConstraint) and (
                set(constraint.columns) == wanted
            ):
                found.add(constraint)
    return found


def referred_table(constraint: ForeignKeyConstraint) -> Table | None:
    """The table ``constraint`` points at, or None when it is not in the MetaData."""
    try:
        return constraint.referred_table
    except SQLAlchemyError:
        return None


def parse_pks(model: type, pks: Iterable[str]) -> list[Key]:
    """The keys named by sqladmin identifiers, each once, in order.

    Raises :class:`MalformedKey` for one that cannot be a key of ``model`` (so the
    caller answers 404 instead of letting the database choke on it).
    """
    keys: list[Key] = []
    for pk in pks:
        try:
            key = parse_key(model, pk)
        except BadKey as exc:
            raise MalformedKey(pk) from exc
        if key not in keys:
            keys.append(key)
    return keys


def _matching(columns: Sequence[ColumnElement[Any]], keys: Sequence[Key]) -> Any:
    if len(columns) == 1:
        return columns[0].in_([key[0] for key in keys])
    return or_(
        *(and_(*(c == v for c, v in zip(columns, key, strict=True))) for key in keys)
    )


def _in(columns: Sequence[ColumnElement[Any]], rows: Select[Any]) -> Any:
    if len(columns) == 1:
        return columns[0].in_(rows)
    return tuple_(*columns).in_(rows)


@dataclass
class Group:
    """Rows of one table that a delete takes along, one way."""

    kind: Kind
    names: Names
    count: int = 0
    labels: list[str] = field(default_factory=list)
    # The same rows, to link to (see :meth:`Plan.link`).
    named: list[Reference] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.names.count(self.count)


@dataclass(frozen=True)
class Reason:
    """Rows that keep a selected row from being deleted."""

    what: str  # "12 users"
    count: int
    within: str | None = None  # rows going with it that they refer to: "projects"
    too_deep: bool = False


@dataclass(frozen=True)
class Affected:
    """Rows of one table that a plan deletes or unlinks, for the audit trail
    (read before the statements run): ``rows`` selects every column of
    ``table``, labelled by column key, and the key of the selected row each
    goes with (:data:`ROOT_PREFIX` columns)."""

    table: Table
    model: type | None  # the table's class, when it has one
    kind: Kind | None  # None: the selected rows themselves
    rows: Select[Any]
    emptied: tuple[str, ...] = ()  # for Kind.UNLINK: the keys set to NULL


@dataclass
class Plan:
    """What deleting the selected rows does, and the statements that do it."""

    names: Names
    keys: list[Key]
    rows: list[Any]
    missing: list[Key]
    groups: list[Group] = field(default_factory=list)
    reasons: dict[Key, list[Reason]] = field(default_factory=dict)
    statements: list[Executable] = field(default_factory=list)
    affected: list[Affected] = field(default_factory=list)
    # The rows go to the trash (admin_app.deletion.soft): nothing else changes.
    to_trash: bool = False

    @property
    def labels(self) -> list[str]:
        return [row_label(row) for row in self.rows[:LABELS_SHOWN]]

    @property
    def pks(self) -> list[str]:
        """sqladmin identifiers of the rows found, for the confirming form."""
        return [format_key(row) for row in self.rows]

    @property
    def blocked(self) -> bool:
        return bool(self.reasons or self.missing or not self.rows)

    def link(self, link: Linker) -> None:
        """Link the rows each group names to their detail pages."""
        for group in self.groups:
            group.named = [
                replace(ref, url=link(ref.model, ref.key)) for ref in group.named
            ]

    def taken(self, *kinds: Kind) -> list[Group]:
        return [group for group in self.groups if group.kind in kinds]

    @property
    def title(self) -> str:
        """``club "Rowing"``, or ``3 clubs``."""
        if len(self.keys) == 1 and self.rows:
            return f'{self.names.singular} "{row_label(self.rows[0])}"'
        return self.names.count(len(self.keys))

    @property
    def message(self) -> str | None:
        """Why nothing can be deleted, or None when everything can."""
        if not self.keys:
            return f"No {self.names.plural} were selected."
        if self.missing:
            return self._missing_message()
        if not self.reasons:
            return None
        by_key = {row_key(row): row for row in self.rows}
        refusals = [
            f'{self.names.singular} "{row_label(by_key[key])}": {_reasons_text(why)}'
            for key, why in self.reasons.items()
        ]
        if len(self.rows) == 1:
            return f"Cannot delete {refusals[0]}."
        shown = "; ".join(refusals[:REFUSALS_SHOWN])
        if len(refusals) > REFUSALS_SHOWN:
            shown += f"; and {len(refusals) - REFUSALS_SHOWN} more"
        return (
            f"Cannot delete {len(refusals)} of the {len(self.rows)} selected "
            f"{self.names.plural}, so nothing was deleted: {shown}."
        )

    def _missing_message(self) -> str:
        gone = ", ".join(_key_text(key) for key in self.missing[:REFUSALS_SHOWN])
        if len(self.missing) > REFUSALS_SHOWN:
            gone += ", …"
        if len(self.keys) == 1:
            return f"Cannot delete {self.names.singular} {gone}: it no longer exists."
        exist = "no longer exists" if len(self.missing) == 1 else "no longer exist"
        return (
            f"Cannot delete the {len(self.keys)} selected {self.names.plural}, "
            f"so nothing was deleted: {len(self.missing)} of them {exist} ({gone})."
        )

    @property
    def done(self) -> str:
        """What was deleted, for the message once it has been."""
        if self.to_trash:
            return gettext("Moved %(what)s to the trash.") % {"what": self.title}
        text = f"Deleted {self.title}."
        if gone := self.taken(Kind.CASCADE, Kind.DB_CASCADE):
            text += f" With it: {_and([group.text for group in gone])}."
        if unlinked := self.taken(Kind.UNLINK):
            text += f" Unlinked: {_and([group.text for group in unlinked])}."
        return text


def row_key(row: Any) -> Key:
    return tuple(sa_inspect(row).mapper.primary_key_from_instance(row))


def _key_text(key: Key) -> str:
    text = "#" + ";".join(str(value) for value in key)
    return text if len(text) <= 40 else text[:39] + "…"


def _and(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _reasons_text(reasons: Sequence[Reason]) -> str:
    """``12 users and 3 projects refer to it; 2 orders refer to projects …``."""
    by_within: dict[str | None, list[Reason]] = {None: []}
    too_deep: list[str] = []
    for reason in reasons:
        if reason.too_deep:
            too_deep.append(
                f"{reason.what} below it nest more than {MAX_DEPTH} levels deep"
            )
        else:
            by_within.setdefault(reason.within, []).append(reason)
    clauses: list[str] = []
    for within, group in by_within.items():
        if not group:
            continue
        verb = "refers" if len(group) == 1 and group[0].count == 1 else "refer"
        target = "it" if within is None else f"{within} that would go with it"
        clauses.append(f"{_and([reason.what for reason in group])} {verb} to {target}")
    return "; ".join(clauses + too_deep)
