"""Database errors from real failed saves, on SQLite, PostgreSQL and MariaDB,
sync and async, turned into form errors next to the right field, with no SQL in
them."""

import uuid
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import pytest
from sqlalchemy import Engine, insert, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session
from sqlmodel import SQLModel
from starlette.testclient import TestClient

from admin_app.db import make_engine, make_session_maker, make_sync_engine
from admin_app.forms.errors import FormErrors
from admin_app.forms.integrity import RETRY_LATER, explain_database_error, verbose_name
from admin_app.settings import Settings
from models.tables import Order, OrderItem, User
from tests.check_models import (
    Depot,
    LongNamedThing,
    StockLevel,
    create_check_tables,
)
from tests.conftest import make_settings
from tests.engines import async_url
from tests.html import field_errors
from tests.sample_models import Club, ClubTagLink, Member, Membership, Tag

MISSING_CLUB = "The selected club does not exist (it may have been deleted)."

# What a message must never show: SQL, driver wording, raw database names.
SQL_WORDS = ("INSERT", "UPDATE", "SELECT", "VALUES", "WHERE")
FORBIDDEN = (
    "constraint failed",
    "violates",
    "DETAIL",
    "Key (",
    "sqlite",
    "psycopg",
    "asyncpg",
    "pymysql",
    "asyncmy",
    "Duplicate entry",
    "ibfk",
    "CONSTRAINT_",
    "clubtaglink",
    "tag.label",
    "member.email",
    "ix_",
    "_fkey",
    "_pkey",
    "_key",
    "a_table_whose",
    "a_rather_long",
)

Work = Callable[[Session], object]


def assert_clean(errors: FormErrors) -> None:
    for _, message in errors:
        assert not any(word in message for word in SQL_WORDS), message
        for fragment in FORBIDDEN:
            assert fragment.lower() not in message.lower(), (fragment, message)


def fail_and_explain(
    session: Session,
    work: Work,
    model: type[SQLModel],
    values: Mapping[str, Any],
    probe: bool = True,
) -> FormErrors:
    """Run ``work`` expecting a database error; roll back and explain it."""
    try:
        work(session)
        session.flush()
    except DBAPIError as error:
        session.rollback()
        return explain_database_error(error, model, values, session if probe else None)
    pytest.fail("the database accepted the row")


def explain(
    engine: Engine,
    work: Work,
    model: type[SQLModel],
    values: Mapping[str, Any],
    probe: bool = True,
) -> FormErrors:
    with Session(engine) as session:
        errors = fail_and_explain(session, work, model, values, probe)
    assert_clean(errors)
    return errors


def add(*rows: SQLModel) -> Work:
    return lambda session: session.add_all(rows)


def execute(statement: Any) -> Work:
    return lambda session: session.execute(statement)


def store(engine: Engine, *rows: SQLModel) -> None:
    with Session(engine, expire_on_commit=False) as session:
        session.add_all(rows)
        session.commit()


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def is_mariadb(engine: Engine) -> bool:
    return engine.dialect.name in ("mysql", "mariadb")


def names_constraints(engine: Engine) -> bool:
    """PostgreSQL and MariaDB name the constraint a refused row broke; SQLite
    does not for foreign keys."""
    return is_postgres(engine) or is_mariadb(engine)


# Tests of one database's behaviour run on that database only (never skipped).
only_postgresql = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
only_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
only_mariadb = pytest.mark.parametrize("database_url", ["mariadb"], indirect=True)


@pytest.fixture
def check_engine(engine: Engine) -> Iterator[Engine]:
    """The same database with the test-only tables of tests.check_models."""
    create_check_tables(engine)
    yield engine


# -- unique -------------------------------------------------------------------------


