"""The deletion planner: follows every foreign key that refers to the rows
being deleted, through cascades, and works out what goes, what is unlinked and
what refuses (the :class:`~admin_app.deletion.plans.Plan` it fills in)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqladmin.helpers import (
    prettify_class_name,
)
from sqlalchemy import (
    ColumnElement,
    Executable,
    ForeignKeyConstraint,
    Select,
    Subquery,
    Table,
    and_,
    delete,
    func,
    not_,
    select,
    update,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.sql import visitors

from admin_app.db import is_mysql

# Levels of rows that may go with a row: deep enough for real cascades, and a
# stop for self-referencing trees, whose depth only the data knows.
from admin_app.deletion.plans import (
    LABELS_SHOWN,
    MAX_DEPTH,
    ROOT_PREFIX,
    Affected,
    Group,
    Key,
    Kind,
    Names,
    Plan,
    Reason,
    Schema,
    _in,
    _matching,
    lower_words,
    referred_table,
    row_key,
)
from admin_app.inspection import humanize
from admin_app.keys import format_key
from admin_app.labels import pluralize, row_label
from admin_app.references import Reference


@dataclass
class _Node:
    """Rows of one table that the plan deletes: the selected rows, or rows that
    go with them. ``rows`` selects, for each, the key of the selected row it
    goes with (``_root0``…) and every column of the table (``_c0``…)."""

    table: Table
    rows: Subquery
    depth: int
    names: Names | None  # None: the selected rows themselves
    deleting: Executable
    before: list[Executable] = field(default_factory=list)

    def column(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        return self.rows.c[_label_of(self.table, column)]


def _label_of(table: Table, column: ColumnElement[Any]) -> str:
    return next(f"_c{i}" for i, each in enumerate(table.c) if each is column)


def _labelled(table: Table) -> list[ColumnElement[Any]]:
    # Positional labels: a self-referencing table joined to its own rows would
    # otherwise have two columns of each name.
    return [column.label(f"_c{index}") for index, column in enumerate(table.c)]


def _untied(node: _Node) -> list[Executable]:
    """Before deleting ``node``'s rows on MariaDB/MySQL, which check foreign
    keys row by row (not when the statement ends): their references to their
    own table emptied, so rows that refer to each other (a mentor and the
    mentee picked with it) go in one statement whatever order it takes.
    References from other rows are refused by the plan before this runs; rows
    found through those references (a tree's levels) are left as they are,
    level by level, deepest first."""
    where = getattr(node.deleting, "whereclause", None)
    columns = {
        element.parent: None
        for constraint in node.table.foreign_key_constraints
        if constraint.referred_table is node.table
        and all(element.parent.nullable for element in constraint.elements)
        for element in constraint.elements
    }
    if where is None or not columns:
        return []
    if any(item in columns for item in visitors.iterate(where)):
        return []  # the rows are found by those columns
    return [update(node.table).where(where).values(columns)]


def _every_column(table: Table, rows: Subquery) -> Select[Any]:
    """``rows`` (labelled by :func:`_labelled`) with their columns' own keys,
    and the key of the selected row each goes with (``_root0``…): the audit
    trail links each to that row's entry (:data:`ROOT_PREFIX`)."""
    roots = [column for column in rows.c if column.key.startswith(ROOT_PREFIX)]
    return select(
        *(
            rows.c[f"_c{index}"].label(column.key)
            for index, column in enumerate(table.c)
        ),
        *roots,
    )


class Planner:
    """Plans deleting rows of ``model``. ``names`` are the admin's names for the
    tables it has views of; other tables are named after their class or table."""

    def __init__(self, model: type, names: Mapping[Table, Names]) -> None:
        self.model = model
        mapper: Mapper[Any] = sa_inspect(model)
        assert isinstance(mapper.local_table, Table)
        self.table = mapper.local_table
        self.schema = Schema.of(mapper.local_table, mapper)
        self._names = names
        self.key_columns: list[ColumnElement[Any]] = list(mapper.primary_key)
        self._roots = [
            f"{ROOT_PREFIX}{index}" for index in range(len(self.key_columns))
        ]

    def names(self, table: Table) -> Names:
        if table in self._names:
            return self._names[table]
        model = self.schema.classes.get(table)
        name = prettify_class_name(model.__name__) if model else humanize(table.name)
        return Names(lower_words(name), lower_words(pluralize(name)))

    def plan(self, session: Session, keys: Sequence[Key]) -> Plan:
        """What deleting the rows of ``keys`` implies; changes nothing.

        Queries are bounded by the schema: per table reached, one COUNT per
        foreign key that points at it, and one for the labels shown.
        """
        found: Sequence[Any] = session.scalars(
            select(self.model).where(_matching(self.key_columns, keys))
        ).all()
        by_key = {row_key(row): row for row in found}
        plan = Plan(
            self.names(self.table),
            list(keys),
            rows=[by_key[key] for key in keys if key in by_key],
            missing=[key for key in keys if key not in by_key],
        )
        if plan.blocked:
            return plan
        selected = _matching(self.key_columns, keys)
        roots = [c.label(r) for c, r in zip(self.key_columns, self._roots, strict=True)]
        nodes = [
            _Node(
                self.table,
                select(*roots, *_labelled(self.table)).where(selected).subquery(),
                0,
                None,
                delete(self.table).where(selected),
            )
        ]
        plan.affected.append(self._affected(nodes[0], None))
        groups: dict[tuple[Kind, Table], Group] = {}
        for node in nodes:  # grows while rows that go along turn up
            for constraint, kind in self.schema.referencing.get(node.table, ()):
                rows = self._rows(node, constraint)
                if kind is Kind.UNLINK or kind is Kind.LINKS:
                    if self._detach(session, node, constraint, kind, rows, groups):
                        emptied = (
                            tuple(key.parent.key for key in constraint.elements)
                            if kind is Kind.UNLINK
                            else ()
                        )
                        plan.affected.append(
                            Affected(
                                constraint.table,
                                self.schema.classes.get(constraint.table),
                                kind,
                                _every_column(constraint.table, rows),
                                emptied,
                            )
                        )
                    continue
                counts = self._counts(session, rows, constraint, kind, keys)
                if not counts:
                    continue
                if kind is Kind.BLOCK or node.depth >= MAX_DEPTH:
                    self._refuse(plan, node, constraint, kind, counts)
                    continue
                names = self.names(constraint.table)
                group = groups.setdefault((kind, constraint.table), Group(kind, names))
                group.count += sum(counts.values())
                group.labels += self._labels(session, constraint.table, rows, group)
                nodes.append(
                    _Node(
                        constraint.table,
                        rows,
                        node.depth + 1,
                        names,
                        delete(constraint.table).where(
                            self._matching(node, constraint)
                        ),
                    )
                )
                plan.affected.append(self._affected(nodes[-1], kind))
        plan.groups = sorted(groups.values(), key=lambda g: list(Kind).index(g.kind))
        # Deepest first: each node's rows are found through its parent's rows,
        # and what refers to them (links, unlinked rows) goes before they do.
        per_row = is_mysql(session.get_bind().dialect.name)
        for node in reversed(nodes):
            untie = _untied(node) if per_row else []
            plan.statements += [*node.before, *untie, node.deleting]
        return plan

    def _affected(self, node: _Node, kind: Kind | None) -> Affected:
        table = node.table
        model = self.schema.classes.get(table)
        return Affected(table, model, kind, _every_column(table, node.rows))

    def _rows(self, node: _Node, constraint: ForeignKeyConstraint) -> Subquery:
        """The rows of ``constraint``'s table that refer to ``node``'s rows."""
        on = and_(
            *(key.parent == node.column(key.column) for key in constraint.elements)
        )
        return (
            select(*(node.rows.c[r] for r in self._roots), *_labelled(constraint.table))
            .select_from(constraint.table.join(node.rows, on))
            .subquery()
        )

    def _matching(self, node: _Node, constraint: ForeignKeyConstraint) -> Any:
        """A WHERE for the rows of ``constraint``'s table that refer to ``node``."""
        columns = [key.parent for key in constraint.elements]
        return _in(
            columns, select(*(node.column(k.column) for k in constraint.elements))
        )

    def _counts(
        self,
        session: Session,
        rows: Subquery,
        constraint: ForeignKeyConstraint,
        kind: Kind,
        keys: Sequence[Key],
    ) -> dict[Key, int]:
        """How many of ``rows`` go with (or refer to) each selected row."""
        roots = [rows.c[r] for r in self._roots]
        counting = select(*roots, func.count()).group_by(*roots)
        if kind is Kind.BLOCK and constraint.table is self.table:
            # Selected rows that refer to each other go together (in one
            # statement, which the database checks as a whole).
            own = [rows.c[_label_of(self.table, c)] for c in self.key_columns]
            counting = counting.where(not_(_matching(own, keys)))
        return {tuple(row[:-1]): int(row[-1]) for row in session.execute(counting)}

    def _refuse(
        self,
        plan: Plan,
        node: _Node,
        constraint: ForeignKeyConstraint,
        kind: Kind,
        counts: Mapping[Key, int],
    ) -> None:
        for key, count in counts.items():
            if kind is Kind.BLOCK:
                reason = Reason(
                    self._referring(constraint, count),
                    count,
                    within=node.names.plural if node.names else None,
                )
            else:
                reason = Reason(
                    self.names(constraint.table).plural, count, too_deep=True
                )
            plan.reasons.setdefault(key, []).append(reason)

    def _referring(self, constraint: ForeignKeyConstraint, count: int) -> str:
        """``3 orders``, or ``3 orders (as requester)`` when rows of that table
        refer to the same table in more than one way."""
        table = constraint.table
        text = self.names(table).count(count)
        target = referred_table(constraint)
        ways = [c for c in table.foreign_key_constraints if referred_table(c) is target]
        if len(ways) > 1:
            text += f" (as {humanize(constraint.columns[0].name).lower()})"
        return text

    def _detach(
        self,
        session: Session,
        node: _Node,
        constraint: ForeignKeyConstraint,
        kind: Kind,
        rows: Subquery,
        groups: dict[tuple[Kind, Table], Group],
    ) -> bool:
        """Plan unlinking (SET NULL) rows, or removing link rows, that refer to
        ``node``'s rows; False when there are none."""
        count = session.scalar(select(func.count()).select_from(rows)) or 0
        if not count:
            return False
        table = constraint.table
        group = groups.setdefault((kind, table), Group(kind, self.names(table)))
        group.count += count
        matching = self._matching(node, constraint)
        if kind is Kind.UNLINK:
            group.labels += self._labels(session, table, rows, group)
            emptied = {key.parent: None for key in constraint.elements}
            node.before.append(update(table).where(matching).values(emptied))
        else:
            node.before.append(delete(table).where(matching))
        return True

    def _labels(
        self, session: Session, table: Table, rows: Subquery, group: Group
    ) -> list[str]:
        """Labels of the first of ``rows`` that ``group`` still has room for."""
        model = self.schema.classes.get(table)
        room = LABELS_SHOWN - len(group.labels)
        if model is None or room <= 0:
            return []
        key: list[ColumnElement[Any]] = list(sa_inspect(model).primary_key)
        chosen = select(*(rows.c[_label_of(table, c)] for c in key))
        found: Sequence[Any] = session.scalars(
            select(model).where(_in(key, chosen)).order_by(*key).limit(room)
        ).all()
        group.named += [
            Reference(model, format_key(row), row_label(row)) for row in found
        ]
        return [row_label(row) for row in found]
