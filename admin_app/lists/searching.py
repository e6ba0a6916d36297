"""List search: ``?search=term`` narrows a list to the rows where one of the
view's ``column_searchable_list`` fields matches the term, from an index
wherever one can serve it (see :mod:`admin_app.lists.matching`).

By default (``match=prefix``) a row matches when

* a text field *starts with* the term (``%``, ``_`` and ``\\`` literal), as
  index range scans;
* an e-mail field *is* the term, when the term looks like an e-mail address;
* any other field (number, enum, UUID, date, date-time, boolean) *equals* the
  term read as that field's type; a term that is not such a value leaves the
  field out (never a ``CAST``, which no index serves);
* or, whatever the fields, its single primary key *is* the term (a number or
  a UUID).

``match=contains`` (or a view's ``search_contains = True``) looks for the term
anywhere instead: ``ILIKE '%term%'``, other fields read as text, a scan of
every row, on explicit request. The primary key shortcut holds there too.

A field may name a relation path (``customer.email``): a row matches when a
related row does. A row lists once however many related rows match, and a row
without a related row is still found by its own fields.

By default a search also reaches the labels of the model's many-to-one
relations (a view's ``search_related``, inferred by
:func:`related_label_paths`): an order is found by its requester's name, as
``requester_id IN (SELECT id FROM (SELECT id FROM app_user WHERE full_name
starts with the term LIMIT 100))``, a range scan of the label's index capped at
:data:`RELATED_LABEL_LIMIT` related rows, then the foreign key's index. (By
prefix only: "contains" leaves them out, as it would read the related table.)

The term is stripped of surrounding spaces, and an empty one searches nothing.
A term longer than :data:`MAX_TERM_LENGTH` or holding a NUL is refused (400).
"""

import re
import uuid
from contextlib import suppress
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from sqladmin import ModelView
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Integer,
    Numeric,
    Select,
    Uuid,
    and_,
    false,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import RelationshipDirection, RelationshipProperty, aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine
from sqlmodel import SQLModel
from starlette import status
from starlette.exceptions import HTTPException
from starlette.requests import Request

from admin_app.inspection import columns_of, mapper_of, relations_of
from admin_app.labels import label_attribute
from admin_app.lists.matching import (
    base_type,
    contains_match,
    email_match,
    integer_term,
    is_email_name,
    is_email_term,
    is_text,
    key_matches,
    prefix_match,
)

MATCH_PARAM = "match"
CONTAINS = "contains"
PREFIX = "prefix"
# Longer is a paste gone wrong: no row's field starts with 200 typed characters.
MAX_TERM_LENGTH = 200
# Related rows whose label may match a search: more is a term to type on.
RELATED_LABEL_LIMIT = 100

_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_MAX_NUMBER_LENGTH = 40
_TRUE = frozenset({"true", "yes"})
_FALSE = frozenset({"false", "no"})


def wants_contains(view: ModelView, request: Request) -> bool:
    """Whether this search is a 'contains' one: the request asks (query parameter
    ``match=contains``; ``match=prefix`` asks for the default) or else the view's
    ``search_contains`` option (a bool class attribute, default False) says so."""
    asked = request.query_params.get(MATCH_PARAM)
    if asked in (CONTAINS, PREFIX):
        return asked == CONTAINS
    return bool(getattr(view, "search_contains", False))


def search_statement(
    view: ModelView, stmt: Select[Any], term: str, *, contains: bool
) -> Select[Any]:
    """``stmt`` narrowed to the rows matching ``term`` over
    ``view._search_fields``."""
    term = search_term(term)
    related = list(getattr(view, "search_related", None) or [])
    if not term or not (view._search_fields or related):
        return stmt
    if contains:
        clauses = [
            field_match(view.model, path, term, contains=True)
            for path in view._search_fields
        ]
        found = [c for c in clauses if c is not None] + key_matches(view.model, term)
        return stmt.where(or_(*found) if found else false())
    zone = _display_timezone(view)
    return stmt.where(
        matching_keys(view.model, view._search_fields, term, zone, related)
    )


def related_label_paths(model: type[Any]) -> list[str]:
    """The model's many-to-one relations (by one column, to a one-column key)
    whose target is labelled by an indexed text column."""
    paths: list[str] = []
    for relation in relations_of(model):
        if relation.direction is not RelationshipDirection.MANYTOONE:
            continue
        if _label_lookup(relation) is not None:
            paths.append(relation.key)
    return paths


