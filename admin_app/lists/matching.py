"""Matching a typed term against columns the way an index can serve it: the
rules shared by relationship pickers (:mod:`admin_app.forms.pickers`) and list
search (:mod:`admin_app.lists.searching`).

* **Prefix, never substring.** A text column matches when it *starts with*
  the term. The term's ``%``, ``_`` and ``\\`` are escaped (``ESCAPE '\\'``) so
  they match literally. (sqladmin runs ``CAST(col AS VARCHAR) ILIKE '%term%'``,
  which reads every row.)
* **From an index, case-insensitively enough.** A column is matched as typed,
  lower-case, capitalised, title-case and upper-case, each spelling as
  ``col >= lo AND col < hi AND col LIKE 'spelling%'``: a range scan that a plain
  btree index serves on SQLite and on PostgreSQL under any collation (a bare
  ``LIKE 'term%'`` uses one only under the C collation or ``text_pattern_ops``,
  ``ILIKE`` and ``lower(col)`` never without a special index). So "ada" finds
  "Ada Lovelace" and "ada@example.com", not "aDa"; mixed-case data is found by
  typing it as it is written.
* **MySQL/MariaDB compare without case already** (their default collations,
  ``utf8mb4_general_ci`` and the like): there a column is matched by a single
  ``col LIKE 'term%'``, which reads its index as a range and finds every case
  ("aDa" too). A column whose collation is case-sensitive (``_bin``, ``_cs``,
  ``binary``), as its type, its MySQL variant or its table's ``mysql_collate``
  declares it, is matched by ``LOWER(col) LIKE 'term%'`` instead: without case,
  but a scan. (ILIKE is ``lower(col) LIKE lower(…)`` there too.) The
  database's own default collation is taken to be case-insensitive, as MySQL's
  and MariaDB's are.
* **Exact shortcuts**, by ``=``, which any btree serves: a term that looks like
  an e-mail address matches e-mail columns (as typed, or lower-cased), an
  all-digit term matches an integer primary key, a UUID matches a UUID key.
  Numbers too big for the column's type match nothing (PostgreSQL would
  refuse them with an error).
"""

import re
import uuid
from contextlib import suppress
from typing import Any

from sqlalchemy import Boolean, Column, Integer, String, Uuid, and_, cast, func, or_
from sqlalchemy import Enum as SAEnum
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import coercions, operators, roles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator, TypeEngine
from sqlmodel import SQLModel

from admin_app.capacity import integer_range
from admin_app.db import MYSQL_DIALECTS
from admin_app.inspection import columns_of, mapper_of

LIKE_ESCAPE = "\\"

_EMAIL_TERM = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_EMAIL_COLUMN = re.compile(r"(?:.+_)?e_?mail(?:_address)?", re.IGNORECASE)
_DIGITS = re.compile(r"[0-9]{1,20}")
_INTEGER = re.compile(r"-?[0-9]{1,20}")  # longer ones fit no column (nor int())


def escape_like(term: str) -> str:
    """``term`` with LIKE's wildcards and its escape character made literal."""
    for char in (LIKE_ESCAPE, "%", "_"):  # the escape character first
        term = term.replace(char, LIKE_ESCAPE + char)
    return term


def prefix_match(column: Any, term: str) -> ColumnElement[bool]:
    """``column`` starts with ``term`` (as typed, lower-case, capitalised or
    upper-case), as btree range scans any index on ``column`` serves.

    Each spelling is ``column >= lo AND column < hi AND column LIKE 'spelling%'``:
    the range lets the database read the index from ``lo`` to ``hi`` whatever
    its collation; the ``LIKE`` keeps exactly the rows that start with it.
    On MySQL/MariaDB, one ``LIKE`` under the column's case-insensitive
    collation (see :class:`PrefixMatch`).
    """
    column = coercions.expect(roles.ExpressionElementRole, column)
    branches = [_spelling_match(column, spelling) for spelling in _spellings(term)]
    pattern = escape_like(term) + "%"
    return PrefixMatch(
        column,
        spelled=or_(*branches),
        folded=column.like(pattern, escape=LIKE_ESCAPE),
        lowered=func.lower(column).like(
            escape_like(term.lower()) + "%", escape=LIKE_ESCAPE
        ),
    )


