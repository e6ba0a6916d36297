"""Create and edit forms: which fields a form shows, what each one writes, and
the WTForms class that renders them.

A form is planned from the view's form columns, or from the table's API model
(``<Model>Create`` for create forms, ``<Model>Update`` for edit forms) when the
models module has one. The plan is also what the save path trusts: a field
that is not in the plan, or read-only in it, is never written.
"""

import re
from dataclasses import dataclass, replace
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, Literal, TypeGuard, cast

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from sqladmin.forms import WTFORMS_ATTRS, WTFORMS_ATTRS_REVERSED, get_model_form
from sqladmin.i18n import lazy_gettext
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import RelationshipDirection, RelationshipProperty
from sqlmodel import SQLModel
from wtforms import Form, PasswordField, StringField, validators
from wtforms.fields.core import UnboundField

from admin_app.forms.concurrency import version_column
from admin_app.forms.widgets import REPLACEMENTS
from admin_app.inspection import (
    ColumnFacts,
    admin_options,
    columns_of,
    humanize,
    is_editable_relation,
    local_columns,
    mapper_of,
)
from admin_app.schemas import is_hash_name, is_password_field, password_column

if TYPE_CHECKING:
    from admin_app.views.inferred import AutoModelView

Mode = Literal["create", "edit"]


def plans_forms(view: object) -> TypeGuard["AutoModelView"]:
    """Whether ``view`` is an inferred view, whose forms are planned here,
    rather than a plain sqladmin ``ModelView`` (told by its ``form_plan``, so
    that features need not import the view class they are composed into)."""
    return callable(getattr(view, "form_plan", None))


FieldKind = Literal["column", "to_one", "to_many", "password", "extra"]

# Set by the database or by the application when a row is made, never by hand.
_AUTO_NAMES = re.compile(
    r"^(created|inserted|updated|modified)(_(at|on|date|time))?$|^date_joined$"
)
# Column types a form shows but never writes: a search vector is the
# database's to maintain (a trigger or a generated column).
SHOWN_ONLY_TYPES = (TSVECTOR,)
KEEP_PASSWORD = lazy_gettext("Leave empty to keep the current password.")
KEEP_VALUE = lazy_gettext("Leave empty to keep the current value.")
_HASH_WORDS = re.compile(r"^hashed_|_hash(ed)?$", re.IGNORECASE)


@dataclass(frozen=True)
class PlannedField:
    """One form field and the table columns it writes."""

    name: str
    kind: FieldKind
    # The name the validating model knows it by: the column for a column or a
    # many-to-one (its foreign key), the schema's field name otherwise.
    key: str
    columns: tuple[str, ...] = ()
    read_only: bool = False
    required: bool = False
    label: str = ""
    # A write-only input ("password" kind): hashed into its column, or stored
    # as given (a token or secret the application compares as it is).
    hashed: bool = True


@dataclass(frozen=True)
class FormPlan:
    mode: Mode
    model: type[SQLModel]
    schema: type[BaseModel] | None
    fields: tuple[PlannedField, ...]

    @property
    def writable(self) -> tuple[PlannedField, ...]:
        return tuple(f for f in self.fields if not f.read_only)

    def field(self, name: str) -> PlannedField | None:
        return next((f for f in self.fields if f.name == name), None)

    def field_for_key(self, key: str) -> PlannedField | None:
        """The field that writes ``key`` (a column or a schema field name)."""
        for planned in self.fields:
            if key in (planned.key, planned.name) or key in planned.columns:
                return planned
        return None


def is_auto_column(model: type[SQLModel], fact: ColumnFacts) -> bool:
    """Filled by the database or the application, not by a person."""
    column = fact.column
    if column.server_default is not None or column.server_onupdate is not None:
        return True
    if column.computed is not None or column.identity is not None:
        return True
    if column.onupdate is not None or fact.name == version_column(model):
        return True
    if fact.is_primary_key:
        field = model.model_fields.get(fact.name)
        if field is not None and field.default_factory is not None:
            return True
        keys = mapper_of(model).primary_key
        integer = getattr(fact.sql_type, "python_type", None) is int
        return len(keys) == 1 and integer and column.autoincrement in (True, "auto")
    return bool(fact.is_temporal and _AUTO_NAMES.match(fact.name))


