"""Searchable relationship pickers: the AJAX lookups behind many-to-one and
many-to-many form fields and bare foreign-key columns, so that a form never loads
a whole related table and a lookup never reads one.

How a lookup (``GET /{identity}/ajax/lookup?name=&term=&page=``) searches:

* **By prefix, from an index**, with exact shortcuts: a row matches when one of
  its search columns (the target's row-label column and its indexed or unique
  string columns) *starts with* the term, or the term is the row's e-mail
  address or primary key; see :mod:`admin_app.lists.matching` for how such a search
  is served by a plain btree index. Exact matches are listed first.
* **Pages** of :data:`PICKER_LIMIT` rows in a deterministic order (exact matches,
  then the label column, then the primary key), fetched one row over to answer
  select2's ``pagination.more``. ``page`` is 1-based; an unusable value means
  page 1, and pages stop at :data:`MAX_PICKER_PAGE`.
* **Only rows the user may see**: each lookup passes through the view's
  ``picker_query(request, target, stmt)`` hook, and is refused (403) to a user
  who can neither create nor edit with the form, or who may not view the
  target model (:func:`admin_app.security.permissions.may_view_model`).

Two rows with the same label (two "Olivia Bianchi") are told apart by a second
line: each result whose label another result of the page shares carries a
``detail`` (its e-mail or another distinguishing column, else ``#key``; see
:func:`admin_app.labels.row_detail`), and a current choice whose label another
row has reads ``Olivia Bianchi (olivia.b@example.com)`` in its ``<option>``
(one query per field, and none when the label's column is unique).

``statics/js/pickers.js`` makes select2 ask for the next page as the user
scrolls, and shows the detail under the label.
"""

from collections import Counter
from collections.abc import Collection, Iterable
from functools import partial
from typing import Any

from sqladmin.ajax import QueryAjaxModelLoader
from sqladmin.authorization import Action
from sqladmin.helpers import get_object_identifier
from sqlalchemy import Select, case, false, func, or_, select
from sqlalchemy.orm import RelationshipProperty, Session
from sqlmodel import SQLModel
from starlette import status
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from admin_app.db import run_in_session
from admin_app.inspection import (
    columns_of,
    is_editable_relation,
    local_columns,
    mapper_of,
    relations_of,
)
from admin_app.keys import format_key, parse_key
from admin_app.labels import (
    label_attribute,
    labelled_by_column,
    row_detail,
    row_label,
)
from admin_app.lists.matching import exact_matches, is_text, prefix_match
from admin_app.lists.searching import search_term
from admin_app.references import key_wheres, referenced_model
from admin_app.security.permissions import may_view_model

PICKER_LIMIT = 20
# 1,000 rows of scrolling: past that, typing another letter is the faster search.
MAX_PICKER_PAGE = 50


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
        return {
            "id": str(get_object_identifier(model)),
            "text": row_label(model),
            "detail": row_detail(model),
        }

    def shared_labels_in(self, session: Session, labels: Collection[str]) -> set[str]:
        """Which of ``labels`` more than one row has: one grouped query on
        the label's column; none when the column is unique or the label is
        not a column's value."""
        name = labelled_by_column(self.model)
        column = mapper_of(self.model).columns.get(name) if name else None
        if column is None or column.unique or not labels:
            return set()
        stmt = (
            select(column)
            .where(column.in_(sorted(labels)))
            .group_by(column)
            .having(func.count() > 1)
        )
        return {str(label) for label in session.scalars(stmt)}

    def rows_by_key_in(self, session: Session, keys: Collection[str]) -> dict[str, Any]:
        """The rows named by ``keys`` (key texts), in one query, by their key
        text."""
        wheres = key_wheres(self.model, keys)
        if not wheres:
            return {}
        rows: Iterable[Any] = session.scalars(select(self.model).where(or_(*wheres)))
        return {format_key(row): row for row in rows}

    async def shared_labels(self, labels: Collection[str]) -> set[str]:
        """:meth:`shared_labels_in` in a session of its own."""
        if not labels:
            return set()
        return await run_in_session(
            self.model_admin.session_maker,
            partial(self.shared_labels_in, labels=labels),
        )

    async def format_by_pk(self, pk: Any) -> dict[str, Any]:
        if pk is None:
            return {}
        try:
            values = parse_key(self.model, str(pk))
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
            prefix_match(field, term) for field in self._cached_fields if is_text(field)
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
        order = [func.coalesce(o, "") if is_text(o) else o for o in self._ordering()]
        return stmt.order_by(*first, *order)

    def _ordering(self) -> list[Any]:
        """The configured order, then the primary key: deterministic pages."""
        order = list(self._cached_fields_order_by)
        named = {getattr(field, "key", None) for field in order}
        keys = mapper_of(self.model).primary_key
        return order + [key for key in keys if key.key not in named]


def distinguished(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``results`` keeping a ``detail`` only where another result shares the label."""
    seen = Counter(result.get("text") for result in results)
    for result in results:
        if seen[result.get("text")] < 2:
            result.pop("detail", None)
    return results


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
    if loader is None or not term:
        raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST)
    # A picker offers the target model's rows: only to who may view them.
    if not may_view_model(site, request, loader.model):
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)
    # The list search's limits: too long or holding a NUL is a 400.
    term = search_term(term)
    page = parse_page(request.query_params.get("page"))
    rows: list[Any] = []
    more = False
    if term and isinstance(loader, LabelledAjaxLoader):
        rows, more = await loader.get_page(request, term, page)
    elif term and page == 1:  # a plain ModelView's loader: one page, its way
        rows = list(await loader.get_list(request, term))
    return JSONResponse(
        {
            "results": distinguished([loader.format(row) for row in rows]),
            "pagination": {"more": more},
        }
    )
