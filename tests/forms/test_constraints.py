"""Constraint names as the database knows them: the names PostgreSQL makes up for
unnamed constraints, checked against a real server's."""

import pytest
from sqlalchemy import Engine, inspect

from admin_app.forms.constraints import postgres_default_name
from tests.check_models import CheckBase

# Tests of one database's behaviour run on that database only (never skipped).
only_postgresql = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture
def check_engine(engine: Engine) -> Engine:
    """The same database with the test-only tables of tests.check_models."""
    CheckBase.metadata.create_all(engine)
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