def _facts(model: type[SQLModel]) -> dict[str, ColumnFacts]:
    return {fact.name: fact for fact in columns_of(model)}


def _to_one_by_column(
    model: type[SQLModel],
) -> dict[str, RelationshipProperty[Any]]:
    return {
        column: relation
        for relation in mapper_of(model).relationships
        if is_editable_relation(relation)
        for column in local_columns(relation)
    }


def _only_generated_keys(
    model: type[SQLModel], planned: PlannedField, facts: dict[str, ColumnFacts]
) -> bool:
    columns = [facts[c] for c in planned.columns if c in facts]
    return bool(columns) and all(
        f.is_primary_key and is_auto_column(model, f) for f in columns
    )


def _is_required(info: FieldInfo | None) -> bool:
    return bool(info is not None and info.is_required())


def plan_form(view: "AutoModelView", mode: Mode) -> FormPlan:
    """What the ``mode`` form of ``view`` shows, and what each field writes."""
    model: type[SQLModel] = view.model
    schema = view.create_schema if mode == "create" else view.update_schema
    fields = _schema_fields(view, schema) if schema else _view_fields(view, mode)
    if schema and mode == "create":
        # An API model may leave out what the API sets itself (the owner, from
        # the logged-in user): without them no row could ever be created.
        fields += _left_out_columns(model, fields)
    facts = _facts(model)
    fields = [
        _with_access(model, replace(planned, name=form_name(planned.name)), mode)
        for planned in fields
        # Generated keys are in the URL and the title, not in the form.
        if not _only_generated_keys(model, planned, facts)
    ]
    if mode == "create":
        fields = [f for f in fields if not f.read_only]
    return FormPlan(mode, model, schema, tuple(fields))


def form_name(attribute: str) -> str:
    """The form's name for a model attribute: WTForms reserves ``data``,
    ``errors`` and a few more, which sqladmin's forms call ``data_``."""
    return WTFORMS_ATTRS.get(attribute, attribute)


def _attribute(model: type[SQLModel], planned: PlannedField) -> str:
    """The model attribute a planned field renders (``form_name`` undone)."""
    attrs = mapper_of(model).attrs
    original = WTFORMS_ATTRS_REVERSED.get(planned.name)
    if original and original in attrs and planned.name not in attrs:
        return original
    return planned.name


def _view_fields(view: "AutoModelView", mode: Mode) -> list[PlannedField]:
    model: type[SQLModel] = view.model
    facts = _facts(model)
    relations = {r.key: r for r in mapper_of(model).relationships}
    fields: list[PlannedField] = []
    for name in view._form_prop_names:
        if name in relations:
            fields.append(_relation_field(model, relations[name]))
        elif name in facts and not facts[name].sensitive:
            fact = facts[name]
            info = model.model_fields.get(name)
            fields.append(
                PlannedField(
                    name,
                    "column",
                    name,
                    (name,),
                    required=_is_required(info) and not fact.is_bool,
                    label=fact.title,
                )
            )
    for fact in facts.values():
        # A marked password column, and a secret a new row needs, get a
        # write-only input ("set new value" on edit); never their value.
        marked = bool(admin_options(model, fact.name).get("hasher"))
        if fact.sensitive and (marked or needs_value(model, fact)):
            fields.append(_secret_field(model, fact, mode))
    return fields


def needs_value(model: type[SQLModel], fact: ColumnFacts) -> bool:
    """A new row can't be made without a value for this column from the form:
    the model requires it and neither it nor the database fills it in."""
    return (
        _is_required(model.model_fields.get(fact.name))
        and not is_auto_column(model, fact)
        and fact.column.default is None
    )


