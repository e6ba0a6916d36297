"""Searchable relationship pickers: the AJAX lookups behind many-to-one and
many-to-many form fields and bare foreign-key columns, so that a form never loads
a whole related table and a lookup never reads one.

How a lookup (``GET /{identity}/ajax/lookup?name=&term=&page=``) searches:

* **Prefix, never substring.** A row matches when one of its search columns (the
  target's row-label column and its indexed or unique string columns) *starts
  with* the term. The term's ``%``, ``_`` and ``\\`` are escaped (``ESCAPE '\\'``)
  so they match literally. (sqladmin's own loader runs
  ``CAST(col AS VARCHAR) ILIKE '%term%'``, which reads every row.)
* **From an index, case-insensitively enough.** Each search column is matched
  as typed, lower-case, capitalised, title-case and upper-case, each spelling as
  ``col >= lo AND col < hi AND col LIKE 'spelling%'``: a range scan that a plain
  btree index serves on SQLite and on PostgreSQL under any collation (a bare
  ``LIKE 'term%'`` uses one only under the C collation or ``text_pattern_ops``,
  ``ILIKE`` and ``lower(col)`` never without a special index). So "ada" finds
  "Ada Lovelace" and "ada@example.com", not "aDa"; mixed-case data is found by
  typing it as it is written.
* **Exact shortcuts**, by ``=``, which any btree serves: a term that looks like an
  e-mail address matches the target's e-mail columns (as typed, or lower-cased),
  an all-digit term matches an integer primary key, a UUID matches a UUID key.
  Exact matches are listed first.
* **Pages** of :data:`PICKER_LIMIT` rows in a deterministic order (exact matches,
  then the label column, then the primary key), fetched one row over to answer
  select2's ``pagination.more``. ``page`` is 1-based; an unusable value means
  page 1, and pages stop at :data:`MAX_PICKER_PAGE`.
* **Only rows the user may see**: each lookup passes through the view's
  ``picker_query(request, target, stmt)`` hook, and is refused (403) to a user
  who can neither create nor edit with the form, or who may not view the
  target model (:func:`admin_app.permissions.may_view_model`).

``statics/js/pickers.js`` makes select2 ask for the next page as the user scrolls.
"""

import re
import uuid
from collections.abc import Iterable
from contextlib import suppress
from typing import Any

from sqladmin.ajax import QueryAjaxModelLoader
from sqladmin.authorization import Action
from sqladmin.helpers import get_object_identifier, object_identifier_values
from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    Select,
    SmallInteger,
    String,
    Uuid,
    and_,
    case,
    false,
    func,
    or_,
    select,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.exc import NoReferencedTableError
from sqlalchemy.orm import RelationshipProperty
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator, TypeEngine
from sqlmodel import SQLModel
from starlette import status
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from admin_app.inspection import (
    columns_of,
    is_editable_relation,
    local_columns,
    mapper_of,
    relations_of,
)
from admin_app.labels import label_attribute, row_label
from admin_app.permissions import may_view_model

PICKER_LIMIT = 20
# 1,000 rows of scrolling: past that, typing another letter is the faster search.
MAX_PICKER_PAGE = 50
LIKE_ESCAPE = "\\"

_EMAIL_TERM = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_EMAIL_COLUMN = re.compile(r"(?:.+_)?e_?mail(?:_address)?", re.IGNORECASE)
_DIGITS = re.compile(r"[0-9]+")


def escape_like(term: str) -> str:
    """``term`` with LIKE's wildcards and its escape character made literal."""
    for char in (LIKE_ESCAPE, "%", "_"):  # the escape character first
        term = term.replace(char, LIKE_ESCAPE + char)
    return term


def prefix_match(column: Any, term: str) -> ColumnElement[bool]:
    """``column`` starts with ``term`` (as typed, lower-case, capitalised or
    upper-case), as btree range scans any index on ``column`` serves.

    Each spelling is ``column >= lo AND column < hi AND column LIKE 'spelling%'``:
    the range lets the database read the index from ``lo`` to ``hi`` whatever
    its collation; the ``LIKE`` keeps exactly the rows that start with it.
    """
    branches = [_spelling_match(column, spelling) for spelling in _spellings(term)]
    return or_(*branches)


