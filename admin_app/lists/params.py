"""A list page's query parameters: only those it reads, once each (but the
picks of a foreign-key filter), with values it can use.

A parameter no page produces (an unknown name, a repeated one, an operation a
filter lacks, a page that is no number) is a 400. A filter's value a person
can type (a name in a key box, "yesterday" for a date) is a *problem*: the
list drops that filter and says so above the table; an export, which must hold
what the list shows, refuses it (400)."""

import math
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqladmin import ModelView
from sqladmin.filters import (
    BooleanFilter,
    ForeignKeyFilter,
    OperationColumnFilter,
    StaticValuesFilter,
    get_column_obj,
)
from sqladmin.i18n import gettext
from sqlalchemy import Date, DateTime, Float, Integer, Numeric, Uuid
from sqlalchemy.types import TypeDecorator
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request

from admin_app.lists.columns import (
    COLUMNS,
    asked_columns,
    check_columns,
    known_columns,
)
from admin_app.lists.counting import EXACT_PARAM
from admin_app.lists.filters import OP, FilterValueError, ParamFilter
from admin_app.lists.pagination import LAST_PAGE, PAGING_PARAMS
from admin_app.lists.trash import TRASH_ON, TRASH_PARAM, trash_params

# The list page's own parameters (``lang``, the language switcher's, below).
# ``error`` is read no more (messages travel in the session), but links made
# before carry it.
LIST_PARAMS = frozenset(
    {"page", "pageSize", "sortBy", "sort", "search", "match", "error"}
    # Keyset paging, the list's digest, an exact count: admin_app.lists.listing.
    | {*PAGING_PARAMS, EXACT_PARAM}
    # The columns shown, in order: admin_app.lists.columns.
    | {COLUMNS}
)
MAX_PARAM_LENGTH = 1000
_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")
_INT64 = (-(2**63), 2**63 - 1)


@dataclass(frozen=True)
class FilterProblem:
    """A filter's value it cannot read: the list goes on without the filter."""

    parameter_name: str
    title: str
    value: str

    @property
    def message(self) -> str:
        return gettext(
            "The filter “%(title)s” cannot use “%(value)s”: "
            "the list is shown without it."
        ) % {"title": self.title, "value": self.value[:80]}


def check_list_query(view: ModelView, request: Request) -> None:
    """Raise 400 unless every query parameter of the list page is one it reads,
    once, with a value it can use: unknown sorting, paging or filter values are
    refused rather than silently ignored (or failing in the database). What
    an export checks: it must hold what the list shows."""
    check_list_params(view, request)
    problems = filter_problems(view, request)
    if problems:
        _bad(problems[0].message)


def check_list_params(view: ModelView, request: Request) -> None:
    """Raise 400 unless every query parameter is one the list reads, given
    once (or a filter's repeatable one), in a shape some page produces."""
    filters: dict[str, Any] = {}
    # The chooser's checkboxes, without JavaScript: one parameter each.
    repeatable: set[str] = {COLUMNS}
    for found in view.get_filters():
        if isinstance(found, ParamFilter):
            filters.update(dict.fromkeys(found.parameters(), found))
            repeatable |= found.repeatable()
        else:
            filters[str(found.parameter_name)] = found
            if getattr(found, "has_operator", False):
                filters[f"{found.parameter_name}{OP}"] = found
    allowed = LIST_PARAMS | set(filters) | trash_params(view)
    if getattr(getattr(view, "_admin_ref", None), "i18n_config", None) is not None:
        allowed |= {"lang"}
    params = request.query_params
    for name, value in params.multi_items():
        if name not in allowed:
            _bad(f"Unknown list parameter {name!r}.")
        if len(params.getlist(name)) > 1 and name not in repeatable:
            _bad(f"The list parameter {name!r} is given more than once.")
        if len(value) > MAX_PARAM_LENGTH or "\x00" in value:
            _bad(f"Invalid value for the list parameter {name!r}.")
    for name in ("page", "pageSize"):
        if params.get(name) == LAST_PAGE and name == "page":
            continue
        if name in params and not _PAGE_NUMBER.fullmatch(params[name]):
            _bad("Invalid page or pageSize parameter.")
    if params.get("sort", "asc") not in ("asc", "desc"):
        _bad("Invalid sort parameter: asc or desc.")
    if params.get("match", "prefix") not in ("prefix", "contains"):
        _bad("Invalid match parameter: prefix or contains.")
    if params.get(TRASH_PARAM, TRASH_ON) != TRASH_ON:
        _bad("Invalid trash parameter: 1.")
    if params.get("count", "exact") != "exact":
        _bad("Invalid count parameter: exact.")
    if "sortBy" in params and params["sortBy"] not in view._sort_fields:
        _bad("Invalid sortBy parameter.")
    check_columns(view, params)
    for name, found in filters.items():
        operation = params.get(name)
        if not name.endswith(OP) or not operation:
            continue
        known = (
            found.operations
            if isinstance(found, ParamFilter)
            else frozenset(_operation_names(view, found))
        )
        if operation not in known:
            _bad(f"Invalid filter operation for {found.title!r}.")