class PrefixMatch(ColumnElement[bool]):
    """A prefix match written per database: ``spelled`` (each spelling by a
    range) on SQLite and PostgreSQL; on MySQL/MariaDB ``folded`` (one
    ``LIKE``) under a case-insensitive collation, else ``lowered``. All three
    are in the statement's cache key, so their terms are bound parameters."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a predicate: no "= 1" where booleans are ints
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("spelled", InternalTraversal.dp_clauseelement),
        ("folded", InternalTraversal.dp_clauseelement),
        ("lowered", InternalTraversal.dp_clauseelement),
    ]

    def __init__(
        self,
        column: ColumnElement[Any],
        *,
        spelled: ColumnElement[bool],
        folded: ColumnElement[bool],
        lowered: ColumnElement[bool],
    ) -> None:
        self.column = column
        self.spelled = spelled
        self.folded = folded
        self.lowered = lowered


@compiles(PrefixMatch)
def _compile_spelled(element: PrefixMatch, compiler: SQLCompiler, **kw: Any) -> str:
    # Grouped: the spellings' OR inside a caller's AND keeps its meaning.
    return compiler.process(element.spelled.self_group(against=operators.and_), **kw)


def _compile_folded(element: PrefixMatch, compiler: SQLCompiler, **kw: Any) -> str:
    if folds_case(element.column, compiler.dialect):
        return compiler.process(element.folded, **kw)
    return compiler.process(element.lowered, **kw)


for _name in MYSQL_DIALECTS:
    compiles(PrefixMatch, _name)(_compile_folded)


_CASE_SENSITIVE = re.compile(r"(?:_bin|_cs|^binary)$", re.IGNORECASE)


def folds_case(column: Any, dialect: Dialect) -> bool:
    """Whether MySQL/MariaDB compare ``column`` without case: unless its type
    (or the type's variant for this database) or its table declares a binary
    or case-sensitive collation. Undeclared, the database's default: taken to
    be case-insensitive, as MySQL's and MariaDB's defaults are."""
    kind = getattr(column, "type", None)
    if isinstance(kind, TypeEngine):
        kind = base_type(kind.dialect_impl(dialect))
        if getattr(kind, "binary", False):  # MySQL's VARCHAR(…) BINARY
            return False
        collation = getattr(kind, "collation", None)
        if collation:
            return not _CASE_SENSITIVE.search(str(collation))
    for base in getattr(column, "base_columns", ()):
        options = getattr(getattr(base, "table", None), "kwargs", {})
        collation = options.get(f"{dialect.name}_collate") or options.get(
            "mysql_collate"
        )
        if collation:
            return not _CASE_SENSITIVE.search(str(collation))
    return True


def contains_match(column: Any, term: str) -> ColumnElement[bool]:
    """``column`` holds ``term`` anywhere, ignoring case (wildcards literal): a
    scan of every row. A column that is not text is compared as its text."""
    if not is_text(column):
        column = cast(column, String)
    pattern = f"%{escape_like(term)}%"
    return column.ilike(pattern, escape=LIKE_ESCAPE)  # type: ignore[no-any-return]


def _spellings(term: str) -> list[str]:
    return list(
        dict.fromkeys(
            [term, term.lower(), term.capitalize(), term.title(), term.upper()]
        )
    )


def _spelling_match(column: Any, spelling: str) -> ColumnElement[bool]:
    like = column.like(escape_like(spelling) + "%", escape=LIKE_ESCAPE)
    bounds = _range(spelling)
    if bounds is None:
        return like  # type: ignore[no-any-return]
    low, high = bounds
    return and_(column >= low, column < high, like)


def _range(spelling: str) -> tuple[str, str] | None:
    """Bounds holding every string that starts with ``spelling``, in binary
    order and in linguistic collations (which skip punctuation at first): from
    the spelling up to its stem (to the last letter or digit) with that last
    character counted up. ``None`` when there is no letter or digit."""
    stem = spelling
    while stem and not stem[-1].isalnum():
        stem = stem[:-1]
    if not stem or ord(stem[-1]) >= 0x10FFFF:
        return None
    return stem, stem[:-1] + chr(ord(stem[-1]) + 1)


def base_type(column_type: TypeEngine[Any]) -> TypeEngine[Any]:
    """The type under wrappers such as sqlmodel's AutoString."""
    while isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    return column_type


def is_text(field: Any) -> bool:
    """Whether a column holds text: a prefix means nothing to a number."""
    kind = getattr(field, "type", None)
    if not isinstance(kind, TypeEngine):
        return False
    kind = base_type(kind)
    return isinstance(kind, String) and not isinstance(kind, SAEnum)


def integer_term(kind: Integer, term: str, *, signed: bool = True) -> int | None:
    """``term`` as a value of an integer column of type ``kind``, or None when it
    is not a whole number or is too big for the type."""
    if not (_INTEGER if signed else _DIGITS).fullmatch(term):
        return None
    number = int(term)
    low, high = integer_range(kind)
    return number if low <= number <= high else None


def is_email_term(term: str) -> bool:
    """Whether ``term`` looks like a whole e-mail address."""
    return _EMAIL_TERM.fullmatch(term) is not None


def is_email_name(name: str) -> bool:
    """Whether a column called ``name`` holds e-mail addresses (``email``,
    ``work_email``, ``e_mail_address``, …)."""
    return _EMAIL_COLUMN.fullmatch(name) is not None


def email_match(column: Any, term: str) -> ColumnElement[bool]:
    """``column`` is the address ``term``, as typed or lower-cased."""
    return column.in_(list(dict.fromkeys([term, term.lower()])))  # type: ignore[no-any-return]


def email_columns(target: type[SQLModel]) -> list[Column[Any]]:
    """The target's e-mail-like string columns (``email``, ``work_email``, …)."""
    return [
        fact.column
        for fact in columns_of(target)
        if fact.is_string and not fact.sensitive and is_email_name(fact.name)
    ]


def key_matches(target: type[SQLModel], term: str) -> list[ColumnElement[bool]]:
    """Equality on the target's single primary key when ``term`` is a value of
    it (digits for an integer key, a UUID for a UUID key); else empty."""
    keys = mapper_of(target).primary_key
    if len(keys) != 1:
        return []
    key, kind = keys[0], base_type(keys[0].type)
    if isinstance(kind, Integer):
        number = integer_term(kind, term, signed=False)
        return [] if number is None else [key == number]
    if isinstance(kind, Uuid):
        with suppress(ValueError):
            return [key == uuid.UUID(term)]
    return []


def exact_matches(target: type[SQLModel], term: str) -> list[ColumnElement[bool]]:
    """Equality shortcuts for a term that is an e-mail address, a number or a
    UUID; empty for any other term."""
    clauses: list[ColumnElement[bool]] = []
    if is_email_term(term):
        clauses += [email_match(column, term) for column in email_columns(target)]
    return clauses + key_matches(target, term)
