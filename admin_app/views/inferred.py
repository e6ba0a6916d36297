"""Our ModelView base: every option sqladmin asks for, inferred from the model.

A subclass may set any option itself (``column_list = [...]``); the options it
leaves out are still inferred. Each inferred option has a hook of the same name
prefixed ``infer_`` to override instead, Django-admin style.
"""

import enum
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, ClassVar, cast
from urllib.parse import urlencode

from pydantic import BaseModel
from sqladmin import ModelView
from sqladmin.filters import BooleanFilter, OperationColumnFilter, StaticValuesFilter
from sqladmin.formatters import BASE_FORMATTERS
from sqladmin.forms import ModelConverterBase
from sqladmin.helpers import prettify_class_name
from sqladmin.models import ModelViewMeta
from sqlalchemy import Select, select
from sqlalchemy.orm import RelationshipProperty
from sqlalchemy.orm.exc import DetachedInstanceError
from sqlmodel import SQLModel
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import StreamingResponse
from wtforms import Form

from admin_app.deletion.soft import (
    SoftDeleteOptions,
    infer_soft_delete_column,
    live_rows,
)
from admin_app.details.related import collections_for, filter_query, is_collection
from admin_app.display import (
    bool_marks,
    is_json_document,
    json_block,
    moment_text,
    readable,
)
from admin_app.enums import (
    enum_text,
    shows_enums_by_value,
    tolerate_unknown_values,
)
from admin_app.exports import routes as exports
from admin_app.forms.converters import AdminConverter
from admin_app.forms.initial import loaded_form_data, with_picks
from admin_app.forms.inlines import Inline, InlineSet, parent_columns
from admin_app.forms.inlines import infer_inlines as _infer_inlines
from admin_app.forms.pickers import LabelledAjaxLoader, column_pickers, picker_options
from admin_app.forms.planning import FormPlan, Mode, form_class, plan_form
from admin_app.imports.options import ImportOptions
from admin_app.inspection import (
    ColumnFacts,
    columns_of,
    has_composite_key,
    humanize,
    is_editable_relation,
    local_columns,
    relations_of,
)
from admin_app.keys import RowNotFound, row_clauses
from admin_app.labels import pluralize, row_label
from admin_app.lists import counting
from admin_app.lists.editable import editable_plan
from admin_app.lists.filters import DateRangeFilter, is_date_or_moment
from admin_app.lists.params import check_list_params
from admin_app.lists.ranges import NumberRangeFilter, is_number
from admin_app.lists.related import RelatedFilter
from admin_app.lists.searching import (
    related_label_paths,
    search_statement,
    wants_contains,
)
from admin_app.navigation.naming import icon_for, module_category
from admin_app.references import referenced_model
from admin_app.saved_views.options import SavedViewOptions
from admin_app.schemas import Hasher, marked_hasher

LIST_TEXT_LIMIT = 80
# Names of a row's creation time, besides those starting with "created".
CREATED_NAMES = frozenset({"inserted_at", "date_created", "creation_date", "added_at"})

# Options inferred when a view does not set them; a pair is skipped whole when
# the view sets either of its members (sqladmin refuses both together).
_INFERRED: dict[str, tuple[str, ...]] = {
    "column_list": ("column_list", "column_exclude_list"),
    "column_details_list": ("column_details_list", "column_details_exclude_list"),
    "column_export_list": ("column_export_list", "column_export_exclude_list"),
    "form_columns": ("form_columns", "form_excluded_columns"),
    "column_searchable_list": ("column_searchable_list",),
    "column_sortable_list": ("column_sortable_list",),
    "column_filters": ("column_filters",),
    "search_related": ("search_related",),
    "column_labels": ("column_labels",),
    "column_default_sort": ("column_default_sort",),
    "form_ajax_refs": ("form_ajax_refs",),
    "form_args": ("form_args",),
    "form_include_pk": ("form_include_pk",),
    "name_plural": ("name_plural",),
    "list_editable": ("list_editable",),
    "inlines": ("inlines",),
    "category": ("category",),
    "icon": ("icon",),
    "created_column": ("created_column",),
    "soft_delete_column": ("soft_delete_column",),
}