def _secret_field(model: type[SQLModel], fact: ColumnFacts, mode: Mode) -> PlannedField:
    """A write-only input for a sensitive column: hashed when the model marks a
    hasher or the name says it holds a hash or a password, else stored as given."""
    name = fact.name
    marked = bool(admin_options(model, name).get("hasher"))
    hashed = marked or is_hash_name(name)
    info = model.model_fields.get(name)
    required = mode == "create" and _is_required(info)
    title = "Password" if marked else (info.title if info else None)
    # What a person types, not what is stored: "pin_hash" asks for a "Pin".
    title = title or humanize(_HASH_WORDS.sub("", name) if hashed else name)
    label = title if mode == "create" else f"Set new {title.lower()}"
    return PlannedField(
        name, "password", name, (name,), False, required, label, hashed=hashed
    )


def _left_out_columns(
    model: type[SQLModel], fields: list[PlannedField]
) -> list[PlannedField]:
    """Fields for the columns a new row needs that ``fields`` leave out: a
    picker for a relation's key, a write-only input for a secret."""
    covered = {column for f in fields for column in (*f.columns, f.key)}
    to_one = _to_one_by_column(model)
    added: list[PlannedField] = []
    for fact in columns_of(model):
        if fact.name in covered or not needs_value(model, fact):
            continue
        relation = to_one.get(fact.name)
        if fact.sensitive:
            planned = _secret_field(model, fact, "create")
        elif relation is not None:
            planned = _relation_field(model, relation)
        else:
            required = not fact.is_bool
            planned = PlannedField(
                fact.name,
                "column",
                fact.name,
                (fact.name,),
                False,
                required,
                fact.title,
            )
        covered.update((*planned.columns, planned.key))
        added.append(planned)
    return added


def _relation_field(
    model: type[SQLModel], relation: RelationshipProperty[Any]
) -> PlannedField:
    label = humanize(relation.key)
    if relation.direction is RelationshipDirection.MANYTOONE:
        columns = tuple(sorted(local_columns(relation)))
        key = columns[0] if len(columns) == 1 else relation.key
        required = not all(mapper_of(model).columns[c].nullable for c in columns)
        return PlannedField(
            relation.key, "to_one", key, columns, False, required, label
        )
    return PlannedField(relation.key, "to_many", relation.key, (), False, False, label)


def _schema_fields(
    view: "AutoModelView", schema: type[BaseModel]
) -> list[PlannedField]:
    model: type[SQLModel] = view.model
    facts = _facts(model)
    to_one = _to_one_by_column(model)
    hashed = password_column(model)
    fields: list[PlannedField] = []
    for name, info in schema.model_fields.items():
        required = info.is_required()
        label = info.title or humanize(name)
        if name in facts:
            fact = facts[name]
            if fact.sensitive:
                continue  # a schema that takes a hash directly is not for people
            relation = to_one.get(name)
            if relation is not None and len(local_columns(relation)) == 1:
                fields.append(
                    PlannedField(
                        relation.key, "to_one", name, (name,), False, required, label
                    )
                )
            else:
                required = required and not fact.is_bool
                fields.append(
                    PlannedField(name, "column", name, (name,), False, required, label)
                )
        elif is_password_field(name) and hashed:
            fields.append(
                PlannedField(name, "password", name, (hashed,), False, required, label)
            )
        else:
            fields.append(PlannedField(name, "extra", name, (), False, required, label))
    return fields


