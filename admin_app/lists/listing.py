"""The list's rows: the statement behind a list page and its export (filters,
search, sort), and the page itself (count, offset or keyset window, exactly
the relations and columns shown).

A list and its export read the same query parameters, so an export holds the
rows the user is looking at: ``search`` (and ``match``), each filter's
parameter, ``sortBy``/``sort``. Paging reads ``page`` (a number, or
``last``), ``pageSize``, ``after`` and ``before`` (see
:mod:`admin_app.lists.keyset`) and ``count`` (see
:mod:`admin_app.lists.counting`).

The last page (``page=last``) is the first page of the reversed order, cut
to what the exact count leaves for it and turned back: as cheap as page 1
wherever the list pages by key, and its Previous link seeks back from its
first row. Asking for it counts exactly (its number needs the count).

A page runs a fixed number of statements whatever its size: the count, the
rows (one more than shown, to know whether a next page exists), one per
relation shown (``selectinload``), and for a keyset page the lookup of its
boundary row.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from sqladmin import ModelView
from sqladmin._types import _UNSET, OperationColumnFilter, SimpleColumnFilter
from sqladmin.filters import get_column_obj
from sqlalchemy import Select
from sqlalchemy.orm import Session, load_only, selectinload
from starlette import status
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from admin_app.db import run_in_session
from admin_app.enums import reads_plainly
from admin_app.inspection import columns_of, local_columns, mapper_of
from admin_app.lists.columns import column_chooser, shown_columns
from admin_app.lists.counting import RowCount, cap_of, count_rows, wants_exact
from admin_app.lists.editable import editing_context
from admin_app.lists.filters import DateRangeFilter, ParamFilter
from admin_app.lists.keyset import (
    AFTER,
    BEFORE,
    SortKey,
    boundary_values,
    cursor_of,
    nulls_low,
    reverse,
    seek,
)
from admin_app.lists.page_edits import PageEdits
from admin_app.lists.pagination import (
    LAST_PAGE,
    LIST_PARAM,
    PAGING_PARAMS,
    ListPage,
    is_stale,
)
from admin_app.lists.panel import filter_panel
from admin_app.lists.params import FilterProblem, filter_problems
from admin_app.lists.rows import list_rows, render_rows
from admin_app.lists.trash import scoped, trash_links, wants_trash
from admin_app.messages import take_errors

if TYPE_CHECKING:
    from admin_app.site import AdminSite


@dataclass(frozen=True)
class ListQuery:
    """A list's statement, unpaged, and what it is made of."""

    stmt: Select[Any]
    # The columns the rows are ordered by, the primary key last; None when the
    # view sorts by its own ``sort_query`` (then pages are by offset only).
    order: list[SortKey] | None
    # Whether filters or a search narrow the view's ``list_query``.
    narrowed: bool
    # Filters left out for values they cannot use (the page says which).
    problems: tuple[FilterProblem, ...] = ()


async def list_statement(view: ModelView, request: Request) -> ListQuery:
    """The rows the list shows for ``request``, filtered, searched and sorted
    (the primary key breaks ties so that pages never overlap)."""
    stmt: Select[Any] = scoped(view, request, view.list_query(request))
    problems = filter_problems(view, request)
    stmt, applied = await _filter(view, request, stmt, problems)
    term = request.query_params.get("search", "").strip()
    searchable = bool(view._search_fields or getattr(view, "search_related", None))
    searched = bool(term) and searchable
    if searched:
        search_list = getattr(view, "search_list", None)
        if search_list is not None:
            stmt = search_list(request, stmt, term)
        else:
            stmt = view.search_query(stmt, term)
    order = ordering(view, request, applied)
    if order is None:
        stmt = view.sort_query(stmt, request)
    else:
        stmt = stmt.order_by(*(_clause(key) for key in order))
    narrowed = bool(applied) or searched or wants_trash(view, request)
    return ListQuery(stmt, order, narrowed, tuple(problems))


async def _filter(
    view: ModelView,
    request: Request,
    stmt: Select[Any],
    problems: Sequence[FilterProblem] = (),
) -> tuple[Select[Any], list[Any]]:
    """The list's filters: ours by their clauses, sqladmin's as its own
    ``list`` applies them, but those with ``problems``; and the filters that
    narrowed the list."""
    applied: list[Any] = []
    dropped = {problem.parameter_name for problem in problems}
    for filter_ in view.get_filters():
        if filter_.parameter_name in dropped:
            continue
        if isinstance(filter_, ParamFilter):
            clauses = filter_.clauses(view, request.query_params)
            if clauses:
                stmt = stmt.where(*clauses)
                applied.append(filter_)
            continue
        value = request.query_params.get(filter_.parameter_name)
        # sqladmin's marker: a filter without a default (ours was another
        # object, so that every yes/no filter counted as narrowing the list).
        default = getattr(filter_, "default_value", _UNSET)
        if not value and default is _UNSET:
            continue
        if getattr(filter_, "has_operator", False):
            operation = request.query_params.get(f"{filter_.parameter_name}_op")
            if operation:
                stmt = await cast(OperationColumnFilter, filter_).get_filtered_query(
                    stmt, operation, value, view.model
                )
                applied.append(filter_)
        else:
            stmt = await cast(SimpleColumnFilter, filter_).get_filtered_query(
                stmt, value, view.model
            )
            applied.append(filter_)
    return stmt, applied