def _spellings(term: str) -> list[str]:
    return list(
        dict.fromkeys(
            [term, term.lower(), term.capitalize(), term.title(), term.upper()]
        )
    )


def _spelling_match(column: Any, spelling: str) -> ColumnElement[bool]:
    like = column.like(escape_like(spelling) + "%", escape=LIKE_ESCAPE)
    bounds = _range(spelling)
    if bounds is None:
        return like  # type: ignore[no-any-return]
    low, high = bounds
    return and_(column >= low, column < high, like)


def _range(spelling: str) -> tuple[str, str] | None:
    """Bounds holding every string that starts with ``spelling``, in binary
    order and in linguistic collations (which skip punctuation at first): from
    the spelling up to its stem (to the last letter or digit) with that last
    character counted up. ``None`` when there is no letter or digit."""
    stem = spelling
    while stem and not stem[-1].isalnum():
        stem = stem[:-1]
    if not stem or ord(stem[-1]) >= 0x10FFFF:
        return None
    return stem, stem[:-1] + chr(ord(stem[-1]) + 1)


def _base_type(column_type: TypeEngine[Any]) -> TypeEngine[Any]:
    """The type under wrappers such as sqlmodel's AutoString."""
    while isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    return column_type


def _is_text(field: Any) -> bool:
    """Whether a search field holds text: a prefix means nothing to a number."""
    kind = getattr(field, "type", None)
    if not isinstance(kind, TypeEngine):
        return False
    kind = _base_type(kind)
    return isinstance(kind, String) and not isinstance(kind, SAEnum)


def _largest_int(kind: Integer) -> int:
    # A bigger literal would make PostgreSQL fail ("integer out of range").
    if isinstance(kind, SmallInteger):
        return 2**15 - 1
    if isinstance(kind, BigInteger):
        return 2**63 - 1
    return 2**31 - 1


def email_columns(target: type[SQLModel]) -> list[Column[Any]]:
    """The target's e-mail-like string columns (``email``, ``work_email``, …)."""
    return [
        fact.column
        for fact in columns_of(target)
        if fact.is_string and not fact.sensitive and _EMAIL_COLUMN.fullmatch(fact.name)
    ]


def exact_matches(target: type[SQLModel], term: str) -> list[ColumnElement[bool]]:
    """Equality shortcuts for a term that is an e-mail address, a number or a
    UUID; empty for any other term."""
    clauses: list[ColumnElement[bool]] = []
    if _EMAIL_TERM.fullmatch(term):
        typed = list(dict.fromkeys([term, term.lower()]))
        clauses += [column.in_(typed) for column in email_columns(target)]
    keys = mapper_of(target).primary_key
    if len(keys) != 1:
        return clauses
    key, kind = keys[0], _base_type(keys[0].type)
    if isinstance(kind, Integer) and _DIGITS.fullmatch(term):
        number = int(term)
        if number <= _largest_int(kind):
            clauses.append(key == number)
    elif isinstance(kind, Uuid):
        with suppress(ValueError):
            clauses.append(key == uuid.UUID(term))
    return clauses


def picker_query(
    view: Any, request: Request, target: type[Any], stmt: Select[Any]
) -> Select[Any]:
    """``stmt`` narrowed by the view's ``picker_query`` hook, if it has one."""
    hook = getattr(view, "picker_query", None)
    return stmt if hook is None else hook(request, target, stmt)


