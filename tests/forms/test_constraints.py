"""Constraint names as the database knows them: the names PostgreSQL and
MariaDB make up for unnamed constraints, checked against a real server's."""

import pytest
from sqlalchemy import Engine, inspect

from admin_app.forms.constraints import find_constraint, postgres_default_name
from tests.check_models import CheckBase, create_check_tables
from tests.sample_models import Membership

# Tests of one database's behaviour run on that database only (never skipped).
only_postgresql = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
only_mariadb = pytest.mark.parametrize("database_url", ["mariadb"], indirect=True)


@pytest.fixture
def check_engine(engine: Engine) -> Engine:
    """The same database with the test-only tables of tests.check_models."""
    create_check_tables(engine)
    return engine


@only_postgresql
@pytest.mark.postgres
def test_default_names_match_what_postgresql_makes(check_engine: Engine) -> None:
    inspector = inspect(check_engine)
    for table in CheckBase.metadata.tables.values():
        pk = inspector.get_pk_constraint(table.name)
        assert pk["name"] == postgres_default_name(table.name, [], "pkey")
        for unique in inspector.get_unique_constraints(table.name):
            columns = unique["column_names"]
            assert unique["name"] == postgres_default_name(table.name, columns, "key")
        for fk in inspector.get_foreign_keys(table.name):
            if fk["name"] != "stock_depot_fk":
                columns = fk["constrained_columns"]
                assert fk["name"] == postgres_default_name(table.name, columns, "fkey")
    # Multibyte names are cut at a character boundary, never mid-character.
    name = postgres_default_name("é" * 40, ["ü" * 40], "key")
    assert len(name.encode()) <= 63 and name.endswith("_key")


@only_mariadb
def test_default_names_match_what_mariadb_makes(check_engine: Engine) -> None:
    inspector = inspect(check_engine)
    tables = [
        Membership.__table__,  # two unnamed foreign keys: _ibfk_1 and _ibfk_2
        *(t for t in CheckBase.metadata.tables.values() if inspector.has_table(t.name)),
    ]
    seen = 0
    for table in tables:
        made = [
            *(
                (unique["name"], unique["column_names"])
                for unique in inspector.get_unique_constraints(table.name)
            ),
            *(
                (fk["name"], fk["constrained_columns"])
                for fk in inspector.get_foreign_keys(table.name)
            ),
        ]
        for name, columns in made:
            item = find_constraint(table, name, "mysql")
            assert item is not None, (table.name, name)
            assert [column.name for column in item.columns] == columns
            seen += 1
        pk = find_constraint(table, "PRIMARY", "mysql")
        assert pk is table.primary_key
    assert seen >= 5  # code, warehouse+bin, stock_depot_fk, two of membership's
