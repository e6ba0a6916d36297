"""Database errors raised while saving a row, told as form errors.

The save path catches the error, rolls back and asks :func:`explain_database_error`
what to show. Errors are classified by what drivers report in structured form
(:mod:`admin_app.forms.diagnosis`), never by the wording of a message, so a translated
server or a new driver version cannot turn a duplicate into a 500 or leak SQL into
a page.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from sqladmin.i18n import gettext
from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKeyConstraint,
    Integer,
    Numeric,
    Table,
    and_,
    literal,
    select,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from admin_app.capacity import integer_range, max_length, storable_text
from admin_app.forms.constraints import (
    constraint_columns,
    constraint_order,
    find_constraint,
    foreign_key_on,
)
from admin_app.forms.diagnosis import Diagnosis, Problem, diagnose
from admin_app.forms.errors import FormErrors
from admin_app.inspection import (
    ColumnFacts,
    columns_of,
    humanize,
    is_to_many,
    mapper_of,
    relations_of,
)
from admin_app.moments import as_stored, zoned

RETRY_LATER = (
    "The database could not save this change right now; nothing was saved. "
    "Please try again."
)
REQUIRED = "This field is required."

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
        explainer.foreign_key_problem(errors)
    elif diagnosis.problem is Problem.NOT_NULL:
        explainer.not_null(errors)
    elif diagnosis.problem is Problem.CHECK:
        explainer.check(errors)
    elif diagnosis.problem is Problem.DATA:
        explainer.data(errors)
    if not errors:
        errors.add(None, RETRY_LATER)
    return errors


def explain_refused_value(
    model: type[SQLModel], values: Mapping[str, Any], dialect: Dialect
) -> FormErrors:
    """Form errors for a value the column's type refused to pass to the
    database (a ``TypeDecorator`` raising, sqlmodel's ``UTCDateTime`` given a
    naive value): each column whose type refuses its value in ``values`` is
    named; if none does, the row is."""
    errors = FormErrors()
    for fact in columns_of(model):
        value = values.get(fact.name)
        if value is None:
            continue
        with_zone = zoned(fact.column)
        if with_zone is not None:  # as the flush stored it (admin_app.moments)
            value = as_stored(value, with_zone)
        try:
            processor = fact.column.type.bind_processor(dialect)
            if processor is not None:
                processor(value)
        except Exception:  # what the flush met: this column refuses it
            message = gettext("The database cannot store this value of %(field)s.")
            errors.add(fact.name, message % {"field": _lower_title(fact.title)})
    if not errors:
        errors.add(None, gettext("The database refused a value; nothing was saved."))
    return errors


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
        """The model's table the error is about: the one named, else the only
        one, else (MySQL names no table) the one with the named key or column."""
        if self.diagnosis.table is not None:
            return next(
                (t for t in self.tables if t.name == self.diagnosis.table), None
            )
        if len(self.tables) == 1:
            return self.tables[0]
        name, backend = self.diagnosis.constraint, self.diagnosis.backend
        if name is not None and backend is not None:
            found = [t for t in self.tables if find_constraint(t, name, backend)]
        else:
            columns = set(self.diagnosis.columns)
            found = [t for t in self.tables if columns and columns <= set(t.c.keys())]
        return found[0] if len(found) == 1 else None

    def foreign_key(self, table: Table) -> ForeignKeyConstraint | None:
        """``table``'s foreign key the database named, by name or (MySQL says
        them too) by its columns."""
        name, backend = self.diagnosis.constraint, self.diagnosis.backend
        if name is not None and backend is not None:
            item = find_constraint(table, name, backend)
            if isinstance(item, ForeignKeyConstraint):
                return item
        if self.diagnosis.columns:
            return foreign_key_on(table, self.diagnosis.columns)
        return None

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
        return constraint_columns(table, name, backend, self.session)

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

    def foreign_key_problem(self, errors: FormErrors) -> None:
        if self.diagnosis.backend == "mysql" and self.diagnosis.code == "1451":
            # MySQL tells a referred row from a missing target by number (the
            # referring table may be the model's own: a row's parent).
            self.referred(errors)
        else:
            self.missing_or_linked(errors)
        if not errors:
            errors.add(
                None,
                "A related record this change depends on is missing, or other "
                "records still depend on this one.",
            )

    def missing_or_linked(self, errors: FormErrors) -> None:
        table = self.own_table()
        item = self.foreign_key(table) if table is not None else None
        if table is not None and item is not None:
            self.missing_target(errors, table, item)
            return
        if self.diagnosis.table is not None and table is None:
            self.link_or_referrer(errors)
            if errors:
                return
        if table is not None and self.session is not None:
            for constraint in self.missing_targets(table):
                self.missing_target(errors, table, constraint)

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
        for constraint in sorted(table.foreign_key_constraints, key=constraint_order):
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

    def referred(self, errors: FormErrors) -> None:
        """Rows of the table MySQL named still point at this model's row."""
        other = self.tables[0].metadata.tables.get(self.diagnosis.table or "")
        item = self.foreign_key(other) if other is not None else None
        if item is not None and any(item.referred_table is t for t in self.tables):
            errors.add(None, f"Other records still refer to this {self.name}.")

    def link_or_referrer(self, errors: FormErrors) -> None:
        """A foreign key of another table: a many-to-many link table's row points
        at a deleted record, or another table's rows still point at this one."""
        other = self.tables[0].metadata.tables.get(self.diagnosis.table or "")
        item = self.foreign_key(other) if other is not None else None
        if other is None or item is None:
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
        name, backend = self.diagnosis.constraint, self.diagnosis.backend
        if name is not None and backend in ("sqlite", "mysql"):
            # SQLite gives an unnamed CHECK's expression instead of a name (SQL),
            # MariaDB/MySQL a made-up CONSTRAINT_1 or table_chk_1: shown only
            # when it is the name of one of the model's rules.
            table = self.own_table()
            item = find_constraint(table, name, backend) if table is not None else None
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
        named = self.named_facts()
        for fact in columns_of(self.model) if named is None else named:
            value = self.values.get(fact.name)
            if value is None:
                continue
            for check in checks:
                if message := check(fact, value, self.diagnosis.backend):
                    errors.add(fact.name, message)
        row_message = _DATA_ROW_MESSAGES.get(code or "", _INVALID_VALUE)
        if not errors and named and (field := self.field_for(named)) is not None:
            # The database named the column, but its rule is not ours to check
            # (bytes, not characters; a server-side type): say so by the field.
            errors.add(field, row_message)
        if not errors:
            errors.add(None, row_message)

    def named_facts(self) -> list[ColumnFacts] | None:
        """The model's columns the database named (MySQL names one), if any."""
        table = self.own_table()
        if table is None or not self.diagnosis.columns:
            return None
        return self.facts_for(table, self.diagnosis.columns)


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
    "1406": "A value is too long for its column.",  # MySQL's ER_DATA_TOO_LONG
    "1264": "A number is out of range for its column.",
}


def _too_long(fact: ColumnFacts, value: Any, backend: str | None) -> str | None:
    length = max_length(fact.sql_type)
    if isinstance(value, str) and fact.is_string and length and len(value) > length:
        return f"Ensure this value has at most {length} characters."
    return None


def _has_nul(fact: ColumnFacts, value: Any, backend: str | None) -> str | None:
    if isinstance(value, str) and not storable_text(value):
        return "This value contains a character that cannot be stored."
    return None


def _out_of_range(fact: ColumnFacts, value: Any, backend: str | None) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    column_type = fact.sql_type
    message = "This number is out of range for this field."
    if isinstance(column_type, Integer):
        low, high = integer_range(column_type, backend)
        # Half-open: a float or Decimal may lie between high and high + 1.
        return message if not low <= value < high + 1 else None
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


_ALL_DATA_CHECKS = (_has_nul, _too_long, _out_of_range)
_DATA_CHECKS = {
    "22001": (_too_long,),
    "22003": (_out_of_range,),
    "22021": (_has_nul,),
    "SQLITE_TOOBIG": (_too_long,),
    "1406": (_too_long,),
    "1264": (_out_of_range,),
}