def ordering(
    view: ModelView, request: Request, applied: Sequence[Any] = ()
) -> list[SortKey] | None:
    """The list's order as columns: the requested (or default) sort, then the
    primary key. ``None`` when the view overrides ``sort_query`` or sorts by a
    related model's column.

    A list filtered by a date range on an indexed column, in the inferred
    newest-first order, is listed newest first *by that date*: the same order
    wherever keys grow with time, and the only one a database reads from the
    range's index. (By key, a range of old rows is found by walking past every
    newer row: 1.8 million of them for a month of orders at scale 10.)"""
    if type(view).sort_query is not ModelView.sort_query:
        return None
    sort_by = request.query_params.get("sortBy")
    if sort_by:
        if sort_by not in view._sort_fields:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "Invalid sortBy parameter")
        wanted = [(sort_by, request.query_params.get("sort", "asc") == "desc")]
    else:
        wanted = _dated(view, applied) or view._get_default_sort()
    keys: list[SortKey] = []
    for field, descending in wanted:
        name = view._get_prop_name(field)
        if "." in name:
            return None
        keys.append(SortKey(getattr(view.model, name), descending))
    tie = keys[-1].descending if keys else True
    named = {key.column.key for key in keys}
    for name in _key_attributes(view):
        if name not in named:
            keys.append(SortKey(getattr(view.model, name), tie))
    return keys


def _key_attributes(view: ModelView) -> list[str]:
    mapper = mapper_of(view.model)
    return [mapper.get_property_by_column(key).key for key in mapper.primary_key]


def _dated(view: ModelView, applied: Sequence[Any]) -> list[tuple[str, bool]]:
    """``[(date column, descending)]`` for :func:`ordering`, or nothing."""
    keys = _key_attributes(view)
    if view._get_default_sort() != [(key, True) for key in keys]:
        return []
    indexed = {fact.name for fact in columns_of(view.model) if fact.is_indexed}
    for found in applied:
        if isinstance(found, DateRangeFilter):
            name = get_column_obj(found.column, view.model).key
            if name in indexed:
                return [(name, True)]
    return []


def _clause(key: SortKey) -> Any:
    return key.column.desc() if key.descending else key.column.asc()


def shown_loads(view: ModelView, shown: Sequence[str] | None = None) -> list[Any]:
    """Loader options for a list page: each relation shown (of ``shown``,
    the columns chosen, else the view's), in one statement per relation, and
    only the columns shown (with keys) where the view leaves rendering to us;
    a view with ``column_formatters`` (or its own ``get_list_value`` or
    ``get_prop_value``, which may read any column) gets whole rows."""
    names = set(view._list_prop_names if shown is None else shown)
    relations = [relation for relation in view._list_relations if relation.key in names]
    options: list[Any] = [selectinload(relation) for relation in relations]
    if (
        view.column_formatters
        # An editable row's snapshot holds every column (lists.editable).
        or getattr(view, "list_editable", None)
        or type(view).get_list_value is not ModelView.get_list_value
        or not reads_plainly(view)
    ):
        return options
    mapper = mapper_of(view.model)
    wanted = set(_key_attributes(view))
    for relation in relations:
        wanted |= local_columns(relation.property)
    wanted |= {name for name in names if name in mapper.columns}
    attributes = [getattr(view.model, key) for key in sorted(wanted)]
    return [*options, load_only(*attributes)]


def _page_numbers(view: ModelView, request: Request) -> tuple[int, int]:
    """The page asked for and its size; ``page=last`` reads as 1 here."""
    asked = request.query_params.get("page")
    page = 1 if asked == LAST_PAGE else view.validate_page_number(asked, 1)
    size = view.validate_page_number(
        request.query_params.get("pageSize"), view.page_size
    )
    size = min(size, max(view.page_size_options))
    if page < 1 or size < 1:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "Invalid page or pageSize")
    return page, size


