"""From a submitted form to the column values a row may take, or to errors.

The model is the single source of truth: values are validated by the table
model (``Model.model_validate``) or by its API model (``<Model>Create`` /
``<Model>Update``), then checked against what the database column can store,
so SQLite (which stores anything) and PostgreSQL refuse the same inputs.
"""

import json
import math
import types
from collections.abc import Callable, Collection, Mapping
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from sqladmin.i18n import lazy_gettext
from sqlalchemy import ARRAY, Integer, Numeric
from sqlalchemy.orm import RelationshipProperty
from sqlalchemy.types import TypeDecorator, TypeEngine
from sqlmodel import SQLModel
from wtforms import BooleanField, FileField, Form
from wtforms.fields import SelectFieldBase

from admin_app.capacity import integer_range, max_length, storable_text
from admin_app.forms.errors import FormErrors
from admin_app.forms.planning import FormPlan, PlannedField
from admin_app.inspection import ColumnFacts, columns_of, mapper_of
from admin_app.keys import parse_key

REQUIRED = "This field is required."
MISSING = lazy_gettext(
    "This field was missing from the submitted form, so nothing was saved. "
    "Reload the page and try again."
)


class _Unset:
    """An input left empty where that means "keep what is there"."""


UNSET = _Unset()


def _facts(model: type[SQLModel]) -> dict[str, ColumnFacts]:
    return {fact.name: fact for fact in columns_of(model)}


def _accepts_none(annotation: Any) -> bool:
    if annotation is None or annotation is type(None):
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        return type(None) in get_args(annotation)
    return False


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def missing_fields(plan: FormPlan, form: Form, posted: Collection[str]) -> FormErrors:
    """Errors for the writable fields an edit form rendered but the POST lacks.

    Absence is never "clear it": a page posted before its scripts ran still
    sends every picker (its choices are selected options, with a presence
    marker), so a field missing from an edit means a form that did not carry
    it. That holds for every input but checkboxes and files (an unchecked box
    sends nothing). A create has nothing to clear: there a missing field is
    not given, and takes its default.
    """
    errors = FormErrors()
    if plan.mode != "edit":
        return errors
    for planned in plan.writable:
        field = form._fields.get(planned.name)
        if field is None or planned.name in posted:
            continue
        if not isinstance(field, BooleanField | FileField):
            errors.add(planned.name, str(MISSING))
    return errors


def submitted(
    plan: FormPlan, form: Form, skip: Collection[str] = ()
) -> tuple[dict[str, Any], dict[str, list[str]], FormErrors]:
    """The writable inputs of a WTForms form, by validating key, leaving out
    the fields in ``skip`` (those WTForms could not parse).

    Returns the scalar values, the picked keys of to-many fields, and the
    errors of inputs left empty where a value is needed.
    """
    model = plan.model
    facts = _facts(model)
    validating = plan.schema or model
    values: dict[str, Any] = {}
    picked: dict[str, list[str]] = {}
    errors = FormErrors()
    for planned in plan.writable:
        if planned.name in skip:
            continue
        data = form[planned.name].data
        if planned.kind == "to_many":
            picked[planned.name] = [str(v) for v in data or [] if str(v).strip()]
            continue
        if planned.kind == "to_one":
            _to_one_values(model, planned, data, values, errors)
            continue
        if _is_empty(data) and not isinstance(data, bool):
            value = _empty_value(plan, planned, validating, facts)
            if value is UNSET:
                continue
            if value is REQUIRED:
                errors.add(planned.name, REQUIRED)
                continue
            data = value
        fact = facts.get(planned.key)
        if fact is not None and fact.is_enum and isinstance(data, str):
            data = _enum_member(fact, data)
        values[planned.key] = data
    return values, picked, errors


def parsed_inputs(
    plan: FormPlan, form: Form, posted: Collection[str]
) -> tuple[dict[str, Any], dict[str, list[str]], FormErrors]:
    """Parse (WTForms) every input of ``form``: the scalar values, the picked
    keys of to-many fields, and every error of the inputs at once (a field the
    form rendered but ``posted`` lacks included). A form page and each row of
    an import (admin_app.imports) are parsed by this one function."""
    form.validate()
    errors = missing_fields(plan, form, posted)
    for name, field in form._fields.items():
        if name not in errors.fields:
            for message in field.errors:
                errors.add(name, message)
    values, picked, empty = submitted(plan, form, skip=set(errors.fields))
    errors.merge(empty)
    return values, picked, errors


def _empty_value(
    plan: FormPlan,
    planned: PlannedField,
    validating: type[BaseModel],
    facts: dict[str, ColumnFacts],
) -> Any:
    """What an empty input means: nothing, ``None``, ``""``, or "required"."""
    if planned.kind == "password":
        return UNSET if plan.mode == "edit" or not planned.required else REQUIRED
    if planned.key not in validating.model_fields:
        validating = plan.model  # a column the API model leaves out
    info = validating.model_fields.get(planned.key)
    fact = facts.get(planned.key)
    if info is not None and _accepts_none(info.annotation):
        if plan.schema is None or fact is None or fact.column.nullable:
            return None
        return UNSET  # an API model's "not given": the column keeps its value
    if fact is not None and fact.column.nullable and info is None:
        return None
    has_default = info is not None and not info.is_required()
    if has_default and (fact is None or fact.is_string):
        return ""
    if has_default and plan.mode == "create":
        return UNSET
    return REQUIRED


