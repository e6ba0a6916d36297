"""The detail page's collections, shown at any size without loading them.

A one-to-many relation shows a count and a link to the child's list filtered to
this parent; any other collection (many-to-many) a count and the first few labels.
One statement counts every collection of the row; each non-empty many-to-many
relation adds one query of at most ``SAMPLE_SIZE`` rows. To-one relations are not
collections: sqladmin shows them, the one related row each.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlencode

from sqladmin import ModelView
from sqladmin.authorization import Action
from sqladmin.filters import ForeignKeyFilter, OperationColumnFilter
from sqladmin.i18n import gettext
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import (
    Mapper,
    RelationshipDirection,
    RelationshipProperty,
    Session,
    aliased,
)
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression
from starlette.requests import Request

from admin_app.db import AnySessionMaker, run_in_session
from admin_app.inspection import humanize, mapper_of, relations_of
from admin_app.keys import format_key, parse_key
from admin_app.labels import row_label

SAMPLE_SIZE = 10


@dataclass(frozen=True)
class Item:
    """One row of a collection: its label, and its detail page when there is one."""

    label: str
    url: str | None = None


@dataclass(frozen=True)
class Collection:
    """What the detail page shows for one to-many relation."""

    key: str
    title: str
    count: int
    list_url: str | None = None
    # The first rows of a many-to-many relation (a one-to-many one links instead).
    items: tuple[Item, ...] = ()
    # The child's create form with this row chosen as its parent.
    add_url: str | None = None
    add_title: str = ""

    @property
    def more(self) -> int:
        """How many rows the items leave out."""
        return self.count - len(self.items) if self.items else 0


@dataclass(frozen=True)
class Facts:
    """What one visit to the database tells about a row's collections."""

    counts: dict[str, int]
    # The parent's value each linkable one-to-many relation is filtered by.
    link_values: dict[str, Any]
    # The first rows of each sampled relation: (label, identifier for its URL).
    samples: dict[str, list[tuple[str, Any]]]


def is_collection(relation: RelationshipProperty[Any]) -> bool:
    """A relation that holds many rows (one-to-one relations hold one)."""
    return bool(relation.uselist)


def collections_of(model: type[Any]) -> tuple[RelationshipProperty[Any], ...]:
    return tuple(r for r in relations_of(model) if is_collection(r))


def is_sampled(relation: RelationshipProperty[Any]) -> bool:
    """Collections shown by their first labels; one-to-many ones link instead."""
    return (
        relation.direction is not RelationshipDirection.ONETOMANY
        or relation.secondary is not None
    )


def link_column(relation: RelationshipProperty[Any]) -> tuple[str, str] | None:
    """(parent attribute, child attribute) of a one-to-many relation joined by
    one equality: only then does a single list filter select exactly its rows
    (not for composite keys, nor for joins with extra conditions)."""
    join = relation.primaryjoin
    if (
        is_sampled(relation)
        or len(relation.local_remote_pairs) != 1
        or not isinstance(join, BinaryExpression)
        or join.operator is not operators.eq
    ):
        return None
    ((parent_column, child_column),) = relation.local_remote_pairs
    parent = relation.parent.get_property_by_column(parent_column).key
    child = relation.mapper.get_property_by_column(child_column).key
    return parent, child


def _attribute(entity: type[Any], mapper: Mapper[Any], column: Any) -> Any:
    """``column``'s attribute on ``entity`` (``mapper``'s class or an alias of it)."""
    return getattr(entity, mapper.get_property_by_column(column).key)


def _by_key(
    entity: type[Any], model: type[Any], values: Sequence[Any]
) -> list[ColumnElement[bool]]:
    """``entity`` (``model`` or an alias of it) has the primary key ``values``."""
    mapper = mapper_of(model)
    return [
        _attribute(entity, mapper, column) == value
        for column, value in zip(mapper.primary_key, values, strict=True)
    ]


def _joined(
    model: type[Any], relation: RelationshipProperty[Any], key: Sequence[Any]
) -> tuple[Select[Any], type[Any]]:
    """The row joined to its relation's targets, aliased on both sides so that a
    relation to its own table (or this statement's table) joins cleanly."""
    parent = aliased(model)
    target = aliased(relation.mapper.class_)
    stmt = (
        select()
        .select_from(parent)
        .join(getattr(parent, relation.key).of_type(target))
        .where(*_by_key(parent, model, key))
    )
    return stmt, target


def count_statement(
    model: type[Any],
    relations: Sequence[RelationshipProperty[Any]],
    key: Sequence[Any],
    link_attributes: Sequence[str] = (),
) -> Select[Any]:
    """One row: each relation's count (as its key) and the given parent columns."""
    counts = [
        _joined(model, relation, key)[0]
        .add_columns(func.count())
        .correlate(None)
        .scalar_subquery()
        .label(relation.key)
        for relation in relations
    ]
    columns = [getattr(model, name).label(f"parent_{name}") for name in link_attributes]
    return select(*counts, *columns).where(*_by_key(model, model, key))


def sample_statement(
    model: type[Any], relation: RelationshipProperty[Any], key: Sequence[Any]
) -> Select[Any]:
    """The relation's first ``SAMPLE_SIZE`` targets, in primary-key order."""
    stmt, target = _joined(model, relation, key)
    mapper = relation.mapper
    order = [_attribute(target, mapper, column) for column in mapper.primary_key]
    return stmt.add_columns(target).order_by(*order).limit(SAMPLE_SIZE)


