"""Database errors raised while saving a row, told as form errors.

The save path catches the error, rolls back and asks :func:`explain_database_error`
what to show. Errors are classified by what drivers report in structured form
(PostgreSQL's SQLSTATE and diagnostic fields, SQLite's extended result codes),
never by the wording of a message, so a translated server or a new driver version
cannot turn a duplicate into a 500 or leak SQL into a page.
"""

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    UniqueConstraint,
    and_,
    literal,
    select,
    text,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.dialects.sqlite.base import SQLiteDialect
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import ColumnCollectionConstraint, Constraint
from sqlmodel import SQLModel

from admin_app.errors import FormErrors
from admin_app.inspection import (
    ColumnFacts,
    columns_of,
    humanize,
    is_to_many,
    mapper_of,
    relations_of,
)

RETRY_LATER = (
    "The database could not save this change right now; nothing was saved. "
    "Please try again."
)
REQUIRED = "This field is required."

# PostgreSQL's NAMEDATALEN - 1: the longest identifier, in bytes.
_PG_MAX_NAME = 63


class Problem(enum.Enum):
    """What kind of rule a failed save broke."""

    UNIQUE = "unique"
    FOREIGN_KEY = "foreign key"
    NOT_NULL = "not null"
    CHECK = "check"
    DATA = "data"
    OTHER = "other"


@dataclass(frozen=True)
class Diagnosis:
    """What the database said went wrong, from its structured fields only."""

    problem: Problem
    backend: str | None = None
    code: str | None = None  # SQLSTATE, or SQLite's extended result code name
    table: str | None = None
    constraint: str | None = None
    columns: tuple[str, ...] = ()  # column names, where the database gives them


_PG_PROBLEMS = {
    "23505": Problem.UNIQUE,
    "23503": Problem.FOREIGN_KEY,
    "23001": Problem.FOREIGN_KEY,  # restrict_violation: the row is still referred to
    "23502": Problem.NOT_NULL,
    "23514": Problem.CHECK,
    "23P01": Problem.CHECK,  # exclusion_violation: a named rule, told like a check
}

_SQLITE_PROBLEMS = {
    "SQLITE_CONSTRAINT_UNIQUE": Problem.UNIQUE,
    "SQLITE_CONSTRAINT_PRIMARYKEY": Problem.UNIQUE,
    "SQLITE_CONSTRAINT_ROWID": Problem.UNIQUE,
    "SQLITE_CONSTRAINT_FOREIGNKEY": Problem.FOREIGN_KEY,
    "SQLITE_CONSTRAINT_NOTNULL": Problem.NOT_NULL,
    "SQLITE_CONSTRAINT_CHECK": Problem.CHECK,
    "SQLITE_CONSTRAINT_DATATYPE": Problem.DATA,
    "SQLITE_TOOBIG": Problem.DATA,
    "SQLITE_MISMATCH": Problem.DATA,
}

# SQLite's "UNIQUE constraint failed: index 'name'" for indexes on expressions.
_SQLITE_INDEX_TAIL = re.compile(r"index '(?P<name>[^']+)'")

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def explain_database_error(
    error: sa_exc.DBAPIError,
    model: type[SQLModel],
    values: Mapping[str, Any],
    session: Session | None = None,
) -> FormErrors:
    """Form errors for ``error``, raised while saving a ``model`` row of ``values``.

    ``values`` are the column values the save tried to write, by attribute name;
    they stand for the fields the form shows, so a message goes next to a field
    only when exactly one of them is involved. ``session``, if given, must be
    usable (rolled back): it lets a missing foreign key be found on SQLite and an
    unknown PostgreSQL constraint be looked up in the catalog.
    """
    diagnosis = diagnose(error)
    explainer = _Explainer(model, values, session, diagnosis)
    errors = FormErrors()
    if diagnosis.problem is Problem.UNIQUE:
        explainer.unique(errors)
    elif diagnosis.problem is Problem.FOREIGN_KEY:
        explainer.foreign_key(errors)
    elif diagnosis.problem is Problem.NOT_NULL:
        explainer.not_null(errors)
    elif diagnosis.problem is Problem.CHECK:
        explainer.check(errors)
    elif diagnosis.problem is Problem.DATA:
        explainer.data(errors)
    if not errors:
        errors.add(None, RETRY_LATER)
    return errors


