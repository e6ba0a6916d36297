"""Searchable relationship pickers: the AJAX lookups behind many-to-one and
many-to-many form fields, so a form never loads a whole related table."""

from typing import Any

from sqladmin.ajax import QueryAjaxModelLoader
from sqladmin.helpers import get_object_identifier, object_identifier_values
from sqlalchemy import Select, select
from sqlalchemy.orm import RelationshipProperty
from sqlmodel import SQLModel

from admin_app.inspection import columns_of, mapper_of
from admin_app.labels import label_attribute, row_label

PICKER_LIMIT = 20


class LabelledAjaxLoader(QueryAjaxModelLoader):
    """sqladmin's loader, labelling rows with :func:`row_label` instead of ``str``."""

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


def picker_options(relation: RelationshipProperty[Any]) -> dict[str, Any]:
    """``form_ajax_refs`` options for one relation."""
    target = relation.mapper.class_
    return {
        "fields": search_fields(target),
        "order_by": [column.key for column in mapper_of(target).primary_key],
        "limit": PICKER_LIMIT,
    }