class _InferringMeta(ModelViewMeta):
    """Fills in, before sqladmin reads them, the options a view leaves unset."""

    def __new__(
        mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any], **kw: Any
    ) -> "_InferringMeta":
        model = kw.get("model")
        if model is not None:
            inherited = _declared_options(bases)
            for option, group in _INFERRED.items():
                if not any(member in attrs or member in inherited for member in group):
                    infer: Callable[[type[SQLModel]], Any] = _find_hook(
                        bases, attrs, option
                    )
                    attrs[option] = infer(model)
        return cast("_InferringMeta", super().__new__(mcs, name, bases, attrs, **kw))


def _declared_options(bases: tuple[type, ...]) -> set[str]:
    """Options set by a user's base classes (between a view and AutoModelView)."""
    declared: set[str] = set()
    for base in bases:
        for klass in base.__mro__:
            if klass is AutoModelView or klass is ModelView:
                break
            declared.update(vars(klass))
    return declared


def _find_hook(
    bases: tuple[type, ...], attrs: dict[str, Any], option: str
) -> Callable[[type[SQLModel]], Any]:
    hook = attrs.get(f"infer_{option}")
    if hook is None:
        hook = getattr(bases[0], f"infer_{option}")
    if isinstance(hook, classmethod | staticmethod):
        hook = hook.__func__
    return hook


def _visible(model: type[SQLModel]) -> list[ColumnFacts]:
    return [fact for fact in columns_of(model) if not fact.sensitive]


def _leads_an_index(column: Any) -> bool:
    """Whether an index (or the primary key) starts with ``column``."""
    if column.index or column.unique or column.primary_key:
        return True
    table = column.table
    return any(
        list(index.columns)[:1] == [column] for index in getattr(table, "indexes", ())
    )


def _relations_by_local_column(
    model: type[SQLModel],
) -> dict[str, RelationshipProperty[Any]]:
    return {
        column: relation
        for relation in relations_of(model)
        for column in local_columns(relation)
    }


