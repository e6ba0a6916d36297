"""The saved view's table as the tests' ``create_all`` makes it: the shared-name
rule is there on every database (on MariaDB/MySQL by its after-create DDL)."""

from sqlalchemy import Engine

from tests.saved_views.helpers import expected_shared_name_rule, shared_name_rule


def test_create_all_makes_the_shared_name_rule(engine: Engine) -> None:
    assert shared_name_rule(engine) == expected_shared_name_rule(engine)