def usable_params(
    view: ModelView, items: Sequence[tuple[str, str]]
) -> tuple[list[tuple[str, str]], list[str]]:
    """``items`` (a list's parameters, as a saved view keeps them) without
    those :func:`check_list_params` would refuse: the kept ones, and the
    names dropped (a filter or a sort the view no longer has, a column no
    longer listed). For a saved view, which opens with a message instead."""
    filters: dict[str, Any] = {}
    for found in view.get_filters():
        if isinstance(found, ParamFilter):
            filters.update(dict.fromkeys(found.parameters(), found))
        else:
            filters[str(found.parameter_name)] = found
            if getattr(found, "has_operator", False):
                filters[f"{found.parameter_name}{OP}"] = found
    allowed = LIST_PARAMS | set(filters)
    kept: list[tuple[str, str]] = []
    dropped: list[str] = []
    for name, value in items:
        if name not in allowed or len(value) > MAX_PARAM_LENGTH or "\x00" in value:
            dropped.append(name)
        elif name == COLUMNS:
            known, unknown = known_columns(
                view, asked_columns(QueryParams([(name, value)]))
            )
            dropped += unknown
            if known:
                kept.append((name, ",".join(known)))
        elif name == "sortBy" and value not in view._sort_fields:
            dropped.append(value)
        elif name.endswith(OP) and name in filters and value:
            found = filters[name]
            known_ops = (
                found.operations
                if isinstance(found, ParamFilter)
                else frozenset(_operation_names(view, found))
            )
            if value in known_ops:
                kept.append((name, value))
            else:
                dropped.append(str(found.title))
        else:
            kept.append((name, value))
    names = {name for name, _ in kept}
    if "sortBy" not in names:
        kept = [(name, value) for name, value in kept if name != "sort"]
    return kept, list(dict.fromkeys(dropped))


def filter_problems(view: ModelView, request: Request) -> list[FilterProblem]:
    """The filters whose values cannot be used, each with what it was given."""
    params = request.query_params
    problems: list[FilterProblem] = []
    for found in view.get_filters():
        title = str(getattr(found, "title", found.parameter_name))
        if isinstance(found, ParamFilter):
            try:
                found.clauses(view, params)
            except FilterValueError as error:
                problems.append(
                    FilterProblem(found.parameter_name, title, str(error.args[0]))
                )
            continue
        name = str(found.parameter_name)
        if name in params:
            value = params[name]
            operation = params.get(f"{name}{OP}", "")
            if not _fits_filter(view, found, value, operation):
                problems.append(FilterProblem(name, title, value))
    return problems


def _fits_filter(view: ModelView, found: Any, value: str, operation: str) -> bool:
    if value in ("", "__all"):
        return True
    if isinstance(found, BooleanFilter):
        return value in ("all", "true", "false")
    if isinstance(found, StaticValuesFilter):
        return value in {str(key) for key, _ in found.values}
    if isinstance(found, ForeignKeyFilter):
        column = get_column_obj(found.foreign_key, view.model)
        return not isinstance(column.type, Integer) or _is_int64(value)
    if isinstance(found, OperationColumnFilter) and operation:
        column = get_column_obj(found.column, view.model)
        return _fits_column(column.type, value.strip(), operation)
    return True


def _operation_names(view: ModelView, found: Any) -> set[str]:
    return {name for name, _ in found.get_operation_options_for_model(view.model)}


def _fits_column(column_type: Any, value: str, operation: str) -> bool:
    """Whether sqladmin's operation filter can compare the column with ``value``
    (it would otherwise drop the filter silently, or the database fail)."""
    if not value:
        return True
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl  # what the database stores
    try:
        if isinstance(column_type, Integer):
            return _is_int64(value)
        if isinstance(column_type, Numeric | Float):
            return math.isfinite(float(value))
        if isinstance(column_type, DateTime):
            datetime.fromisoformat(value)
        elif isinstance(column_type, Date):
            date.fromisoformat(value)
        elif isinstance(column_type, Uuid) and operation == "equals":
            uuid.UUID(value)
    except ValueError:
        return False
    return True


def _is_int64(value: str) -> bool:
    if not re.fullmatch(r"[+-]?[0-9]{1,19}", value.strip()):
        return False
    return _INT64[0] <= int(value) <= _INT64[1]


def _bad(message: str) -> None:
    raise HTTPException(status_code=400, detail=message)
