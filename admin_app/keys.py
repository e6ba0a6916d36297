"""Primary keys as URLs and forms spell them: one strict parser, one formatter.

sqladmin turns the text of a URL into key values with each column's Python type
(``int("1_0")`` is 10, ``int(" 01")`` is 1, ``uuid.UUID("{ABC…}")`` is a UUID), so
many spellings name the same row, and sqlmodel's ``AutoString`` (whose
``python_type`` is ``object``) names none. Here a key is accepted only in the one
spelling :func:`format_key` gives its values: ``str(int)``, the lower-case
hyphenated ``str(uuid)``, a string as it is. Composite keys keep sqladmin's
format: the values joined by ``;``, with ``\\`` and ``;`` inside a value escaped by
a backslash. So the URLs sqladmin builds stay the same, and anything else is a
:class:`BadKey`, which routes answer with 404.
"""

import enum
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Uuid
from sqlalchemy import Enum as SAEnum
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper

from admin_app import inspection

SEPARATOR = ";"
ESCAPE = "\\"
# A canonical integer: no sign but a minus, no leading zeros, no "-0", ASCII only.
_INTEGER = re.compile(r"(?:0|-?[1-9][0-9]*)\Z")
# No database keys rows by integers past 64 bits; drivers raise on them.
_INT_RANGE = range(-(2**63), 2**63)


class BadKey(ValueError):
    """Text that is not the canonical spelling of a key of the model."""


class UnsupportedKey(TypeError):
    """A primary key column of a type that URLs cannot name."""


@dataclass(frozen=True)
class KeyPart:
    """One primary key column: the attribute holding it and how to read it."""

    attribute: str
    column: ColumnElement[Any]
    parse: Callable[[str], Any]


def _parse_int(text: str) -> int:
    # 20 characters hold any 64-bit integer ("-9223372036854775808").
    if len(text) > 20 or not _INTEGER.match(text):
        raise BadKey(text)
    value = int(text)
    if value not in _INT_RANGE:
        raise BadKey(text)
    return value


def _parse_str(text: str) -> str:
    # PostgreSQL cannot compare text holding NUL, nor can a driver send text
    # that is not Unicode (lone surrogates): neither is any row's key.
    if "\x00" in text:
        raise BadKey(text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadKey(text) from None
    return text


def _canonical_uuid(text: str) -> uuid.UUID:
    try:
        value = uuid.UUID(text)
    except ValueError:
        raise BadKey(text) from None
    if str(value) != text:
        raise BadKey(text)
    return value


def _parse_uuid_text(text: str) -> str:
    """A UUID column read as text (``Uuid(as_uuid=False)``)."""
    _canonical_uuid(text)
    return text


def _reader(model: type, column: ColumnElement[Any]) -> Callable[[str], Any]:
    """How a key column's text becomes its value, from its Python type; a
    wrapper type with none of its own (sqlmodel's ``AutoString``) is seen
    through to the type it wraps."""
    column_type, python_type = inspection.python_type(column.type)
    if isinstance(column_type, Uuid) and python_type is str:
        return _parse_uuid_text
    if python_type is uuid.UUID:
        return _canonical_uuid
    if python_type is int:
        return _parse_int
    if python_type is str and not (
        isinstance(column_type, SAEnum) and column_type.enum_class is not None
    ):
        return _parse_str
    raise UnsupportedKey(
        f"{getattr(model, '__name__', model)}.{column.key}: a primary key of type "
        f"{column.type!r} cannot be named in URLs (admin_app serves integer, "
        "string and UUID keys)"
    )


@cache
def key_parts(model: type) -> tuple[KeyPart, ...]:
    """The model's primary key columns, in the mapper's order.

    Raises :class:`UnsupportedKey` when one of them has a type URLs cannot name.
    """
    mapper: Mapper[Any] = sa_inspect(model)
    return tuple(
        KeyPart(
            mapper.get_property_by_column(column).key, column, _reader(model, column)
        )
        for column in mapper.primary_key
    )


def _split(text: str, width: int) -> list[str]:
    """The escaped values of a composite identifier; a stray backslash or the
    wrong number of values is a :class:`BadKey`."""
    parts: list[str] = []
    current: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == ESCAPE:
            escaped = next(chars, None)
            if escaped not in (ESCAPE, SEPARATOR):
                raise BadKey(text)
            current.append(escaped)
        elif char == SEPARATOR:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    if len(parts) != width:
        raise BadKey(text)
    return parts


def parse_key(model: type, text: str) -> tuple[Any, ...]:
    """The key values ``text`` names, in primary key order.

    Only the spelling :func:`format_key` gives those values is accepted; any
    other is a :class:`BadKey`.
    """
    if not isinstance(text, str):
        raise BadKey(repr(text))
    parts = key_parts(model)
    texts = [text] if len(parts) == 1 else _split(text, len(parts))
    return tuple(part.parse(piece) for part, piece in zip(parts, texts, strict=True))


def _text(value: Any) -> str:
    if isinstance(value, enum.Enum):  # as sqladmin: the member's value
        value = value.value
    return str(value)


def _escaped(text: str) -> str:
    return text.replace(ESCAPE, ESCAPE * 2).replace(SEPARATOR, ESCAPE + SEPARATOR)


def key_values(row: Any) -> tuple[Any, ...]:
    """A mapped row's primary key values, in primary key order."""
    mapper = sa_inspect(row).mapper
    return tuple(
        getattr(row, mapper.get_property_by_column(column).key)
        for column in mapper.primary_key
    )


def format_key(row_or_values: Any) -> str:
    """The identifier of a row (or of its key values, in primary key order) as
    URLs and forms spell it: sqladmin's format, and what :func:`parse_key` reads."""
    if isinstance(row_or_values, Sequence) and not isinstance(row_or_values, str):
        values = tuple(row_or_values)
    else:
        values = key_values(row_or_values)
    if len(values) == 1:
        return _text(values[0])
    return SEPARATOR.join(_escaped(_text(value)) for value in values)


def key_clauses(model: type, text: str) -> list[ColumnElement[bool]]:
    """WHERE clauses selecting the row ``text`` names (:class:`BadKey` if none can)."""
    values = parse_key(model, text)
    return [
        part.column == value
        for part, value in zip(key_parts(model), values, strict=True)
    ]


class RowNotFound(Exception):
    """The row a URL names is gone, or its identifier can name no row."""


def row_clauses(model: type, identifier: str) -> list[ColumnElement[bool]]:
    """WHERE clauses selecting the row named by a URL identifier.

    Raises :class:`RowNotFound` for an identifier that is not the canonical
    spelling of a key.
    """
    try:
        return key_clauses(model, identifier)
    except BadKey as exc:
        raise RowNotFound(identifier) from exc