def test_a_duplicate_in_a_unique_index_is_told_on_its_field(engine: Engine) -> None:
    store(engine, Tag(label="red"))
    errors = explain(engine, add(Tag(label="red")), Tag, {"label": "red"})
    assert errors.fields == {"label": ["A tag with this label already exists."]}
    assert errors.row == []

    store(engine, Member(email="ann@example.com"))
    values = {"email": "ann@example.com", "nickname": "ann"}
    errors = explain(engine, add(Member.model_validate(values)), Member, values)
    assert errors.fields == {"email": ["A member with this email already exists."]}


def test_field_titles_name_the_field(engine: Engine) -> None:
    store(engine, Club(name="Chess"))
    errors = explain(engine, add(Club(name="Chess")), Club, {"name": "Chess"})
    assert errors.fields == {"name": ["A club with this club name already exists."]}


def test_a_composite_key_duplicate_is_told_on_the_row(engine: Engine) -> None:
    club, member = Club(name="Go"), Member(email="bo@example.com")
    tag = Tag(label="blue")
    store(engine, club, member, tag)
    values = {"club_id": club.id, "member_id": member.id, "is_training": False}
    store(engine, Membership.model_validate(values))
    errors = explain(engine, add(Membership.model_validate(values)), Membership, values)
    assert errors.row == ["A membership with this club and member already exists."]
    assert errors.fields == {}

    link = {"club_id": club.id, "tag_id": tag.id}
    store(engine, ClubTagLink.model_validate(link))
    errors = explain(
        engine, execute(insert(ClubTagLink).values(**link)), ClubTagLink, link
    )
    assert errors.row == ["A club tag link with this club and tag already exists."]


def test_a_composite_duplicate_with_one_shown_field_goes_to_that_field(
    check_engine: Engine,
) -> None:
    store(check_engine, StockLevel(code="A1", warehouse="north", bin="7"))
    row = StockLevel(code="A2", warehouse="north", bin="7")
    errors = explain(check_engine, add(row), StockLevel, {"code": "A2", "bin": "7"})
    message = "A stock level with this warehouse and bin already exists."
    assert errors.fields == {"bin": [message]}


def test_unnamed_unique_constraints_are_found_by_their_default_names(
    check_engine: Engine,
) -> None:
    store(check_engine, StockLevel(code="A1", warehouse="north", bin="1"))
    row = StockLevel(code="A1", warehouse="south", bin="1")
    values = row.model_dump(exclude={"id"})
    errors = explain(check_engine, add(row), StockLevel, values)
    assert errors.fields == {"code": ["A stock level with this code already exists."]}

    row = StockLevel(code="B1", warehouse="north", bin="1")
    errors = explain(check_engine, add(row), StockLevel, row.model_dump())
    message = "A stock level with this warehouse and bin already exists."
    assert errors.row == [message]


# MariaDB cannot hold the long-named table (tests.check_models.CUT_BY_POSTGRESQL).
@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_names_postgresql_cuts_are_still_recognised(check_engine: Engine) -> None:
    store(check_engine, LongNamedThing(a_rather_long_unique_column_name="S-1"))
    values: dict[str, object] = {"a_rather_long_unique_column_name": "S-1"}
    errors = explain(
        check_engine, add(LongNamedThing.model_validate(values)), LongNamedThing, values
    )
    message = "A long named thing with this serial number already exists."
    assert errors.fields == {"a_rather_long_unique_column_name": [message]}

    row = LongNamedThing(
        a_rather_long_unique_column_name="S-2", depot_identifier_with_a_long_name=404
    )
    values = {"depot_identifier_with_a_long_name": 404}
    errors = explain(check_engine, add(row), LongNamedThing, values)
    missing = "The selected depot does not exist (it may have been deleted)."
    assert errors.fields == {"depot_identifier_with_a_long_name": [missing]}


@only_postgresql
@pytest.mark.postgres
def test_an_unknown_constraint_name_is_looked_up_in_the_catalog(
    engine: Engine,
) -> None:
    with engine.begin() as connection:  # as if a migration had named it otherwise
        connection.execute(text("ALTER INDEX ix_tag_label RENAME TO tag_label_unique"))
    store(engine, Tag(label="red"))
    errors = explain(engine, add(Tag(label="red")), Tag, {"label": "red"}, probe=False)
    assert errors.row == ["A tag with the same values already exists."]
    errors = explain(engine, add(Tag(label="red")), Tag, {"label": "red"})
    assert errors.fields == {"label": ["A tag with this label already exists."]}