async def list_page(
    view: ModelView, request: Request, query: ListQuery | None = None
) -> ListPage:
    """The page of rows ``request`` asks for (of ``query``, if made already)."""
    page, size = _page_numbers(view, request)
    if query is None:
        query = await list_statement(view, request)
    last = request.query_params.get("page") == LAST_PAGE
    cursor = cursor_of(request) if query.order is not None and not last else None
    exact = wants_exact(request) or last
    cap = cap_of(view)
    loads = shown_loads(view, shown_columns(view, request))

    def read(session: Session) -> ListPage:
        count = count_rows(
            session, view, query.stmt, narrowed=query.narrowed, exact=exact, cap=cap
        )
        stmt = query.stmt.options(*loads)
        number = max(1, -(-count.value // size)) if last else page
        if last and query.order is not None and count.value:
            return _last_page(session, stmt, query.order, number, size, count)
        values = None
        if cursor is not None and query.order is not None:
            values = boundary_values(
                session, view.model, query.order, cursor.identifier
            )
        if values is None or query.order is None:
            window = stmt.limit(size + 1).offset((number - 1) * size)
            rows = list(session.scalars(window).unique().all())
            keyset = query.order is not None
            return _page(rows, number, size, count, keyset, number > 1)
        order = reverse(query.order) if cursor and cursor.backwards else query.order
        low = nulls_low(session.get_bind().dialect)
        window = seek(stmt, order, values, nulls_low=low).limit(size + 1)
        rows = list(session.scalars(window).unique().all())
        if cursor is not None and cursor.backwards:
            more_before = len(rows) > size
            return ListPage(
                rows[:size][::-1], page, size, count, True, more_before, True
            )
        return _page(rows, page, size, count, True, True)

    return await run_in_session(view.session_maker, read)


def _last_page(
    session: Session,
    stmt: Select[Any],
    order: list[SortKey],
    page: int,
    size: int,
    count: RowCount,
) -> ListPage:
    """Page ``page``, the last of ``count`` rows: the rows it holds, read from
    the end of the list (the reversed order) and turned back."""
    held = count.value - (page - 1) * size
    clauses = [_clause(key) for key in reverse(order)]
    window = stmt.order_by(None).order_by(*clauses).limit(held)
    rows = list(session.scalars(window).unique().all())[::-1]
    return ListPage(rows, page, size, count, False, page > 1, True)


def _page(
    rows: list[Any],
    page: int,
    size: int,
    count: RowCount,
    keyset: bool,
    has_previous: bool,
) -> ListPage:
    return ListPage(
        rows[:size], page, size, count, len(rows) > size, has_previous, keyset
    )


async def list_page_response(
    site: "AdminSite", request: Request, edits: PageEdits | None = None
) -> Response:
    """sqladmin's list route, with our page: counts that do not read a big
    table, keyset Previous/Next, and pages past the end shown as empty
    (beyond an exact count: sent to the last page); ``edits``, a refused
    save of an editable list, shown by their cells."""
    can_list = await site._list(request)
    view = site._find_model_view(request.path_params["identity"])
    if is_stale(request.url, request.query_params.get(LIST_PARAM)):
        fresh = request.url.remove_query_params(PAGING_PARAMS)
        return RedirectResponse(fresh, status.HTTP_302_FOUND)
    context = {
        **await view.list_context(request),
        "model_view": view,
        "can_list": can_list,
        "can_import": view.can_import and await view.check_can_import(request),
        "trash": trash_links(view, request),
    }
    errors = []
    if can_list:
        query = await list_statement(view, request)
        pagination = await list_page(view, request, query)
        if not pagination.rows and pagination.count.exact and pagination.page > 1:
            last = max(1, -(-pagination.count.value // pagination.page_size))
            target = request.url.remove_query_params((AFTER, BEFORE))
            return RedirectResponse(
                target.include_query_params(page=last), status.HTTP_302_FOUND
            )
        pagination.add_links(request.url)
        context["pagination"] = pagination
        rows = await list_rows(view, request, pagination.rows)
        context.update(
            await editing_context(
                view, request, site.snapshots, pagination.rows, rows, edits
            )
        )
        context["rows_html"] = render_rows(site.templates.env, view, rows)
        context["shown_columns"] = shown_columns(view, request)
        context["column_chooser"] = column_chooser(view, request)
        context["filter_panel"] = await filter_panel(
            view, request, query, pagination.count
        )
        errors = [problem.message for problem in query.problems]
    # A refused delete's reason comes in the session: never from the URL,
    # where any link could put words in the page's red box.
    errors += take_errors(request)
    if errors:
        context["error"] = " ".join(errors)
    code = edits.status if edits is not None else status.HTTP_200_OK
    return await site.templates.TemplateResponse(
        request, view.list_template, context, status_code=code
    )