def diagnose(error: sa_exc.DBAPIError) -> Diagnosis:
    """Read the driver's structured fields: SQLSTATE and diagnostics, or SQLite's
    extended result code and the fixed ``table.column`` list it ends with."""
    orig = error.orig
    if orig is None:
        return Diagnosis(Problem.OTHER)
    sqlite_code = getattr(orig, "sqlite_errorname", None)
    if isinstance(sqlite_code, str):
        return _diagnose_sqlite(orig, sqlite_code)
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if isinstance(sqlstate, str):
        return _diagnose_postgres(orig, sqlstate)
    if isinstance(error, sa_exc.DataError):
        # psycopg refuses some values (a NUL byte in text) before they reach the
        # server, so there is no SQLSTATE; the exception class still says "data".
        return Diagnosis(Problem.DATA)
    return Diagnosis(Problem.OTHER)


def _diagnose_postgres(orig: BaseException, sqlstate: str) -> Diagnosis:
    problem = _PG_PROBLEMS.get(sqlstate)
    if problem is None:
        problem = Problem.DATA if sqlstate.startswith("22") else Problem.OTHER
    column = _pg_field(orig, "column_name")
    return Diagnosis(
        problem,
        backend="postgresql",
        code=sqlstate,
        table=_pg_field(orig, "table_name"),
        constraint=_pg_field(orig, "constraint_name"),
        columns=(column,) if column else (),
    )


def _pg_field(orig: BaseException, name: str) -> str | None:
    """A diagnostic field: psycopg keeps them in ``.diag``; asyncpg's exception,
    which SQLAlchemy's adaptor wraps, has them as attributes."""
    for holder in (getattr(orig, "diag", None), orig.__cause__, orig):
        value = getattr(holder, name, None)
        if isinstance(value, str) and value:
            return value
    return None


def _diagnose_sqlite(orig: BaseException, code: str) -> Diagnosis:
    problem = _SQLITE_PROBLEMS.get(code, Problem.OTHER)
    diagnosis = Diagnosis(problem, backend="sqlite", code=code)
    if problem not in (Problem.UNIQUE, Problem.NOT_NULL, Problem.CHECK):
        return diagnosis
    # SQLite's constraint messages end in a fixed format after ": " (a list of
    # "table.column", "index 'name'", or a CHECK constraint's name).
    _, found, tail = str(orig).partition(": ")
    if not found or not tail:
        return diagnosis
    if problem is Problem.CHECK:
        return Diagnosis(problem, "sqlite", code, constraint=tail.strip())
    if match := _SQLITE_INDEX_TAIL.fullmatch(tail.strip()):
        return Diagnosis(problem, "sqlite", code, constraint=match["name"])
    pairs = [item.strip().rpartition(".") for item in tail.split(",")]
    tables = {table for table, _, _ in pairs}
    if len(tables) != 1 or not all(column for _, _, column in pairs):
        return diagnosis
    columns = tuple(column for _, _, column in pairs)
    return Diagnosis(problem, "sqlite", code, table=tables.pop(), columns=columns)


def verbose_name(model: type[Any]) -> str:
    """``OrderItem`` → ``order item``; acronyms keep their case (``SKUCode`` →
    ``SKU code``)."""
    words = _CAMEL_BOUNDARY.sub(" ", model.__name__).replace("_", " ").split()
    return " ".join(_lower_word(word) for word in words)


def _lower_word(word: str) -> str:
    return word if len(word) > 1 and word.isupper() else word.lower()


def _lower_title(title: str) -> str:
    return " ".join(_lower_word(word) for word in title.split())


def _article(noun: str) -> str:
    """The article for ``noun``, by how it is most likely said: "A" or "An"."""
    first = noun.split(" ", 1)[0]
    if len(first) > 1 and first.isupper():  # an acronym, said letter by letter
        vowel_sound = first[0] in "AEFHILMNORSX"
    else:
        lowered = first.lower()
        vowel_sound = lowered[:1] in ("a", "e", "i", "o") or (
            lowered.startswith("u") and not re.match(r"u(ni|s|t|r|ku|bi)", lowered)
        )
    return "An" if vowel_sound else "A"


