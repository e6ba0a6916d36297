"""What an export holds and how its rows read as CSV or JSON, a batch at a time.

An export's columns are the view's ``_export_prop_names``. When each is a plain
column of the model (no relation, no pretty export, no ``get_prop_value`` of the
view's own), the rows are read as tuples of those columns only and written
straight from them; otherwise as the model's objects, each cell asked of the
view as sqladmin's export does. Either way a cell reads the same:

* CSV: text as ``str()`` gives it (an enum: its value, as every page shows
  it; a related row: its label, as the list shows it,
  several joined by ``, ``), numbers as they are, ``None`` as an empty cell
  (sqladmin wrote ``None``); text that a spreadsheet would run as a formula
  gets a leading ``'`` (see :func:`neutralise`).
* JSON: an array of objects, one a line, keyed by column name, values typed:
  numbers, booleans, ``null``, JSON columns as themselves; ``Decimal`` as a
  string (no float rounding), dates and times in ISO 8601 (with their offset
  when they carry one), UUIDs as strings, enums as in CSV, bytes in base64,
  a non-finite float as ``null``.
"""

import base64
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol

from sqladmin import ModelView
from sqladmin.pretty_export import PrettyExport
from sqlmodel import SQLModel
from starlette.requests import Request

from admin_app.display import json_value, readable
from admin_app.enums import enum_text, reads_plainly
from admin_app.inspection import mapper_of
from admin_app.labels import row_label

# What spreadsheets read as the start of a formula (OWASP "CSV injection"),
# also after leading whitespace, which they skip: spaces, line breaks, tabs,
# Unicode spaces and zero-width characters.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA = re.compile(r"[\t\r]|[\s\u200b-\u200d\u2060\ufeff]*[=+\-@]")
# Cells written as str() gives them (None: an empty cell), never neutralised.
_CSV_AS_IS = frozenset({type(None), int, float, Decimal, bool})
# What makes the csv module quote a cell.
_CSV_SPECIAL = re.compile(r'[",\r\n]')
_JSON_AS_IS = frozenset({type(None), str, int, bool, dict, list})


def neutralise(value: Any) -> Any:
    """``value`` as a CSV cell no spreadsheet runs: text starting like a formula
    gets a leading ``'``; numbers are left alone (``-5`` is data)."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if looks_like_formula(text) else text


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could run ``text`` as a formula."""
    return _FORMULA.match(text) is not None


def json_cell(value: Any) -> Any:
    if type(value) in _JSON_AS_IS:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    value = json_value(_shown(value))
    if isinstance(value, str | int | bool | dict | list):
        return value
    return str(value)


def _shown(value: Any) -> Any:
    # An enum by its value, as every page shows it (admin_app.enums).
    if isinstance(value, Enum):
        return enum_text(value)
    # A related row by its label: SQLModel's own str() prints every field,
    # secrets included.
    if isinstance(value, SQLModel):
        return row_label(value)
    if isinstance(value, list | tuple | set | frozenset) and any(
        isinstance(item, SQLModel) for item in value
    ):
        return ", ".join(sorted(str(_shown(item)) for item in value))
    return value


def _json_default(value: Any) -> Any:
    # Nested in a JSON column or a relation's list: typed as a cell would be.
    converted = json_cell(value)
    return str(converted) if converted is value else converted


@dataclass(frozen=True)
class Layout:
    """The columns of one export and how its rows are read."""

    names: list[str]
    header: list[str]
    # Plain columns read as tuples (the fast path), or None: the model's objects.
    columns: list[Any] | None
    # Relations the exported cells reach, loaded with each batch of objects.
    relations: list[Any]
    pretty: bool


def layout_of(view: ModelView, export_type: str) -> Layout:
    names = list(view._export_prop_names)
    pretty = bool(view.use_pretty_export) and export_type == "csv"
    header = [str(view._column_labels.get(name, name)) for name in names]
    mapper = mapper_of(view.model)
    relation_names = {name.split(".", 1)[0] for name in names} & set(
        view._relation_names
    )
    relations = [getattr(view.model, name) for name in sorted(relation_names)]
    plain = (
        not pretty
        and not relation_names
        and not getattr(view, "column_formatters_export", None)
        and reads_plainly(view)
        and all(name in mapper.column_attrs for name in names)
    )
    columns = [getattr(view.model, name) for name in names] if plain else None
    return Layout(names, header if pretty else names, columns, relations, pretty)


async def object_values(
    view: ModelView, layout: Layout, rows: Sequence[Any], request: Request | None
) -> list[list[Any]]:
    """The cells of a batch of objects, as sqladmin's export reads them."""
    if layout.pretty:
        return [
            await PrettyExport._get_export_row_values(view, row, layout.names, request)
            for row in rows
        ]
    return [
        [await view.get_prop_value(row, name) for name in layout.names] for row in rows
    ]


class Format(Protocol):
    """The text of an export, written a batch of rows at a time."""

    media_type: str

    def start(self) -> str: ...

    def rows(self, batch: Sequence[Sequence[Any]]) -> str: ...

    def end(self) -> str: ...


class CsvFormat:
    """RFC 4180 text as the csv module writes it (minimal quoting, CRLF),
    written here in fewer steps: twice as fast on wide rows."""

    media_type = "text/csv; charset=utf-8"

    def __init__(self, layout: Layout) -> None:
        self.layout = layout

    def start(self) -> str:
        return _csv_line([neutralise(name) for name in self.layout.header])

    def rows(self, batch: Sequence[Sequence[Any]]) -> str:
        return "".join([_csv_line(row) for row in batch])

    def end(self) -> str:
        return ""


def _csv_line(row: Sequence[Any]) -> str:
    if len(row) == 1 and row[0] in (None, ""):
        return '""\r\n'  # not a blank line, which readers skip
    return ",".join([_csv_text(value) for value in row]) + "\r\n"


def _csv_text(value: Any) -> str:
    kind = type(value)
    if kind is str:
        text: str = value
    elif kind in _CSV_AS_IS:
        return "" if value is None else str(value)
    else:
        text = str(readable(_shown(value)))
    if looks_like_formula(text):
        text = "'" + text
    if _CSV_SPECIAL.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


class JsonFormat:
    """An array of objects, one a line: a reader counts rows by lines."""

    media_type = "application/json"

    def __init__(self, layout: Layout) -> None:
        self.names = layout.names
        self.encoder = json.JSONEncoder(ensure_ascii=False, default=_json_default)
        self.separator = "\n"

    def start(self) -> str:
        return "["

    def rows(self, batch: Sequence[Sequence[Any]]) -> str:
        if not batch:
            return ""
        names, encode = self.names, self.encoder.encode
        lines = [
            encode(dict(zip(names, map(json_cell, row), strict=True))) for row in batch
        ]
        text = self.separator + ",\n".join(lines)
        self.separator = ",\n"
        return text

    def end(self) -> str:
        return "\n]\n"


def format_for(export_type: str, layout: Layout) -> Format:
    return JsonFormat(layout) if export_type == "json" else CsvFormat(layout)