def fetch(
    session: Session,
    model: type[Any],
    key: Sequence[Any],
    relations: Sequence[RelationshipProperty[Any]],
) -> Facts:
    """Count ``relations`` of the row keyed ``key``; sample the many-to-many ones.

    Labels are made here, inside the session, so that a model's ``__str__`` may
    read what it likes."""
    linked = {r.key: link for r in relations if (link := link_column(r)) is not None}
    parents = sorted({parent for parent, _ in linked.values()})
    row = session.execute(count_statement(model, relations, key, parents)).first()
    if row is None:
        return Facts({}, {}, {})
    values = row._mapping
    counts = {relation.key: int(values[relation.key]) for relation in relations}
    samples = {
        relation.key: [
            (row_label(target), format_key(target))
            for target in session.scalars(sample_statement(model, relation, key))
        ]
        for relation in relations
        if is_sampled(relation) and counts[relation.key]
    }
    link_values = {
        name: values[f"parent_{parent}"] for name, (parent, _) in linked.items()
    }
    return Facts(counts, link_values, samples)


def registered_view(view: ModelView, model: type[Any]) -> ModelView | None:
    """The admin's view of ``model``, beside ``view``; None when not registered."""
    admin = getattr(view, "_admin_ref", None)
    for candidate in getattr(admin, "views", ()):
        if isinstance(candidate, ModelView) and candidate.model is model:
            return candidate
    return None


def filter_query(view: ModelView, attribute: str, value: Any) -> dict[str, str] | None:
    """The list-page query that keeps the rows whose ``attribute`` equals ``value``,
    with a filter ``view`` has; None when it has none that can say so.

    sqladmin reads an operation filter as ``?name=value&name_op=equals``, a
    foreign-key filter as ``?name=value``."""
    text = _filter_text(value)
    if text is None:
        return None
    for found in view.get_filters():
        column = getattr(found, "column", getattr(found, "foreign_key", None))
        name = column if isinstance(column, str) else getattr(column, "key", None)
        if name != attribute:
            continue
        if isinstance(found, OperationColumnFilter):
            return {found.parameter_name: text, f"{found.parameter_name}_op": "equals"}
        if isinstance(found, ForeignKeyFilter):
            return {found.parameter_name: text}
    return None


def _filter_text(value: Any) -> str | None:
    """``value`` as a filter parameter, when the list filter reads it back exactly
    (it strips the text and drops an empty one, and it parses integers and UUIDs;
    other types may not compare equal after the round trip)."""
    if isinstance(value, bool) or not isinstance(value, int | str | uuid.UUID):
        return None
    text = str(value)
    return text if text and text == text.strip() else None


def _url(request: Request, name: str, **params: Any) -> str:
    return str(request.url_for(name, **params))


async def collections_for(view: ModelView, request: Request) -> list[Collection]:
    """The collections of the row on this detail page that sqladmin does not
    show itself: every to-many relation not in the view's details columns (it
    would load those whole) nor in its ``column_details_exclude_list``."""
    excluded = {
        name if isinstance(name, str) else name.key
        for name in getattr(view, "column_details_exclude_list", None) or ()
    }
    shown = set(view._details_prop_names) | excluded
    relations = [r for r in collections_of(view.model) if r.key not in shown]
    if not relations:
        return []
    key = parse_key(view.model, request.path_params["pk"])
    facts = await run_in_session(
        cast(AnySessionMaker, view.session_maker),
        lambda session: fetch(session, view.model, key, relations),
    )
    return [_collection(view, request, relation, facts) for relation in relations]


def _collection(
    view: ModelView,
    request: Request,
    relation: RelationshipProperty[Any],
    facts: Facts,
) -> Collection:
    title = view._column_labels.get(relation.key) or humanize(relation.key)
    count = facts.counts.get(relation.key, 0)
    target = registered_view(view, relation.mapper.class_)
    if target is not None and not target.is_accessible(request):
        target = None
    if is_sampled(relation):
        items = tuple(
            Item(label, _details_url(request, target, pk))
            for label, pk in facts.samples.get(relation.key, ())
        )
        return Collection(relation.key, title, count, items=items)
    link = link_column(relation)
    if target is None or link is None:
        return Collection(relation.key, title, count)
    value = facts.link_values.get(relation.key)
    query = filter_query(target, link[1], value)
    list_url = _url(request, "admin:list", identity=target.identity)
    return Collection(
        relation.key,
        title,
        count,
        list_url=None if query is None else f"{list_url}?{urlencode(query)}",
        add_url=_add_url(request, target, link[1], value),
        add_title=gettext("Add %(name)s") % {"name": target.name},
    )


def _add_url(
    request: Request, view: ModelView, attribute: str, value: Any
) -> str | None:
    """The child's create form, its parent chosen (``?order_id=7``): the form
    pre-fills the picker with a key it finds (admin_app.forms.inlines)."""
    text = _filter_text(value)
    if text is None or not view.can_create:
        return None
    if not view.has_permission(request, Action.CREATE):
        return None
    url = _url(request, "admin:create", identity=view.identity)
    return f"{url}?{urlencode({attribute: text})}"


def _details_url(request: Request, view: ModelView | None, pk: Any) -> str | None:
    if view is None or not view.can_view_details:
        return None
    return _url(request, "admin:details", identity=view.identity, pk=pk)