def _and_list(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


@cache
def _dialect(backend: str) -> Dialect:
    if backend == "postgresql":
        return PGDialect()  # type: ignore[no-untyped-call]
    return SQLiteDialect()


def postgres_default_name(table: str, columns: Sequence[str], label: str) -> str:
    """The name PostgreSQL gives an unnamed constraint: its ``makeObjectName()``.

    ``table_col1_col2_label``, cut to 63 bytes by shortening the longer of the
    table part and the columns part first, at a character boundary.
    """
    first = table.encode()
    second = "_".join(columns).encode() if columns else None
    overhead = len(label.encode()) + 1 + (1 if second is not None else 0)
    available = _PG_MAX_NAME - overhead
    first_len, second_len = len(first), len(second or b"")
    while first_len + second_len > available:
        if first_len > second_len:
            first_len -= 1
        else:
            second_len -= 1
    parts = [first[:first_len].decode(errors="ignore")]
    if second is not None:
        parts.append(second[:second_len].decode(errors="ignore"))
    return "_".join([*parts, label])


_PG_DEFAULT_LABELS: dict[type[Any], str] = {
    PrimaryKeyConstraint: "pkey",
    UniqueConstraint: "key",
    ForeignKeyConstraint: "fkey",
}


def _database_names(item: Constraint | Index, backend: str) -> tuple[str, ...]:
    """Names the database may know ``item`` by, most likely first."""
    if item.name is not None:
        preparer = _dialect(backend).identifier_preparer
        try:
            # The name as DDL renders it: naming conventions applied, long
            # convention names cut the way SQLAlchemy cuts them.
            name = preparer.format_constraint(item, _alembic_quote=False)
        except (sa_exc.SQLAlchemyError, AssertionError):
            return ()
        return (name,) if name else ()
    label = _PG_DEFAULT_LABELS.get(type(item))
    if backend != "postgresql" or label is None or item.table is None:
        return ()
    assert isinstance(item, ColumnCollectionConstraint)
    columns = [] if label == "pkey" else [column.name for column in item.columns]
    base = postgres_default_name(item.table.name, columns, label)
    # A clash with an existing name makes PostgreSQL retry with key1, key2, ...
    again = (
        postgres_default_name(item.table.name, columns, f"{label}{n}")
        for n in range(1, 10)
    )
    return (base, *again)


def _find_constraint(
    table: Table, name: str, backend: str
) -> Constraint | Index | None:
    items: list[Constraint | Index] = [*table.constraints, *table.indexes]
    candidates = [(item, _database_names(item, backend)) for item in items]
    for position in range(10):
        for item, names in candidates:
            if len(names) > position and names[position] == name:
                return item
    return None


# The columns of a constraint, else of a unique index, the database names: for
# names the model does not know (a migration named it differently).
_CATALOG_QUERIES = (
    text(
        """
        SELECT a.attname FROM pg_constraint c
        JOIN pg_class t ON t.oid = c.conrelid
        JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, position) ON true
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
        WHERE c.conname = :name AND t.relname = :table AND pg_table_is_visible(t.oid)
        ORDER BY k.position
        """
    ),
    text(
        """
        SELECT a.attname FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, position)
            ON true
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
        WHERE i.relname = :name AND t.relname = :table AND pg_table_is_visible(t.oid)
        ORDER BY k.position
        """
    ),
)


class _Explainer:
    """Turns one diagnosis into messages about one model's fields."""

    def __init__(
        self,
        model: type[SQLModel],
        values: Mapping[str, Any],
        session: Session | None,
        diagnosis: Diagnosis,
    ) -> None:
        self.model = model
        self.values = values
        self.session = session
        self.diagnosis = diagnosis
        self.mapper = mapper_of(model)
        self.tables = [
            table for table in self.mapper.tables if isinstance(table, Table)
        ]
        self.facts = {
            (fact.column.table.name, fact.column.name): fact
            for fact in columns_of(model)
            if isinstance(fact.column.table, Table)
        }
        self.name = verbose_name(model)

    # -- where the error happened -------------------------------------------------

    def own_table(self) -> Table | None:
        """The model's table the error is about (the only one, when unnamed)."""
        if self.diagnosis.table is None:
            return self.tables[0] if len(self.tables) == 1 else None
        return next((t for t in self.tables if t.name == self.diagnosis.table), None)

    def facts_for(self, table: Table, names: Iterable[str]) -> list[ColumnFacts] | None:
        """Facts for ``table``'s columns ``names``, or None if one isn't mapped."""
        found = [self.facts.get((table.name, name)) for name in names]
        if not found or any(fact is None for fact in found):
            return None
        return [fact for fact in found if fact is not None]

    def field_for(self, facts: Sequence[ColumnFacts]) -> str | None:
        """The field to attach to: the one shown column among ``facts``, if one."""
        shown = [fact.name for fact in facts if fact.name in self.values]
        return shown[0] if len(shown) == 1 else None

    def constraint_columns(self, table: Table) -> list[str] | None:
        """Column names of the constraint the database named, through the model's
        table, else (PostgreSQL, with a session) through the catalog."""
        name, backend = self.diagnosis.constraint, self.diagnosis.backend
        if self.diagnosis.columns:
            return list(self.diagnosis.columns)
        if name is None or backend is None:
            return None
        item = _find_constraint(table, name, backend)
        if isinstance(item, ColumnCollectionConstraint | Index):
            columns = [column.name for column in item.columns]
            return columns or None  # an index on expressions names no column
        if backend == "postgresql" and self.session is not None:
            return self.catalog_columns(table.name, name)
        return None

    def catalog_columns(self, table: str, name: str) -> list[str] | None:
        assert self.session is not None
        for query in _CATALOG_QUERIES:
            try:
                rows = self.session.execute(query, {"name": name, "table": table})
                columns = [str(row[0]) for row in rows]
            except sa_exc.SQLAlchemyError:
                return None
            if columns:
                return columns
        return None

    # -- one method per problem -------------------------------------------------

    def unique(self, errors: FormErrors) -> None:
        table = self.own_table()
        if table is None:
            return  # a link table's row clashed: a concurrent edit, so try again
        columns = self.constraint_columns(table)
        facts = self.facts_for(table, columns) if columns else None
        article = _article(self.name)
        if facts is None:
            errors.add(
                None, f"{article} {self.name} with the same values already exists."
            )
            return
        titles = _and_list([_lower_title(fact.title) for fact in facts])
        message = f"{article} {self.name} with this {titles} already exists."
        errors.add(self.field_for(facts), message)

    def foreign_key(self, errors: FormErrors) -> None:
        table = self.own_table()
        name = self.diagnosis.constraint
        if table is not None and name is not None and self.diagnosis.backend:
            item = _find_constraint(table, name, self.diagnosis.backend)
            if isinstance(item, ForeignKeyConstraint):
                self.missing_target(errors, table, item)
                return
        if self.diagnosis.table is not None and table is None:
            self.link_or_referrer(errors)
            if errors:
                return
        if table is not None and self.session is not None:
            for constraint in self.missing_targets(table):
                self.missing_target(errors, table, constraint)
        if not errors:
            errors.add(
                None,
                "A related record this change depends on is missing, or other "
                "records still depend on this one.",
            )

    def missing_target(
        self, errors: FormErrors, table: Table, constraint: ForeignKeyConstraint
    ) -> None:
        target = _target_name(self.model, constraint)
        message = f"The selected {target} does not exist (it may have been deleted)."
        facts = self.facts_for(table, [column.name for column in constraint.columns])
        errors.add(self.field_for(facts) if facts else None, message)

    def missing_targets(self, table: Table) -> list[ForeignKeyConstraint]:
        """Foreign keys in ``values`` whose target row is not there (SQLite names
        no constraint, so each one written is looked up)."""
        assert self.session is not None
        missing: list[ForeignKeyConstraint] = []
        for constraint in sorted(table.foreign_key_constraints, key=_constraint_order):
            facts = self.facts_for(
                table, [column.name for column in constraint.columns]
            )
            if not facts or any(self.values.get(fact.name) is None for fact in facts):
                continue
            match = and_(
                *(
                    element.column == self.values[fact.name]
                    for fact, element in zip(facts, constraint.elements, strict=True)
                )
            )
            probe = select(literal(1)).select_from(constraint.referred_table)
            try:
                found = self.session.execute(probe.where(match).limit(1)).first()
            except sa_exc.SQLAlchemyError:
                return missing  # cannot look: say what is known so far
            if found is None:
                missing.append(constraint)
        return missing

    def link_or_referrer(self, errors: FormErrors) -> None:
        """A foreign key of another table: a many-to-many link table's row points
        at a deleted record, or another table's rows still point at this one."""
        name, backend = self.diagnosis.constraint, self.diagnosis.backend
        other = self.tables[0].metadata.tables.get(self.diagnosis.table or "")
        if other is None or name is None or backend is None:
            return
        item = _find_constraint(other, name, backend)
        if not isinstance(item, ForeignKeyConstraint):
            return
        if any(item.referred_table is table for table in self.tables):
            # Changing or removing a key that rows elsewhere still point at.
            errors.add(None, f"Other records still refer to this {self.name}.")
            return
        for relation in relations_of(self.model):
            if is_to_many(relation) and relation.secondary is other:
                target = verbose_name(relation.mapper.class_)
                message = (
                    f"The selected {target} does not exist (it may have been deleted)."
                )
                errors.add(relation.key, message)
                return

    def not_null(self, errors: FormErrors) -> None:
        table = self.own_table()
        facts = (
            self.facts_for(table, self.diagnosis.columns)
            if table is not None and len(self.diagnosis.columns) == 1
            else None
        )
        if not facts:
            errors.add(None, "A required value is missing.")
        elif (field := self.field_for(facts)) is not None:
            errors.add(field, REQUIRED)
        else:
            errors.add(None, f"{facts[0].title} is required.")

    def check(self, errors: FormErrors) -> None:
        name = self.diagnosis.constraint
        if name is not None and self.diagnosis.backend == "sqlite":
            # SQLite gives an unnamed CHECK's expression instead of a name: SQL,
            # so it is only shown when it is the name of one of the model's rules.
            table = self.own_table()
            item = (
                _find_constraint(table, name, "sqlite") if table is not None else None
            )
            name = name if isinstance(item, CheckConstraint) else None
        if name:
            errors.add(None, f'A value breaks the rule "{name}".')
        else:
            article = _article(self.name).lower()
            errors.add(
                None, f"A value breaks one of the rules for {article} {self.name}."
            )

    def data(self, errors: FormErrors) -> None:
        code = self.diagnosis.code
        checks = _DATA_CHECKS.get(code or "", _ALL_DATA_CHECKS)
        for fact in columns_of(self.model):
            value = self.values.get(fact.name)
            if value is None:
                continue
            for check in checks:
                if message := check(fact, value, self.diagnosis.backend):
                    errors.add(fact.name, message)
        if not errors:
            errors.add(None, _DATA_ROW_MESSAGES.get(code or "", _INVALID_VALUE))


def _constraint_order(constraint: ForeignKeyConstraint) -> tuple[str, ...]:
    return tuple(column.name for column in constraint.columns)


def _target_name(model: type[SQLModel], constraint: ForeignKeyConstraint) -> str:
    """The verbose name of the model a foreign key points at."""
    target = constraint.referred_table
    for relation in relations_of(model):
        if relation.mapper.local_table is target and not is_to_many(relation):
            return verbose_name(relation.mapper.class_)
    for mapper in mapper_of(model).registry.mappers:
        if mapper.local_table is target:
            return verbose_name(mapper.class_)
    return _lower_title(humanize(target.name))


# -- values a column cannot hold ----------------------------------------------------

_INVALID_VALUE = "A value is not valid for its column."
_DATA_ROW_MESSAGES = {
    "22001": "A value is too long for its column.",
    "22003": "A number is out of range for its column.",
    "22021": "A value contains a character that cannot be stored.",
    "SQLITE_TOOBIG": "A value is too long for its column.",
}

_INT_BOUNDS = {SmallInteger: 2**15, BigInteger: 2**63, Integer: 2**31}


def _too_long(fact: ColumnFacts, value: Any, backend: str | None) -> str | None:
    length = getattr(fact.sql_type, "length", None)
    if isinstance(value, str) and fact.is_string and length and len(value) > length:
        return f"Ensure this value has at most {length} characters."
    return None


def _has_nul(fact: ColumnFacts, value: Any, backend: str | None) -> str | None:
    if isinstance(value, str) and "\x00" in value:
        return "This value contains a character that cannot be stored."
    return None


def _out_of_range(fact: ColumnFacts, value: Any, backend: str | None) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    column_type = fact.sql_type
    message = "This number is out of range for this field."
    if isinstance(column_type, Integer):
        # SQLite stores every integer in 64 bits, whatever the declared type.
        bound = 2**63 if backend == "sqlite" else _int_bound(column_type)
        return message if not -bound <= value < bound else None
    if isinstance(column_type, Numeric) and not isinstance(column_type, Float):
        precision, scale = column_type.precision, column_type.scale or 0
        if precision is None:
            return None
        try:
            rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-scale))
        except InvalidOperation:
            return message  # too many digits to even round
        return message if abs(rounded) >= Decimal(10) ** (precision - scale) else None
    return None


def _int_bound(column_type: Integer) -> int:
    for kind, bound in _INT_BOUNDS.items():
        if isinstance(column_type, kind):
            return bound
    return 2**31


_ALL_DATA_CHECKS = (_has_nul, _too_long, _out_of_range)
_DATA_CHECKS = {
    "22001": (_too_long,),
    "22003": (_out_of_range,),
    "22021": (_has_nul,),
    "SQLITE_TOOBIG": (_too_long,),
}