# -- foreign keys ---------------------------------------------------------------------


def test_a_missing_foreign_key_target_is_told_on_its_field(engine: Engine) -> None:
    member = Member(email="cy@example.com")
    store(engine, member)
    values = {"club_id": 999, "member_id": member.id, "is_training": False}
    errors = explain(engine, add(Membership.model_validate(values)), Membership, values)
    assert errors.fields == {"club_id": [MISSING_CLUB]}
    assert errors.row == []


def test_without_a_session_sqlite_cannot_say_which_key_is_missing(
    engine: Engine,
) -> None:
    member = Member(email="di@example.com")
    store(engine, member)
    values = {"club_id": 999, "member_id": member.id}
    errors = explain(
        engine, add(Membership.model_validate(values)), Membership, values, probe=False
    )
    if names_constraints(engine):  # the constraint's name says it
        assert errors.fields == {"club_id": [MISSING_CLUB]}
    else:
        assert errors.fields == {}
        assert len(errors.row) == 1 and "related record" in errors.row[0]


def test_a_named_foreign_key_is_found_by_its_name(check_engine: Engine) -> None:
    store(check_engine, Depot(name="Main"))
    row = StockLevel(code="C1", warehouse="w", bin="b", depot_id=77)
    errors = explain(check_engine, add(row), StockLevel, row.model_dump())
    missing = "The selected depot does not exist (it may have been deleted)."
    assert errors.fields == {"depot_id": [missing]}


def test_a_deleted_record_picked_in_a_many_to_many_field(engine: Engine) -> None:
    club = Club(name="Bridge")
    store(engine, club)
    link = insert(ClubTagLink).values(club_id=club.id, tag_id=12345)
    errors = explain(engine, execute(link), Club, {"name": "Bridge"})
    if names_constraints(engine):
        missing = "The selected tag does not exist (it may have been deleted)."
        assert errors.fields == {"tags": [missing]}
    else:  # SQLite names nothing, and values hold no link rows to look up
        assert errors.fields == {} and len(errors.row) == 1


def test_changing_a_key_others_refer_to(engine: Engine) -> None:
    club, member = Club(name="Polo"), Member(email="ed@example.com")
    store(engine, club, member)
    store(engine, Membership(club_id=club.id, member_id=member.id))
    change = update(Club).where(Club.id == club.id).values(id=club.id + 100)  # type: ignore[arg-type, operator]
    errors = explain(engine, execute(change), Club, {"id": club.id + 100})  # type: ignore[operator]
    assert errors.fields == {}
    if names_constraints(engine):
        assert errors.row == ["Other records still refer to this club."]
    else:
        assert len(errors.row) == 1 and "related record" in errors.row[0]


# -- not null, check, values the column cannot hold -----------------------------------


def test_null_in_a_not_null_column_is_a_required_field(engine: Engine) -> None:
    errors = explain(
        engine, execute(insert(Tag).values(label=None)), Tag, {"label": None}
    )
    assert errors.fields == {"label": ["This field is required."]}
    # A column the form does not show: the message names it, on the row.
    errors = explain(engine, execute(insert(Tag).values(label=None)), Tag, {})
    assert errors.row == ["Label is required."]


def test_a_broken_check_constraint_is_told_by_its_name(check_engine: Engine) -> None:
    row = StockLevel(code="D1", warehouse="w", bin="b", quantity=-1)
    errors = explain(check_engine, add(row), StockLevel, row.model_dump())
    assert errors.row == ['A value breaks the rule "quantity_not_negative".']
    assert errors.fields == {}


