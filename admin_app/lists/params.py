"""A list page's query parameters: only those it reads, once each, with values
it can use (400 otherwise, rather than a silently ignored or failing filter)."""

import math
import re
import uuid
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
from sqlalchemy import Date, DateTime, Float, Integer, Numeric, Uuid
from sqlalchemy.types import TypeDecorator
from starlette.exceptions import HTTPException
from starlette.requests import Request

from admin_app.lists.counting import EXACT_PARAM
from admin_app.lists.filters import DateRangeFilter
from admin_app.lists.pagination import LAST_PAGE, PAGING_PARAMS

# The list page's own parameters (``lang``, the language switcher's, below).
# ``error`` is read no more (messages travel in the session), but links made
# before carry it.
LIST_PARAMS = frozenset(
    {"page", "pageSize", "sortBy", "sort", "search", "match", "error"}
    # Keyset paging, the list's digest, an exact count: admin_app.lists.listing.
    | {*PAGING_PARAMS, EXACT_PARAM}
)
MAX_PARAM_LENGTH = 1000
_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")
_INT64 = (-(2**63), 2**63 - 1)


def check_list_query(view: ModelView, request: Request) -> None:
    """Raise 400 unless every query parameter of the list page is one it reads,
    once, with a value it can use: unknown sorting, paging or filter values are
    refused rather than silently ignored (or failing in the database)."""
    filters: dict[str, Any] = {}
    for found in view.get_filters():
        filters[str(found.parameter_name)] = found
    operations = {
        f"{name}_op": found
        for name, found in filters.items()
        if getattr(found, "has_operator", False)
    }
    allowed = LIST_PARAMS | set(filters) | set(operations)
    if getattr(getattr(view, "_admin_ref", None), "i18n_config", None) is not None:
        allowed |= {"lang"}
    params = request.query_params
    for name, value in params.multi_items():
        if name not in allowed:
            _bad(f"Unknown list parameter {name!r}.")
        if len(params.getlist(name)) > 1:
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
    if params.get("count", "exact") != "exact":
        _bad("Invalid count parameter: exact.")
    if "sortBy" in params and params["sortBy"] not in view._sort_fields:
        _bad("Invalid sortBy parameter.")
    for name, found in operations.items():
        operation = params.get(name)
        if operation and operation not in _operation_names(view, found):
            _bad(f"Invalid filter operation for {found.title!r}.")
    for name, found in filters.items():
        if name in params:
            operation = params.get(f"{name}_op", "")
            _check_filter(view, found, params[name], operation)


def _check_filter(view: ModelView, found: Any, value: str, operation: str) -> None:
    title = getattr(found, "title", "a filter")
    if value in ("", "__all"):
        return
    if isinstance(found, BooleanFilter):
        if value not in ("all", "true", "false"):
            _bad(f"Invalid value for the filter {title!r}.")
    elif isinstance(found, StaticValuesFilter):
        if value not in {str(key) for key, _ in found.values}:
            _bad(f"Invalid value for the filter {title!r}.")
    elif isinstance(found, ForeignKeyFilter):
        column = get_column_obj(found.foreign_key, view.model)
        if isinstance(column.type, Integer) and not _is_int64(value):
            _bad(f"Invalid value for the filter {title!r}.")
    elif isinstance(found, DateRangeFilter) and operation:
        try:
            found.clauses(get_column_obj(found.column, view.model), operation, value)
        except ValueError:
            _bad(f"Invalid value for the filter {title!r}.")
    elif isinstance(found, OperationColumnFilter) and operation:
        column = get_column_obj(found.column, view.model)
        if not _fits_column(column.type, value.strip(), operation):
            _bad(f"Invalid value for the filter {title!r}.")


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