def _with_access(
    model: type[SQLModel], planned: PlannedField, mode: Mode
) -> PlannedField:
    """Mark what a person may not change: keys, generated columns, and what the
    model marks ``read_only`` (never) or ``create_only`` (on create only)."""
    facts = _facts(model)
    options: dict[str, Any] = {}
    for column in planned.columns or (planned.key,):
        options.update(admin_options(model, column) if column in facts else {})
    shown_only = any(
        isinstance(facts[c].sql_type, SHOWN_ONLY_TYPES)
        for c in planned.columns
        if c in facts
    )
    if options.get("read_only") or shown_only:
        return replace(planned, read_only=True, required=False)
    if planned.kind == "password":
        return planned
    columns = [facts[c] for c in planned.columns if c in facts]
    auto = bool(columns) and all(is_auto_column(model, fact) for fact in columns)
    if mode == "create":
        return replace(planned, read_only=auto, required=planned.required and not auto)
    fixed = options.get("create_only") or any(f.is_primary_key for f in columns)
    if auto or fixed:
        return replace(planned, read_only=True, required=False)
    return planned


async def form_class(
    view: "AutoModelView", plan: FormPlan, display_timezone: tzinfo
) -> type[Form]:
    """The WTForms class rendering ``plan`` (sqladmin's converters do the widgets)."""
    model: type[SQLModel] = view.model
    facts = _facts(model)
    table_fields = [f for f in plan.fields if f.kind in ("column", "to_one", "to_many")]
    form_args = {name: dict(args) for name, args in view.form_args.items()}
    attributes = {planned.name: _attribute(model, planned) for planned in plan.fields}
    for planned in table_fields:
        args = form_args.setdefault(attributes[planned.name], {})
        args.setdefault("label", planned.label)
        fact = facts.get(attributes[planned.name])
        if fact is not None and getattr(fact.sql_type, "timezone", False):
            args.setdefault("display_timezone", display_timezone)
    generated = await get_model_form(
        model=model,
        session_maker=view.session_maker,
        only=[attributes[f.name] for f in table_fields],
        column_labels=view._column_labels,
        form_args=form_args,
        form_widget_args=view.form_widget_args,
        form_class=view.form_base_class,
        form_overrides=view._form_overrides,
        # Plain foreign keys (no Relationship) get pickers too.
        form_ajax_refs={
            **view._form_ajax_refs,
            **getattr(view, "_column_ajax_refs", {}),
        },
        # Keys and plain foreign keys are in a plan only when a person sets them.
        form_include_pk=True,
        form_converter=view.form_converter,
    )
    fields: dict[str, Any] = {}
    for planned in plan.fields:
        unbound = getattr(generated, planned.name, None)
        if unbound is None:
            unbound = _extra_field(planned, plan.mode)
        fields[planned.name] = _adjusted(unbound, planned)
    return cast(type[Form], type(generated.__name__, (view.form_base_class,), fields))


def _extra_field(planned: PlannedField, mode: Mode) -> UnboundField:
    if planned.kind == "password":
        description = None
        if mode == "edit":
            password = "password" in planned.label.lower()
            description = KEEP_PASSWORD if password else KEEP_VALUE
        return PasswordField(
            planned.label,
            description=description,
            render_kw={"class": "form-control", "autocomplete": "new-password"},
        )
    return StringField(planned.label, render_kw={"class": "form-control"})


def _adjusted(unbound: UnboundField, planned: PlannedField) -> UnboundField:
    """Required and read-only as the plan says, whatever the column said."""
    kwargs = dict(unbound.kwargs)
    kept = [
        v
        for v in kwargs.get("validators") or []
        if not isinstance(
            v, validators.InputRequired | validators.DataRequired | validators.Optional
        )
    ]
    required = planned.required and not planned.read_only
    kwargs["validators"] = [
        validators.InputRequired() if required else validators.Optional(),
        *kept,
    ]
    render_kw = dict(kwargs.get("render_kw") or {})
    if planned.read_only:
        render_kw.update(disabled=True)
    kwargs["render_kw"] = render_kw
    # Pickers and tag inputs whose current values are in the HTML.
    field_class = REPLACEMENTS.get(unbound.field_class, unbound.field_class)
    return UnboundField(
        field_class,
        *unbound.args,
        name=planned.name,
        **{k: v for k, v in kwargs.items() if k != "name"},
    )