def _enum_member(fact: ColumnFacts, name: str) -> Any:
    enum_class = fact.enum_class
    if enum_class is not None and name in enum_class.__members__:
        return enum_class[name]
    return name


def _to_one_values(
    model: type[SQLModel],
    planned: PlannedField,
    data: Any,
    values: dict[str, Any],
    errors: FormErrors,
) -> None:
    """A picked row's key, written into this row's foreign-key columns."""
    relation: RelationshipProperty[Any] = mapper_of(model).relationships[planned.name]
    if _is_empty(data):
        if planned.required:
            errors.add(planned.name, REQUIRED)
        for column in planned.columns:
            values[column] = None
        return
    target = relation.mapper.class_
    try:
        key = parse_key(target, str(data))
    except (TypeError, ValueError):
        errors.add(planned.name, "Not a valid choice.")
        return
    by_remote = dict(zip(relation.mapper.primary_key, key, strict=False))
    for local, remote in relation.local_remote_pairs or []:
        if local.key in planned.columns:
            values[local.key] = by_remote.get(remote)


def pydantic_errors(
    plan: FormPlan, error: ValidationError, into: FormErrors | None = None
) -> FormErrors:
    """Pydantic's messages, each next to the form field it is about."""
    errors = into if into is not None else FormErrors()
    for item in error.errors():
        message = str(item["msg"]).removeprefix("Value error, ")
        message = message.removeprefix("Assertion failed, ")
        loc = item["loc"]
        planned = plan.field_for_key(str(loc[0])) if loc else None
        if planned is not None and not planned.read_only:
            errors.add(planned.name, message)
        elif loc:
            errors.add(None, f"{loc[0]}: {message}")
        else:
            errors.add(None, message)
    return errors


def validate_table_row(model: type[SQLModel], data: Mapping[str, Any]) -> SQLModel:
    """``model.model_validate(data)`` for a table model.

    Through attributes, not a dict: sqlmodel looks relationships up with
    ``getattr(data, name)``, so a relationship called ``items`` or ``values``
    would get the dict's method.
    """
    return model.model_validate(SimpleNamespace(**data), from_attributes=True)


def validate_new_row(
    plan: FormPlan, values: Mapping[str, Any], hasher: Callable[[str], str] | None
) -> SQLModel:
    """A new, validated table row made of the form's values (raises FormErrors)."""
    model = plan.model
    try:
        data = dict(values)
        if plan.schema is not None:
            # The schema's fields by its rules; the columns it leaves out that
            # the form added, by the table's (below).
            own = plan.schema.model_fields
            added = {k: v for k, v in data.items() if k not in own}
            given = {k: v for k, v in data.items() if k in own}
            data = {**plan.schema.model_validate(given).model_dump(), **added}
        hashes = _hash_passwords(plan, data, hasher)
        data = {k: v for k, v in data.items() if k in _facts(model)}
        row = validate_table_row(model, {**data, **hashes})
    except ValidationError as exc:
        raise pydantic_errors(plan, exc) from None
    for name, given in data.items():
        value = getattr(row, name)
        typed = as_typed(value, given)
        if typed is not value:
            setattr(row, name, typed)
    return row


def validate_changes(
    plan: FormPlan,
    values: Mapping[str, Any],
    current: Mapping[str, Any],
    hasher: Callable[[str], str] | None,
    unchanged: Collection[str] = (),
) -> dict[str, Any]:
    """The column values an edit changes, validated together with the rest of
    the row as it is now (raises FormErrors); the ``unchanged`` columns (their
    input came back as shown) are validated but not written."""
    model = plan.model
    try:
        data = dict(values)
        if plan.schema is not None:
            # An API update model: what it leaves unset stays as it is.
            data = plan.schema.model_validate(data).model_dump(exclude_unset=True)
        hashes = _hash_passwords(plan, data, hasher)
        changes = {k: v for k, v in data.items() if k in _facts(model)} | hashes
        validated = validate_table_row(model, {**current, **changes})
    except ValidationError as exc:
        raise pydantic_errors(plan, exc) from None
    return {
        name: as_typed(getattr(validated, name), changes[name])
        for name in changes
        if name not in unchanged
    }


