"""Plain sqladmin over the shop, set up the way its users do it, as uvicorn's
factory (``uvicorn --factory benchmarks.plain_app:make_app``).

``BENCH_DATABASE_URL`` names the database. ``BENCH_PLAIN_SETUP`` picks the setup:

* ``naive`` (default): the loop most users write first - for each table a
  ``ModelView`` listing every column, searching the string columns, sorting by
  everything, 50 rows a page; forms left to sqladmin's defaults, so a relation
  is a ``<select>`` of the whole related table (one-to-many ones included).
* ``tuned``: the best a plain-sqladmin user can do - the same, plus
  ``form_ajax_refs`` for every many-to-one relation (searching the target's
  indexed string columns, e.g. ``customer: full_name, email``), one-to-many
  collections left out of the forms, and the list filters ours infers
  (sqladmin's own filter classes: foreign keys and dates by operation, enums
  by value).

Both log in through sqladmin's own ``AuthenticationBackend`` with one fixed
user, so both are measured logged in, as our admin is.
"""

import os
import types
from pathlib import Path
from typing import Any

from sqladmin import Admin, ModelView, helpers
from sqladmin.authentication import AuthenticationBackend
from sqladmin.filters import OperationColumnFilter, StaticValuesFilter
from sqlalchemy import Date, DateTime, Enum, String, create_engine, inspect
from sqlalchemy.orm import Mapper, RelationshipDirection
from sqlmodel.sql.sqltypes import AutoString
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.types import ASGIApp

from benchmarks.databases import (
    BENCH_PASSWORD,
    BENCH_SECRET,
    BENCH_USER,
    URL_ENV,
)
from benchmarks.shop import SHOP_TABLES
from benchmarks.statements import CountStatements

SETUP_ENV = "BENCH_PLAIN_SETUP"
# "1": sqladmin's CSV import on, for benchmarks.importing (with the one fix it
# needs to read a SQLModel str column, and room for a 100,000-row file).
IMPORT_ENV = "BENCH_PLAIN_IMPORT"
SETUPS = ("naive", "tuned")
# sqladmin reads ./templates first, and this repository's ./templates holds
# admin_app's overrides: point it at a folder with none, so it is plain.
NO_TEMPLATES = Path(__file__).resolve().parent / "no-templates"


class PlainAuth(AuthenticationBackend):
    """One fixed user, remembered in the session cookie."""

    async def login(self, request: Request) -> bool:
        form = await request.form()
        if (
            form.get("username") == BENCH_USER
            and form.get("password") == BENCH_PASSWORD
        ):
            request.session["user"] = BENCH_USER
            return True
        return False

    async def logout(self, request: Request) -> bool:
        request.session.clear()
        return True

    async def authenticate(self, request: Request) -> bool:
        return request.session.get("user") == BENCH_USER


def _is_string(column: Any) -> bool:
    # SQLModel's ``str`` fields are AutoString, whose python_type is ``object``.
    kind = column.type
    return isinstance(kind, AutoString) or (
        isinstance(kind, String) and not isinstance(kind, Enum)
    )


def string_columns(mapper: Mapper[Any], indexed_only: bool = False) -> list[str]:
    return [
        attr.key
        for attr in mapper.column_attrs
        if _is_string(attr.columns[0])
        and (not indexed_only or attr.columns[0].index or attr.columns[0].unique)
    ]


def ajax_refs(mapper: Mapper[Any]) -> dict[str, dict[str, Any]]:
    """``form_ajax_refs`` for each many-to-one relation: the target's indexed
    string columns (else its primary key)."""
    refs: dict[str, dict[str, Any]] = {}
    for relation in mapper.relationships:
        if relation.direction is RelationshipDirection.MANYTOONE:
            target = relation.mapper
            fields = string_columns(target, indexed_only=True) or [
                str(column.key) for column in target.primary_key
            ]
            refs[relation.key] = {"fields": fields}
    return refs


def column_filters(model: type, mapper: Mapper[Any]) -> list[Any]:
    """The filters ours infers, made of sqladmin's own classes."""
    filters: list[Any] = []
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        if isinstance(column.type, Enum):
            values = [(value, value.title()) for value in column.type.enums]
            filters.append(StaticValuesFilter(getattr(model, attr.key), values))
        elif column.foreign_keys or isinstance(column.type, DateTime | Date):
            filters.append(OperationColumnFilter(getattr(model, attr.key)))
    return filters


def view_for(model: type, setup: str) -> type[ModelView]:
    mapper: Mapper[Any] = inspect(model)
    columns = [attr.key for attr in mapper.column_attrs]
    options: dict[str, Any] = {
        "column_list": columns,
        "column_searchable_list": string_columns(mapper),
        "column_sortable_list": columns,
        "page_size": 50,
    }
    if setup == "tuned":
        options["form_ajax_refs"] = ajax_refs(mapper)
        options["form_excluded_columns"] = [
            relation.key
            for relation in mapper.relationships
            if relation.direction is RelationshipDirection.ONETOMANY
        ]
        options["column_filters"] = column_filters(model, mapper)
    if os.environ.get(IMPORT_ENV) == "1":
        options["can_import"] = True
        options["max_import_file_size"] = 200 * 1024 * 1024
        # Its import cannot read a date-time cell back through its form (the
        # cell is coerced to a datetime, which the form's field then refuses):
        # the model's default sets it, as ours does.
        options["form_excluded_columns"] = [
            *options.get("form_excluded_columns", []),
            "created_at",
        ]
    return types.new_class(
        f"{model.__name__}Admin",
        (ModelView,),
        {"model": model},
        lambda namespace: namespace.update(options),
    )


_sqladmins_python_type = helpers.get_column_python_type


def _column_python_type(column: Any) -> type:
    """sqladmin's answer, but ``str`` for sqlmodel's AutoString (``object``)."""
    if isinstance(column.type, AutoString):
        return str
    return _sqladmins_python_type(column)


def make_app() -> ASGIApp:
    setup = os.environ.get(SETUP_ENV, "naive")
    if setup not in SETUPS:
        raise ValueError(f"{SETUP_ENV} must be one of {SETUPS}, not {setup!r}")
    if os.environ.get(IMPORT_ENV) == "1":
        helpers.get_column_python_type = _column_python_type
    app = Starlette()
    engine = create_engine(os.environ[URL_ENV])
    admin = Admin(
        app,
        engine,
        title=f"sqladmin ({setup})",
        templates_dir=str(NO_TEMPLATES),
        authentication_backend=PlainAuth(BENCH_SECRET),
    )
    for model in SHOP_TABLES:
        admin.add_view(view_for(model, setup))
    return CountStatements(app)