class LabelledAjaxLoader(QueryAjaxModelLoader):
    """sqladmin's loader, searching a page at a time by prefix and labelling rows
    with :func:`row_label` instead of ``str``."""

    def format(self, model: Any) -> dict[str, Any]:
        if not model:
            return {}
        return {"id": str(get_object_identifier(model)), "text": row_label(model)}

    async def format_by_pk(self, pk: Any) -> dict[str, Any]:
        if pk is None:
            return {}
        try:
            values = object_identifier_values(str(pk), self.model)
        except (TypeError, ValueError):
            return {}
        keys = tuple(mapper_of(self.model).primary_key)
        if len(values) != len(keys):
            return {}
        stmt: Select[Any] = select(self.model).where(
            *(k == v for k, v in zip(keys, values, strict=True))
        )
        rows = await self.model_admin._run_query(stmt.limit(1))
        return self.format(rows[0]) if rows else {}

    @property
    def page_size(self) -> int:
        return max(1, min(int(self.limit), PICKER_LIMIT))

    async def get_list(self, request: Request, term: str) -> list[Any]:
        """The first page, for callers of sqladmin's loader API."""
        rows, _ = await self.get_page(request, term, 1)
        return rows

    async def get_page(
        self, request: Request, term: str, page: int
    ) -> tuple[list[Any], bool]:
        """Page ``page`` (1-based) of the rows matching ``term``, and whether
        another page follows."""
        size = self.page_size
        stmt = await self.search_query(request, term)
        stmt = stmt.limit(size + 1).offset((page - 1) * size)
        rows = list(await self.model_admin._run_query(stmt))
        return rows[:size], len(rows) > size and page < MAX_PICKER_PAGE

    async def search_query(self, request: Request, term: str) -> Select[Any]:
        """The rows matching ``term`` that the user may see, in picker order."""
        exact = exact_matches(self.model, term)
        clauses: list[Any] = [
            prefix_match(field, term)
            for field in self._cached_fields
            if _is_text(field)
        ]
        clauses += exact
        stmt: Select[Any] = select(self.model)
        stmt = stmt.where(or_(*clauses) if clauses else false())
        if self.where is not None:
            stmt = stmt.where(*await self._prepare_where_clauses(request, term))
        stmt = picker_query(self.model_admin, request, self.model, stmt)
        # Ranking exact matches first rules out reading rows in index order, so
        # only terms that can match exactly pay for it.
        first = [case((or_(*exact), 0), else_=1)] if exact else []
        # Sorting by an expression, not the bare column, stops a planner from
        # walking the label's index in order and filtering as it goes (SQLite
        # does, and a late or absent prefix then reads the whole index): the
        # ranges above find the few matches, which are then sorted.
        order = [func.coalesce(o, "") if _is_text(o) else o for o in self._ordering()]
        return stmt.order_by(*first, *order)

    def _ordering(self) -> list[Any]:
        """The configured order, then the primary key: deterministic pages."""
        order = list(self._cached_fields_order_by)
        named = {getattr(field, "key", None) for field in order}
        keys = mapper_of(self.model).primary_key
        return order + [key for key in keys if key.key not in named]


def search_fields(target: type[SQLModel]) -> list[str]:
    """The target's columns a picker searches: indexed strings and its label."""
    fields = [
        fact.name
        for fact in columns_of(target)
        if fact.is_string and fact.is_indexed and not fact.sensitive
    ]
    label = label_attribute(target)
    if label and label not in fields:
        fields.append(label)
    if not fields:
        fields = [column.key for column in mapper_of(target).primary_key if column.key]
    return fields


def target_options(target: type[SQLModel]) -> dict[str, Any]:
    """``form_ajax_refs`` options for a picker of ``target`` rows."""
    fields = search_fields(target)
    strings = [fact.name for fact in columns_of(target) if fact.is_string]
    label = label_attribute(target)
    sort = label if label in fields else next((f for f in fields if f in strings), None)
    keys = [column.key for column in mapper_of(target).primary_key if column.key]
    return {
        "fields": fields,
        "order_by": ([sort] if sort and sort not in keys else []) + keys,
        "limit": PICKER_LIMIT,
    }


def picker_options(relation: RelationshipProperty[Any]) -> dict[str, Any]:
    """``form_ajax_refs`` options for one relation."""
    return target_options(relation.mapper.class_)