def _label_lookup(relation: RelationshipProperty[Any]) -> tuple[Any, Any, Any] | None:
    """``(local key column, target key, target label column)``, or None."""
    pairs = relation.local_remote_pairs or []
    if len(pairs) != 1:
        return None
    local, remote = pairs[0]
    target: type[SQLModel] = relation.mapper.class_
    keys = mapper_of(target).primary_key
    if len(keys) != 1 or keys[0] is not remote:
        return None
    label = label_attribute(target)
    facts = {fact.name: fact for fact in columns_of(target)}
    fact = facts.get(label or "")
    if fact is None or not fact.is_string or not fact.is_indexed:
        return None
    return local, remote, fact.column


def related_label_match(
    model: type[Any], name: str, term: str
) -> ColumnElement[bool] | None:
    """``fk IN (SELECT key FROM target WHERE label starts with term LIMIT n)``
    for the relation ``name``; None when it has no label to search."""
    relation = getattr(model, name, None)
    prop = getattr(relation, "property", None)
    if not isinstance(prop, RelationshipProperty):
        return None
    found = _label_lookup(prop)
    if found is None:
        return None
    local, remote, label = found
    labels = select(remote).where(prefix_match(label, term)).limit(RELATED_LABEL_LIMIT)
    # In a derived table of its own: MySQL/MariaDB take no LIMIT in an IN's
    # subquery itself ("doesn't yet support 'LIMIT & IN … subquery'").
    capped = labels.subquery()
    return local.in_(select(*capped.c))  # type: ignore[no-any-return]


def matching_keys(
    model: type[Any],
    paths: list[str],
    term: str,
    zone: tzinfo = UTC,
    related: list[str] | None = None,
) -> ColumnElement[bool]:
    """``model``'s key is one of the keys of the rows matching ``term`` by
    prefix over the fields ``paths``: ``key IN (SELECT key … UNION ALL …)``.

    Asked apart, the matching keys are found from the fields' indexes before
    the list is sorted. A plain ``WHERE`` under the list's ``ORDER BY … LIMIT``
    lets SQLite (which plans without the parameters' values) walk the primary
    key or the sorted column's index and test every row instead: all of them
    when few match. Each relation path is a branch of its own, joined, so that
    its index serves it too.
    """
    keys = list(mapper_of(model).primary_key)
    own: list[ColumnElement[bool]] = []
    branches: list[Select[Any]] = []
    for path in paths:
        *relations, name = path.split(".")
        query: Select[Any] = select(*keys)
        current = model
        for relation in relations:
            attribute = getattr(current, relation)
            target = aliased(attribute.property.mapper.class_)
            query = query.join(attribute.of_type(target))
            current = target
        clause = _attribute_match(current, name, term, False, zone)
        if clause is None:
            continue
        if relations:
            branches.append(query.where(clause).correlate(None))
        else:
            own.append(clause)
    for name in related or []:
        clause = related_label_match(model, name, term)
        if clause is not None:
            branches.append(select(*keys).where(clause).correlate(None))
    own += key_matches(model, term)
    if own:
        branches.insert(0, select(*keys).where(or_(*own)).correlate(None))
    if not branches:
        return false()
    found = branches[0] if len(branches) == 1 else union_all(*branches)
    key = keys[0] if len(keys) == 1 else tuple_(*keys)
    return key.in_(found)


def search_term(term: str) -> str:
    """``term`` stripped of surrounding spaces; refused (400) when too long or
    holding a NUL."""
    term = term.strip()
    if len(term) > MAX_TERM_LENGTH:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            f"The search term is too long: at most {MAX_TERM_LENGTH} characters.",
        )
    if "\x00" in term:  # PostgreSQL refuses it in text: an error, not "no match"
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, "The search term cannot hold a NUL character."
        )
    return term


