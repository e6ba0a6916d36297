"""What a SQLModel table class says about its columns and relations.

Everything the admin infers (which columns to list, search, sort, filter, hide)
starts from the facts gathered here, so the model stays the single source of truth.
"""

import enum
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper, RelationshipDirection, RelationshipProperty
from sqlalchemy.types import TypeDecorator, TypeEngine
from sqlmodel import SQLModel

# Column names that hold credentials. Matched whole, or as a suffix after "_".
_SENSITIVE_NAME = re.compile(
    r"^(?:.*_)?(?:password|passwd|pwd|secret|token|api_?key|private_key|otp_secret)$"
    r"|^(?:.*_)?hash(?:ed)?$|^hashed_.*$|^.*_hash$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ColumnFacts:
    """One mapped column of a table model, classified for the admin."""

    name: str
    column: Column[Any]
    sensitive: bool
    title: str
    description: str | None

    @property
    def sql_type(self) -> TypeEngine[Any]:
        """The column's type, seen through wrappers such as sqlmodel's AutoString."""
        column_type = self.column.type
        while isinstance(column_type, TypeDecorator):
            column_type = column_type.impl_instance
        return column_type

    @property
    def is_string(self) -> bool:
        return isinstance(self.sql_type, String) and not self.is_enum

    @property
    def is_long_text(self) -> bool:
        return isinstance(self.sql_type, Text)

    @property
    def is_enum(self) -> bool:
        return isinstance(self.sql_type, SAEnum) and self.enum_class is not None

    @property
    def enum_class(self) -> type[enum.Enum] | None:
        return getattr(self.sql_type, "enum_class", None)

    @property
    def is_bool(self) -> bool:
        return isinstance(self.sql_type, Boolean)

    @property
    def is_json(self) -> bool:
        return isinstance(self.sql_type, JSON)

    @property
    def is_temporal(self) -> bool:
        return isinstance(self.sql_type, Date | DateTime | Time)

    @property
    def is_foreign_key(self) -> bool:
        return bool(self.column.foreign_keys)

    @property
    def is_primary_key(self) -> bool:
        return bool(self.column.primary_key)

    @property
    def is_indexed(self) -> bool:
        """An index can serve lookups and ordering on this column."""
        if self.column.primary_key or self.column.index or self.column.unique:
            return True
        table = self.column.table
        leading = [next(iter(index.columns), None) for index in table.indexes]
        leading += [
            next(iter(constraint.columns), None)
            for constraint in table.constraints
            if isinstance(constraint, UniqueConstraint)
        ]
        return any(column is self.column for column in leading)

    @property
    def is_sortable(self) -> bool:
        return not (self.sensitive or self.is_json or self.is_long_text)


def admin_options(model: type[SQLModel], name: str) -> dict[str, Any]:
    """The ``{"admin": {...}}`` options a model gives a field.

    Read from the field's JSON-schema extra (with sqlmodel:
    ``Field(schema_extra={"json_schema_extra": {"admin": {...}}})``) and from the
    column's SQLAlchemy info (``sa_column_kwargs={"info": {"admin": {...}}}``).
    """
    options: dict[str, Any] = {}
    column = mapper_of(model).columns.get(name)
    if column is not None and isinstance(column.info.get("admin"), dict):
        options.update(column.info["admin"])
    field = model.model_fields.get(name)
    extra = field.json_schema_extra if field is not None else None
    if isinstance(extra, dict) and isinstance(extra.get("admin"), dict):
        options.update(extra["admin"])  # type: ignore[arg-type]
    return options


def is_sensitive_name(name: str) -> bool:
    return bool(_SENSITIVE_NAME.match(name))


def humanize(name: str) -> str:
    """``full_name`` → ``Full name``; ``team_id`` → ``Team``."""
    words = name.removesuffix("_id").replace("_", " ").strip()
    return (words[:1].upper() + words[1:]) if words else name


def mapper_of(model: type[SQLModel]) -> Mapper[Any]:
    return sa_inspect(model)


def python_type(column_type: TypeEngine[Any]) -> tuple[TypeEngine[Any], Any]:
    """A column type's Python type (None when it has none), seen through
    wrappers that report only ``object`` (sqlmodel's ``AutoString`` and
    ``UTCDateTime``) to the type they wrap, which is returned with it."""

    def reported(candidate: TypeEngine[Any]) -> Any:
        try:
            return candidate.python_type
        except NotImplementedError:
            return None

    found = reported(column_type)
    while found in (None, object) and isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
        found = reported(column_type)
    return column_type, found


@cache
def columns_of(model: type[SQLModel]) -> tuple[ColumnFacts, ...]:
    """The model's mapped columns, classified, in the order a person reads the
    class: the primary key first, then the fields as declared (a base class's
    fields where the base declares them, a redeclared one keeping its place,
    as pydantic orders ``model_fields``), then any column no field declares.
    The table's own order puts a redeclared field after the subclass's."""
    mapper = mapper_of(model)
    keys = [mapper.get_property_by_column(key).key for key in mapper.primary_key]
    fields = list(model.model_fields)

    def reading_order(fact: ColumnFacts) -> tuple[int, int]:
        if fact.name in keys:
            return 0, keys.index(fact.name)
        if fact.name in fields:
            return 1, fields.index(fact.name)
        return 2, 0

    facts = []
    for attr in mapper_of(model).column_attrs:
        if len(attr.columns) != 1:
            continue
        column = attr.columns[0]
        if not isinstance(column, Column):
            continue
        field = model.model_fields.get(attr.key)
        options = admin_options(model, attr.key)
        sensitive = bool(options.get("sensitive", is_sensitive_name(attr.key)))
        title = (field.title if field is not None else None) or humanize(attr.key)
        description = field.description if field is not None else None
        facts.append(ColumnFacts(attr.key, column, sensitive, title, description))
    return tuple(sorted(facts, key=reading_order))


def relations_of(model: type[SQLModel]) -> tuple[RelationshipProperty[Any], ...]:
    return tuple(mapper_of(model).relationships)


def is_to_many(relation: RelationshipProperty[Any]) -> bool:
    return relation.direction in (
        RelationshipDirection.ONETOMANY,
        RelationshipDirection.MANYTOMANY,
    )


def is_editable_relation(relation: RelationshipProperty[Any]) -> bool:
    """Many-to-one and many-to-many relations are picked in forms; one-to-many
    relations are the other side's business (a form must never detach children).
    """
    return (
        relation.direction
        in (
            RelationshipDirection.MANYTOONE,
            RelationshipDirection.MANYTOMANY,
        )
        and not relation.viewonly
    )


def local_columns(relation: RelationshipProperty[Any]) -> set[str]:
    """Names of this side's columns that a many-to-one relation is made of."""
    if relation.direction is not RelationshipDirection.MANYTOONE:
        return set()
    return {column.key for column in relation.local_columns if column.key}


def has_composite_key(model: type[SQLModel]) -> bool:
    return len(mapper_of(model).primary_key) > 1