class AutoModelView(
    SoftDeleteOptions,
    SavedViewOptions,
    ImportOptions,
    ModelView,
    metaclass=_InferringMeta,
):
    """A sqladmin ModelView whose defaults come from the SQLModel class."""

    # API models the forms validate with; found by name (``<Model>Create``,
    # ``<Model>Update``) in the models module unless a view sets them.
    create_schema: ClassVar[type[BaseModel] | None] = None
    update_schema: ClassVar[type[BaseModel] | None] = None

    page_size: ClassVar[int] = 50
    form_converter: ClassVar[type[ModelConverterBase]] = AdminConverter
    page_size_options: ClassVar[list[int]] = [25, 50, 100, 200]
    # Exports stream (admin_app.exports.routes): no cap unless a view sets one.
    export_max_rows: ClassVar[int] = 0
    # Exports put each foreign key's row label beside it (admin_app.exports.formats).
    export_labels: ClassVar[bool] = True
    # Lists count up to this many rows, then show "10,000+" (admin_app.lists.counting).
    count_cap: ClassVar[int] = counting.DEFAULT_CAP
    # List search: by prefix, from indexes; True makes "contains" the default
    # (admin_app.lists.searching).
    search_contains: ClassVar[bool] = False
    # Columns of the list edited in place, saved with one POST for the page
    # (admin_app.lists.editable); none unless a view or its hook names them.
    list_editable: ClassVar[list[Any]] = []

    # Children edited in the forms (admin_app.forms.inlines): Inline(...) or
    # relation names; [] for none.
    inlines: ClassVar[list[Inline | str]] = []
    # Many-to-one relations whose labels the search reaches (inferred).
    search_related: ClassVar[list[str]] = []
    # The dashboard's new rows per day read this indexed date column
    # (admin_app.dashboard.inferred); None: the model's card shows its count only.
    created_column: ClassVar[str | None] = None

    # A bool cell's ✓/✗ says "Yes"/"No" to a screen reader (admin_app.display).
    column_type_formatters: ClassVar[dict[type, Callable[[Any], Any]]] = {
        **BASE_FORMATTERS,
        bool: bool_marks,
    }
    column_type_formatters_detail: ClassVar[dict[type, Callable[[Any], Any]]] = {
        **BASE_FORMATTERS,
        bool: bool_marks,
    }

    # Hooks: each returns the value of the option it is named after.

    @staticmethod
    def infer_name_plural(model: type[SQLModel]) -> str:
        return pluralize(prettify_class_name(model.__name__))

    @staticmethod
    def infer_category(model: type[SQLModel]) -> str:
        """The sidebar group: one per models module, named by the module's
        ``__admin_category__`` or its name; "Administration" for admin_app's
        own tables (see :mod:`admin_app.navigation.naming`)."""
        return module_category(model.__module__)

    @staticmethod
    def infer_icon(model: type[SQLModel]) -> str | None:
        """A Font Awesome icon when a word of the model's name suggests one
        (``Order`` → a receipt); None otherwise."""
        return icon_for(model.__name__)

    @staticmethod
    def infer_list_editable(model: type[SQLModel]) -> list[str]:
        """No column is edited on the list unless a view says which."""
        return []

    @staticmethod
    def infer_column_list(model: type[SQLModel]) -> list[str]:
        """Scalar columns, a many-to-one relation standing in for its key column."""
        by_column = _relations_by_local_column(model)
        shown: list[str] = []
        for fact in _visible(model):
            if fact.is_long_text or fact.is_json:
                continue
            relation = by_column.get(fact.name)
            name = relation.key if relation is not None else fact.name
            if name not in shown:
                shown.append(name)
        return shown

    @staticmethod
    def infer_column_details_list(model: type[SQLModel]) -> list[str]:
        """Visible columns, a many-to-one relation (its row's label, linked) in
        place of its key column, and other to-one relations; sqladmin would load
        collections whole, so they are counted instead (see ``details_context``)."""
        by_column = _relations_by_local_column(model)
        shown: list[str] = []
        for fact in _visible(model):
            relation = by_column.get(fact.name)
            name = relation.key if relation is not None else fact.name
            if name not in shown:
                shown.append(name)
        for relation in relations_of(model):
            if not is_collection(relation) and relation.key not in shown:
                shown.append(relation.key)
        return shown

    @staticmethod
    def infer_column_export_list(model: type[SQLModel]) -> list[str]:
        return [fact.name for fact in _visible(model)]

    @staticmethod
    def infer_form_columns(model: type[SQLModel]) -> list[str]:
        """Editable columns and the relations a form can pick; never a secret,
        never a one-to-many collection (saving a parent must not touch children)."""
        # Nor the trash stamp: a delete sets it, a restore clears it.
        covered = {*_relations_by_local_column(model), infer_soft_delete_column(model)}
        columns = [fact.name for fact in _visible(model) if fact.name not in covered]
        relations = [r.key for r in relations_of(model) if is_editable_relation(r)]
        return columns + relations

    @staticmethod
    def infer_column_searchable_list(model: type[SQLModel]) -> list[str]:
        return [f.name for f in _visible(model) if f.is_string and f.is_indexed]

    @staticmethod
    def infer_column_sortable_list(model: type[SQLModel]) -> list[str]:
        return [f.name for f in _visible(model) if f.is_sortable]

    @staticmethod
    def infer_column_filters(model: type[SQLModel]) -> list[Any]:
        filters: list[Any] = []
        trash = infer_soft_delete_column(model)  # the Trash link filters by it
        for fact in (f for f in _visible(model) if f.name != trash):
            attribute = getattr(model, fact.name)
            if fact.is_bool:
                filters.append(BooleanFilter(attribute, title=fact.title))
            elif fact.is_enum and fact.enum_class is not None:
                values = [
                    (member.name, enum_text(member)) for member in fact.enum_class
                ]
                filters.append(StaticValuesFilter(attribute, values, title=fact.title))
            elif fact.is_temporal and is_date_or_moment(fact.column.type):
                filters.append(DateRangeFilter(attribute, title=fact.title))
            elif fact.is_foreign_key:
                target = referenced_model(model, fact.name)
                if target is None:
                    filters.append(OperationColumnFilter(attribute, title=fact.title))
                else:
                    filters.append(RelatedFilter(attribute, target, title=fact.title))
            elif fact.is_temporal:
                filters.append(OperationColumnFilter(attribute, title=fact.title))
            elif not fact.is_primary_key and is_number(fact.column):
                filters.append(NumberRangeFilter(attribute, title=fact.title))
        return filters

    @staticmethod
    def infer_search_related(model: type[SQLModel]) -> list[str]:
        """Many-to-one relations whose rows' labels the search reaches (orders
        by their requester's name): see :mod:`admin_app.lists.searching`."""
        return related_label_paths(model)

    @staticmethod
    def infer_column_labels(model: type[SQLModel]) -> dict[str, str]:
        labels = {fact.name: fact.title for fact in columns_of(model)}
        labels.update({r.key: humanize(r.key) for r in relations_of(model)})
        return labels

    @staticmethod
    def infer_column_default_sort(model: type[SQLModel]) -> list[tuple[str, bool]]:
        """Newest first, as Django admin does."""
        return [(fact.name, True) for fact in columns_of(model) if fact.is_primary_key]

    @staticmethod
    def infer_form_ajax_refs(model: type[SQLModel]) -> dict[str, dict[str, Any]]:
        return {
            relation.key: picker_options(relation)
            for relation in relations_of(model)
            if is_editable_relation(relation)
        }

    @staticmethod
    def infer_form_args(model: type[SQLModel]) -> dict[str, dict[str, Any]]:
        args: dict[str, dict[str, Any]] = {}
        for fact in _visible(model):
            args[fact.name] = {"label": fact.title}
            if fact.description:
                args[fact.name]["description"] = fact.description
        return args

    @staticmethod
    def infer_inlines(model: type[SQLModel]) -> list[Inline | str]:
        """Children that cannot exist without this row (their foreign key to
        it is NOT NULL), edited in its forms."""
        return list(_infer_inlines(model))

    @staticmethod
    def infer_created_column(model: type[SQLModel]) -> str | None:
        """A created-at-like column (``created_at``, ``created``, ``inserted_at``,
        …) of a date or date-time type that an index leads with: the dashboard
        reads its last 30 days by range, never the whole table."""
        for fact in columns_of(model):
            name = fact.name.lower()
            created = name in CREATED_NAMES or name.startswith("created")
            moment = is_date_or_moment(fact.column.type)
            if created and moment and _leads_an_index(fact.column):
                return fact.name
        return None

    @staticmethod
    def infer_form_include_pk(model: type[SQLModel]) -> bool:
        """Link tables are keyed by what they link: their keys are the form."""
        return has_composite_key(model)

    def __init__(self) -> None:
        super().__init__()
        self.tolerate_unknown_choices()
        # Relations are labelled by row_label everywhere, pickers included.
        self._form_ajax_refs = {
            name: LabelledAjaxLoader(
                name, loader.model, self, **self.form_ajax_refs[name]
            )
            for name, loader in self._form_ajax_refs.items()
        }
        # Foreign keys without a Relationship are pickable too, kept apart from
        # _form_ajax_refs: sqladmin takes every name there for a relationship.
        self._column_ajax_refs = column_pickers(self)
        # A list_editable naming what the list cannot edit stops the start.
        editable_plan(self)

    def picker_query(
        self, request: Request, target: type[SQLModel], stmt: Select[Any]
    ) -> Select[Any]:
        """Hook: the ``target`` rows this view's pickers may offer the user (all
        but those in the trash, until permissions narrow them). See
        :mod:`admin_app.forms.pickers`."""
        return live_rows(getattr(self, "_admin_ref", None), target, stmt)

    def search_list(
        self, request: Request, stmt: Select[Any], term: str
    ) -> Select[Any]:
        """Hook: the list rows matching ``term`` (:mod:`admin_app.lists.searching`)."""
        return search_statement(
            self, stmt, term, contains=wants_contains(self, request)
        )

    def search_placeholder(self) -> str:
        """sqladmin's (the searched fields' labels), and the relations whose
        labels the search reaches."""
        related = [self._column_labels.get(name, name) for name in self.search_related]
        return ", ".join(
            part for part in (super().search_placeholder(), *related) if part
        )

    def search_query(self, stmt: Select[Any], term: str) -> Select[Any]:
        """sqladmin's hook, for any path of its own still calling it."""
        return search_statement(self, stmt, term, contains=bool(self.search_contains))

    async def list_context(self, request: Request) -> dict[str, Any]:
        """sqladmin's; first (sqladmin asks for it before querying the list),
        refuse query parameters the list does not read: 400, see
        :func:`admin_app.lists.params.check_list_params` (a filter's value
        it cannot use is a message on the list instead)."""
        check_list_params(self, request)
        return await super().list_context(request)

    def get_export_name(self, export_type: str) -> str:
        return exports.export_filename(self, export_type)

    async def export_data(
        self, data: Any, export_type: str = "csv", request: Request | None = None
    ) -> StreamingResponse:
        """sqladmin's, but CSV cells cannot run as spreadsheet formulas."""
        if export_type == "csv":
            return await exports.csv_response(self, data, request)
        return await super().export_data(data, export_type, request)

    async def details_context(self, request: Request) -> dict[str, Any]:
        """The row's collections, counted: see :mod:`admin_app.details.related`."""
        return {"related_collections": await collections_for(self, request)}

    @shows_enums_by_value
    async def get_prop_value(self, obj: Any, prop: str) -> Any:
        """sqladmin's (a dotted path of attributes, loading a detached one),
        but an enum member is shown by its value, as everywhere (sqladmin shows
        a ``(str, Enum)`` member by name, and ``str()`` of it in lists)."""
        for part in prop.split("."):
            try:
                obj = getattr(obj, part, None)
            except DetachedInstanceError:
                obj = await self._lazyload_prop(obj, part)
        return enum_text(obj) if isinstance(obj, enum.Enum) else obj

    def _default_formatter(self, value: Any) -> Any:
        if isinstance(value, SQLModel):
            return row_label(value)
        if isinstance(value, enum.Enum):
            return enum_text(value)
        if isinstance(value, datetime):
            return moment_text(value, self.display_timezone())
        value = readable(value)
        if isinstance(value, str) and len(value) > LIST_TEXT_LIMIT:
            return value[: LIST_TEXT_LIMIT - 1] + "…"
        return super()._default_formatter(value)

    def _default_formatter_detail(self, value: Any) -> Any:
        if isinstance(value, SQLModel):
            return row_label(value)
        if isinstance(value, datetime):
            return moment_text(value, self.display_timezone())
        if is_json_document(value):
            return json_block(value)
        return super()._default_formatter_detail(readable(value))

    def tolerate_unknown_choices(self) -> None:
        """Hook, run once per view: read enum values the code doesn't know as
        text (see :mod:`admin_app.enums`); override with a no-op to keep
        SQLAlchemy's strict reading."""
        tolerate_unknown_values(self.model)

    def _stmt_by_identifier(self, identifier: str) -> Select[Any]:
        """The row a URL names; an identifier that cannot be a key is a 404."""
        try:
            return select(self.model).where(*row_clauses(self.model, identifier))
        except RowNotFound:
            raise HTTPException(status_code=404) from None

    async def get_object_filepath(self, identifier: str, column_name: str) -> Path:
        """sqladmin's file routes; a row that is not there is a 404 (sqladmin
        reads a column of None: a 500)."""
        if await self._get_object_by_pk(self._stmt_by_identifier(identifier)) is None:
            raise HTTPException(status_code=404)
        return await super().get_object_filepath(identifier, column_name)

    # Forms: planned from the model (or its API models), validated by them.

    def form_plan(self, mode: Mode) -> FormPlan:
        """What the ``mode`` ("create" or "edit") form shows and writes."""
        plans: dict[str, FormPlan] = self.__dict__.setdefault("_plans", {})
        if mode not in plans:
            plans[mode] = plan_form(self, mode)
        return plans[mode]

    async def form_class_for(self, plan: FormPlan) -> type[Form]:
        if self.form is not None:
            return self.form
        # One class per zone: date-times are typed in the user's zone.
        zone = self.display_timezone()
        classes: dict[tuple[str, tzinfo], type[Form]] = self.__dict__.setdefault(
            "_forms", {}
        )
        if (plan.mode, zone) not in classes:
            classes[plan.mode, zone] = await form_class(self, plan, zone)
        return classes[plan.mode, zone]

    def form_edit_query(self, request: Request) -> Select[Any]:
        """The row to edit, its pickers' current rows loaded with it."""
        stmt = self._stmt_by_identifier(request.path_params["pk"])
        return with_picks(stmt, self._form_relations, self._ajax_relation_names)

    async def form_initial_data(self, row: Any, plan: FormPlan) -> dict[str, Any]:
        """The edit form's values: the row's, and the current picks' rows."""
        loaded = loaded_form_data(row, list(self._form_prop_names))
        data = await self.get_form_data_for_edit(row) if loaded is None else loaded
        for planned in plan.fields:
            if planned.name in data:
                continue
            if planned.kind == "password":
                data[planned.name] = None
            else:
                data[planned.name] = getattr(row, planned.key, None)
        return data

    def inline_list_url(
        self, request: Request, inline_set: InlineSet, parent: Any
    ) -> str | None:
        """The child list filtered to ``parent``'s children, for an inline
        with more of them than its form shows; None when no filter can say so."""
        pairs = parent_columns(inline_set.relation)
        if len(pairs) != 1:
            return None
        (parent_attribute, child_attribute), child = pairs[0], inline_set.view
        query = filter_query(child, child_attribute, getattr(parent, parent_attribute))
        if query is None:
            return None
        url = request.url_for("admin:list", identity=child.identity)
        return f"{url}?{urlencode(query)}"

    def display_timezone(self) -> tzinfo:
        """The zone dates and times are shown and entered in."""
        site = getattr(self, "_admin_ref", None)
        return getattr(site, "display_timezone", UTC)

    def password_hasher(self, plan: FormPlan) -> Hasher | None:
        """Hook: the hasher for the plan's password input (the model's marking,
        else the site's configured hasher)."""
        for planned in plan.fields:
            if planned.kind == "password":
                marked = marked_hasher(self.model, planned.columns[0])
                if marked is not None:
                    return marked
        site = getattr(self, "_admin_ref", None)
        return getattr(site, "password_hasher", None)


def view_for(
    model: type[SQLModel], base: type[AutoModelView] = AutoModelView
) -> type[AutoModelView]:
    """A view class for ``model`` with every option inferred."""
    view = _InferringMeta(f"{model.__name__}Admin", (base,), {}, model=model)
    return cast(type[AutoModelView], view)
