"""Discovery finds every table a models module exposes, and only tables."""

import sys
import types

import pytest

import tests.sample_models as sample
from admin_app.discovery import DiscoveryError, discover, is_table_model


def test_finds_every_table_including_link_tables_in_definition_order() -> None:
    assert discover(["tests.sample_models"]) == [
        sample.ClubTagLink,
        sample.Membership,
        sample.Tag,
        sample.Club,
        sample.Member,
    ]


def test_ignores_api_models_enums_and_imports() -> None:
    assert not is_table_model(sample.MemberCreate)
    assert not is_table_model(sample.Tier)
    assert sample.MemberCreate not in discover([sample])


def test_excludes_models_by_class_or_table_name() -> None:
    found = discover([sample], exclude=["Member", "club"])
    assert sample.Member not in found and sample.Club not in found
    assert sample.Tag in found


def test_a_module_that_does_not_import_is_one_clear_error() -> None:
    with pytest.raises(DiscoveryError, match="cannot import models module 'no_such'"):
        discover(["no_such"])


def test_a_module_that_fails_while_importing_names_the_failure(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    broken = types.ModuleType("broken_models")
    monkeypatch.setitem(sys.modules, "broken_models", broken)
    with pytest.raises(DiscoveryError, match="defines no SQLModel tables"):
        discover(["broken_models"])


def test_a_module_without_tables_is_refused() -> None:
    with pytest.raises(DiscoveryError, match="'json' defines no SQLModel tables"):
        discover(["json"])


def test_the_demo_models_are_found() -> None:
    import models

    names = [table.__name__ for table in discover([models])]
    assert names == ["ProjectMember", "Team", "User", "Project", "Order", "OrderItem"]


def test_finds_the_tables_of_a_registry_of_their_own_in_definition_order() -> None:
    from tests.shapes import own_registry

    assert discover([own_registry]) == [own_registry.OwnTeam, own_registry.OwnHero]