def referenced_model(model: type[SQLModel], column_name: str) -> type[SQLModel] | None:
    """The mapped class whose single-column primary key ``column_name`` references,
    or None (not a foreign key, a composite one, or to an unmapped table)."""
    column = mapper_of(model).columns.get(column_name)
    if column is None or len(column.foreign_keys) != 1:
        return None
    (key,) = column.foreign_keys
    if key.constraint is not None and len(key.constraint.columns) != 1:
        return None
    try:
        referenced = key.column
    except NoReferencedTableError:
        return None
    for mapper in mapper_of(model).registry.mappers:
        keys = mapper.primary_key
        if (
            mapper.local_table is referenced.table
            and mapper.inherits is None
            and len(keys) == 1
            and keys[0] is referenced
        ):
            return mapper.class_
    return None


def column_picker(view: Any, column_name: str) -> LabelledAjaxLoader | None:
    """A picker for a bare foreign-key column of ``view``'s model (one without a
    Relationship), named after the column; None if the column references no
    mapped primary key."""
    target = referenced_model(view.model, column_name)
    if target is None:
        return None
    return LabelledAjaxLoader(column_name, target, view, **target_options(target))


def column_pickers(view: Any) -> dict[str, LabelledAjaxLoader]:
    """Pickers for the form's foreign-key columns that no editable relation
    covers, by column name."""
    covered = {
        name
        for relation in relations_of(view.model)
        if is_editable_relation(relation)
        for name in local_columns(relation)
    }
    names: Iterable[str] = getattr(view, "_form_prop_names", [])
    pickers: dict[str, LabelledAjaxLoader] = {}
    for name in names:
        if name in covered or name in view._form_ajax_refs:
            continue
        loader = column_picker(view, name)
        if loader is not None:
            pickers[name] = loader
    return pickers


def find_loader(view: Any, name: str) -> QueryAjaxModelLoader | None:
    """The picker called ``name`` on ``view``: a relation's or a column's."""
    loader = view._form_ajax_refs.get(name)
    if loader is None:
        loader = getattr(view, "_column_ajax_refs", {}).get(name)
    return loader  # type: ignore[no-any-return]


def parse_page(raw: str | None) -> int:
    """select2's 1-based ``page``; anything unusable means page 1."""
    try:
        page = int(raw or 1)
    except ValueError:
        return 1
    return min(max(page, 1), MAX_PICKER_PAGE)


async def can_use_form(view: Any, request: Request) -> bool:
    """Whether the user may create or edit with ``view``'s form: the lookups serve
    only those, so listing alone opens no way to search related tables."""
    if not view.is_accessible(request):
        return False
    if view.can_create and await view.check_can_create(request):
        return True
    return bool(view.can_edit and view.has_permission(request, Action.EDIT))


async def lookup(site: Any, request: Request) -> Response:
    """One page of a picker's matches, in select2's format:
    ``{"results": [{"id", "text"}], "pagination": {"more": bool}}``."""
    view = site._find_model_view(request.path_params["identity"])
    if not await can_use_form(view, request):
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)
    name = request.query_params.get("name")
    term = request.query_params.get("term")
    loader = find_loader(view, name) if name else None
    # PostgreSQL refuses NUL in text (an error, not "no match"): refuse it here.
    if loader is None or not term or "\x00" in term:
        raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST)
    # A picker offers the target model's rows: only to who may view them.
    if not may_view_model(site, request, loader.model):
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)
    term = term.strip()
    page = parse_page(request.query_params.get("page"))
    rows: list[Any] = []
    more = False
    if term and isinstance(loader, LabelledAjaxLoader):
        rows, more = await loader.get_page(request, term, page)
    elif term and page == 1:  # a plain ModelView's loader: one page, its way
        rows = list(await loader.get_list(request, term))
    return JSONResponse(
        {
            "results": [loader.format(row) for row in rows],
            "pagination": {"more": more},
        }
    )