def field_match(
    model: type[Any],
    path: str,
    term: str,
    *,
    contains: bool = False,
    zone: tzinfo = UTC,
) -> ColumnElement[bool] | None:
    """``model``'s rows whose field ``path`` (a column, or relations then a
    column: ``customer.email``) matches ``term``, a related row asked as
    ``EXISTS``; None when the field cannot match it."""
    *relations, name = path.split(".")
    hops: list[Any] = []
    current = model
    for relation in relations:
        attribute = getattr(current, relation)
        hops.append(attribute)
        current = attribute.property.mapper.class_
    clause = _attribute_match(current, name, term, contains, zone)
    for attribute in reversed(hops):
        if clause is not None:
            uselist = attribute.property.uselist
            clause = attribute.any(clause) if uselist else attribute.has(clause)
    return clause


def _attribute_match(
    model: Any, name: str, term: str, contains: bool, zone: tzinfo
) -> ColumnElement[bool] | None:
    column = getattr(model, name)
    if isinstance(getattr(column, "property", None), RelationshipProperty):
        return None  # a relation itself: nothing to compare the term with
    return _column_match(column, name, term, contains, zone)


def _column_match(
    column: Any, name: str, term: str, contains: bool, zone: tzinfo
) -> ColumnElement[bool] | None:
    if contains:
        return contains_match(column, term)
    if is_text(column):
        if is_email_name(name) and is_email_term(term):
            return email_match(column, term)
        return prefix_match(column, term)
    kind = getattr(column, "type", None)
    if not isinstance(kind, TypeEngine):
        return None
    value = typed_value(base_type(kind), term, zone)
    if value is None:
        return None
    if isinstance(value, tuple):  # a day of a date-time column
        start, end = value
        return and_(column >= start, column < end)
    if isinstance(value, list):  # enum members
        return column.in_(value)  # type: ignore[no-any-return]
    return column == value  # type: ignore[no-any-return]


def typed_value(kind: TypeEngine[Any], term: str, zone: tzinfo = UTC) -> Any:
    """``term`` as a value of a column of type ``kind``: a value, a list of enum
    members, or for a date-time column given a day a ``(start, end)`` range.
    None when ``term`` is no such value (or the type has no use for a term)."""
    if isinstance(kind, SAEnum):
        return _enum_values(kind, term)
    if isinstance(kind, Boolean):
        folded = term.casefold()
        if folded in _TRUE | _FALSE:
            return folded in _TRUE
        return None
    if isinstance(kind, Integer):
        return integer_term(kind, term)
    if isinstance(kind, Numeric):
        if len(term) > _MAX_NUMBER_LENGTH or not _DECIMAL.fullmatch(term):
            return None
        return Decimal(term)
    if isinstance(kind, Uuid):
        with suppress(ValueError):
            return uuid.UUID(term)
        return None
    if isinstance(kind, DateTime):
        return _moment(term, bool(kind.timezone), zone)
    if isinstance(kind, Date):
        with suppress(ValueError):
            return date.fromisoformat(term)
    return None


def _enum_values(kind: SAEnum, term: str) -> list[Any] | None:
    """The members named ``term`` or valued ``term``, ignoring case."""
    wanted = term.casefold()
    if kind.enum_class is not None:
        members: list[Any] = [
            member
            for member in kind.enum_class
            if wanted in (member.name.casefold(), str(member.value).casefold())
        ]
    else:
        members = [value for value in kind.enums if value.casefold() == wanted]
    return members or None


def _moment(term: str, aware: bool, zone: tzinfo) -> Any:
    """A date-time term: an ISO date is that whole day (a range), an ISO date
    and time that moment; both in the display time zone unless they say."""
    try:
        day: date | None = date.fromisoformat(term)
    except ValueError:
        day = None
    try:
        if day is None:
            return _stored(datetime.fromisoformat(term), aware, zone)
        start = datetime.combine(day, time())
        end = datetime.combine(day + timedelta(days=1), time())
        return _stored(start, aware, zone), _stored(end, aware, zone)
    except (ValueError, OverflowError):  # no date-time; or days past year 9999
        return None


def _stored(moment: datetime, aware: bool, zone: tzinfo) -> datetime:
    """``moment`` as its column holds it: in UTC for a column with a time zone,
    as the display time zone's wall time for one without."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if aware:
        return moment.astimezone(UTC)
    return moment.astimezone(zone).replace(tzinfo=None)


def _display_timezone(view: ModelView) -> tzinfo:
    zone = getattr(view, "display_timezone", None)
    found = zone() if callable(zone) else None
    return found if isinstance(found, tzinfo) else UTC