def test_an_unnamed_check_constraint_never_shows_sql(check_engine: Engine) -> None:
    row = StockLevel(code="D2", warehouse="w", bin="")
    with Session(check_engine) as session:
        errors = fail_and_explain(session, add(row), StockLevel, row.model_dump())
    if is_postgres(check_engine):  # PostgreSQL names it after table and column
        assert errors.row == ['A value breaks the rule "stocklevel_bin_check".']
    else:  # SQLite reports the expression, MariaDB "CONSTRAINT_1": not shown
        assert errors.row == ["A value breaks one of the rules for a stock level."]
    assert "<>" not in str(errors)


def test_a_string_too_long_for_its_column(engine: Engine, client: TestClient) -> None:
    too_long = "Ensure this value has at most 40 characters."
    row = Tag(label="x" * 41)
    if names_constraints(engine):  # MariaDB in strict mode refuses it too
        errors = explain(engine, add(row), Tag, {"label": row.label})
        assert errors.fields == {"label": [too_long]}
        # Told without the values, the column cannot be checked.
        errors = explain(engine, add(Tag(label="y" * 41)), Tag, {})
        assert errors.row == ["A value is too long for its column."]
    else:
        # SQLite stores it whole: no error to explain...
        store(engine, row)
        with Session(engine) as session:
            assert session.scalars(select(Tag.label)).all() == ["x" * 41]
    # ...so a form checks the length itself, and is refused alike on both.
    response = client.post(
        "/admin/tag/create", data={"label": "z" * 41, "save": "Save"}
    )
    assert response.status_code == 400
    assert field_errors(response.text) == {
        "label": ["Field cannot be longer than 40 characters."]
    }
    with Session(engine) as session:
        assert session.scalars(select(Tag).where(Tag.label == "z" * 41)).all() == []


@pytest.mark.parametrize("database_url", ["postgresql", "mariadb"], indirect=True)
def test_numbers_out_of_range(check_engine: Engine) -> None:
    row = StockLevel(code="E1", warehouse="w", bin="b", price=Decimal("1234.5"))
    errors = explain(check_engine, add(row), StockLevel, row.model_dump())
    assert errors.fields == {"price": ["This number is out of range for this field."]}

    errors = explain(check_engine, add(row), StockLevel, {}, probe=False)
    assert errors.row == ["A number is out of range for its column."]


@only_postgresql
def test_unstorable_characters(check_engine: Engine) -> None:
    member = Member(email="nul@example.com", nickname="a\x00b")
    errors = explain(check_engine, add(member), Member, member.model_dump())
    message = "This value contains a character that cannot be stored."
    assert errors.fields == {"nickname": [message]}


# -- everything else: try again -------------------------------------------------------


@only_postgresql
@pytest.mark.parametrize("code", ["serialization_failure", "deadlock_detected"])
def test_transient_postgresql_failures_ask_to_try_again(
    engine: Engine, code: str
) -> None:
    fail = text(f"DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '{code}'; END $$")
    errors = explain(engine, execute(fail), Tag, {"label": "x"})
    assert errors.row == [RETRY_LATER] and errors.fields == {}


@only_mariadb
def test_a_row_locked_too_long_on_mariadb_asks_to_try_again(
    engine: Engine,
) -> None:
    store(engine, Tag(label="held"))
    with engine.connect() as holder:
        holder.execute(select(Tag).where(Tag.label == "held").with_for_update())
        with Session(engine) as session:
            session.execute(text("SET SESSION innodb_lock_wait_timeout = 1"))
            change = update(Tag).where(Tag.label == "held").values(label="taken")  # type: ignore[arg-type]
            errors = fail_and_explain(session, execute(change), Tag, {"label": "x"})
        holder.rollback()
    assert errors.row == [RETRY_LATER] and errors.fields == {}