def unchanged_inputs(plan: FormPlan, posted: Form, shown: Form) -> set[str]:
    """The columns whose input came back exactly as the edit form showed it.

    They are no change, whatever they parse to: a time shown to the minute, a
    datetime to the second, a decimal or JSON as formatted, text whose line
    breaks a browser sent as CRLF would otherwise rewrite the stored value.
    """
    same: set[str] = set()
    for planned in plan.writable:
        field, was = posted._fields.get(planned.name), shown._fields.get(planned.name)
        if planned.kind != "column" or field is None or was is None:
            continue
        if isinstance(field, BooleanField | FileField | SelectFieldBase):
            continue
        raw = field.raw_data
        if not hasattr(was, "_value") or not raw or len(raw) != 1:
            continue
        if _lines(str(raw[0])) == _lines(str(was._value())):
            same.add(planned.key)
    return same


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n")


def as_typed(value: Any, given: Any) -> Any:
    """A validated set (``tags: set[str]`` over an array column) as a list in
    the order the form gave its items: a database stores a list, and a form
    posted back unchanged must store the same one."""
    if not isinstance(value, set | frozenset):
        return value
    if isinstance(given, list | tuple):
        ordered = [item for item in dict.fromkeys(given) if item in value]
        if len(ordered) == len(value):
            return ordered
    return sorted(value, key=str)


def _hash_passwords(
    plan: FormPlan, data: dict[str, Any], hasher: Callable[[str], str] | None
) -> dict[str, Any]:
    """Take each plaintext password out of ``data``; return its hash by column
    (a secret that is not hashed, such as an API token, as given)."""
    hashes: dict[str, Any] = {}
    for planned in plan.writable:
        if planned.kind != "password" or planned.key not in data:
            continue
        plaintext = data.pop(planned.key)
        if plaintext is None:
            continue
        if not planned.hashed:
            hashes[planned.columns[0]] = plaintext  # a token: stored as given
            continue
        if hasher is None:
            raise FormErrors({planned.name: ["No password hasher is configured."]})
        try:
            hashes[planned.columns[0]] = hasher(str(plaintext))
        except ValueError as exc:
            raise FormErrors({planned.name: [str(exc)]}) from None
    return hashes


def storage_errors(plan: FormPlan, values: Mapping[str, Any]) -> FormErrors:
    """Values the column could not store as given, on any supported database."""
    errors = FormErrors()
    facts = _facts(plan.model)
    for name, value in values.items():
        fact = facts.get(name)
        if fact is None or value is None:
            continue
        message = _storage_problem(fact, value)
        if message:
            planned = plan.field_for_key(name)
            errors.add(planned.name if planned else None, message)
    return errors


def _storage_problem(fact: ColumnFacts, value: Any) -> str | None:
    sql_type = fact.sql_type
    if isinstance(sql_type, ARRAY) and isinstance(
        value, list | tuple | set | frozenset
    ):
        # Each item as its own column would hold it.
        item_type = sql_type.item_type
        while isinstance(item_type, TypeDecorator):
            item_type = item_type.impl_instance
        problems = (_type_problem(item_type, item) for item in value)
        return next((problem for problem in problems if problem), None)
    problem = _type_problem(sql_type, value)
    if problem is None and fact.is_json:
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):
            return "Enter JSON without NaN or Infinity."
    return problem


def _type_problem(sql_type: TypeEngine[Any], value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        if not storable_text(value):
            return "Text may not contain NUL characters."
        length = max_length(sql_type)
        if length and len(value) > length:
            return f"Ensure this value has at most {length} characters."
    elif isinstance(value, bool):
        return None
    elif isinstance(value, int) and isinstance(sql_type, Integer):
        low, high = integer_range(sql_type)
        if not low <= value <= high:
            return f"Ensure this value is between {low} and {high}."
    elif isinstance(value, float) and not math.isfinite(value):
        return "Enter a finite number."
    elif isinstance(value, Decimal):
        return _decimal_problem(sql_type, value)
    return None


def _decimal_problem(sql_type: Any, value: Decimal) -> str | None:
    if not value.is_finite():
        return "Enter a finite number."
    precision = getattr(sql_type, "precision", None)
    if isinstance(sql_type, Numeric) and precision:
        scale = sql_type.scale or 0
        _, digits, exponent = value.as_tuple()
        whole_digits = len(digits) + int(exponent)
        if whole_digits > precision - scale:
            places = precision - scale
            return f"Ensure there are at most {places} digits before the decimal point."
    return None


def new_row(
    plan: FormPlan, values: Mapping[str, Any], hasher: Callable[[str], str] | None
) -> SQLModel:
    """A validated new row whose every column its database can store."""
    row = validate_new_row(plan, values, hasher)
    stored = {fact.name: getattr(row, fact.name) for fact in columns_of(plan.model)}
    errors = storage_errors(plan, stored)
    if errors:
        raise errors
    return row


def changed_columns(
    plan: FormPlan,
    values: Mapping[str, Any],
    current: Mapping[str, Any],
    hasher: Callable[[str], str] | None,
    unchanged: Collection[str] = (),
) -> dict[str, Any]:
    """An edit's validated column changes, each storable by its database."""
    changes = validate_changes(plan, values, current, hasher, unchanged)
    errors = storage_errors(plan, changes)
    if errors:
        raise errors
    return changes