@only_sqlite
def test_a_locked_sqlite_database_asks_to_try_again(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    impatient = make_sync_engine(
        make_settings(settings.database_url, tmp_path, sqlite_busy_timeout_ms=0)
    )
    try:
        with engine.connect() as holder:
            holder.exec_driver_sql("BEGIN IMMEDIATE")
            errors = explain(impatient, add(Tag(label="x")), Tag, {"label": "x"})
            holder.rollback()
    finally:
        impatient.dispose()
    assert errors.row == [RETRY_LATER] and errors.fields == {}


def test_an_error_without_driver_details_asks_to_try_again() -> None:
    error = DBAPIError("INSERT INTO tag ...", {}, Exception("boom"))
    errors = explain_database_error(error, Tag, {"label": "x"})
    assert errors.row == [RETRY_LATER]


# -- async engines --------------------------------------------------------------------


def async_engine(settings: Settings, tmp_path: Path) -> AsyncEngine:
    engine = make_engine(make_settings(async_url(settings.database_url), tmp_path))
    assert isinstance(engine, AsyncEngine)
    return engine


async def explain_async(
    engine: AsyncEngine, work: Work, model: type[SQLModel], values: Mapping[str, Any]
) -> FormErrors:
    """The save path's way on an async engine: a sync function via run_sync."""
    maker = make_session_maker(engine)
    async with maker() as async_session:  # type: ignore[union-attr]
        return await async_session.run_sync(
            lambda session: fail_and_explain(session, work, model, values)
        )


def test_async_engines_explain_unique_and_foreign_key_errors(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    member = Member(email="fa@example.com")
    store(engine, Tag(label="red"), member)
    values = {"club_id": 31, "member_id": member.id}
    async_ = async_engine(settings, tmp_path)

    async def scenario() -> tuple[FormErrors, FormErrors]:
        try:
            duplicate = await explain_async(
                async_, add(Tag(label="red")), Tag, {"label": "red"}
            )
            missing = await explain_async(
                async_, add(Membership.model_validate(values)), Membership, values
            )
            return duplicate, missing
        finally:
            await async_.dispose()

    duplicate, missing = anyio.run(scenario)
    assert duplicate.fields == {"label": ["A tag with this label already exists."]}
    assert missing.fields == {"club_id": [MISSING_CLUB]}
    assert_clean(duplicate)
    assert_clean(missing)


@only_postgresql
def test_async_postgresql_data_errors_name_the_column(
    check_engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    async_ = async_engine(settings, tmp_path)
    label = "z" * 41
    nul = Member(id=uuid.uuid4(), email="gi@example.com", nickname="a\x00")

    async def scenario() -> list[FormErrors]:
        try:
            return [
                await explain_async(
                    async_, add(Tag(label=label)), Tag, {"label": label}
                ),
                await explain_async(async_, add(nul), Member, nul.model_dump()),
                await explain_async(
                    async_,
                    execute(insert(Tag).values(label=None)),
                    Tag,
                    {"label": None},
                ),
            ]
        finally:
            await async_.dispose()

    too_long, unstorable, required = anyio.run(scenario)
    assert too_long.fields == {
        "label": ["Ensure this value has at most 40 characters."]
    }
    message = "This value contains a character that cannot be stored."
    assert unstorable.fields == {"nickname": [message]}
    assert required.fields == {"label": ["This field is required."]}


# -- names --------------------------------------------------------------------------


def test_verbose_names_and_articles() -> None:
    assert verbose_name(OrderItem) == "order item"
    assert verbose_name(ClubTagLink) == "club tag link"
    assert verbose_name(User) == "user"

    class SKUCode(SQLModel):
        pass

    assert verbose_name(SKUCode) == "SKU code"


def test_an_before_a_vowel_sound_and_acronyms_keep_their_case(
    engine: Engine,
) -> None:
    user = User(email="hu@example.com", full_name="Hu", hashed_password="-")
    store(engine, user)
    assert user.id is not None
    store(engine, Order(reference="PO-1", requester_id=user.id))
    values = {"reference": "PO-1", "requester_id": user.id}
    errors = explain(
        engine, add(Order(reference="PO-1", requester_id=user.id)), Order, values
    )
    message = "An order with this PO reference already exists."
    assert errors.fields == {"reference": [message]}
