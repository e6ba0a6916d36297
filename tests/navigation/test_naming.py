"""What a model's name and module suggest: its icon and its sidebar group, and
the ``infer_icon`` / ``infer_category`` hooks that return them; a view's own
``icon`` and ``category`` win."""

import sys
import types
from collections.abc import Iterator

import pytest

from admin_app.auth.models import AdminSession, LoginThrottle
from admin_app.navigation.naming import (
    ADMINISTRATION,
    icon_for,
    module_category,
    name_words,
)
from admin_app.views.inferred import AutoModelView, view_for
from models.tables import Order, OrderItem, Project, ProjectMember, Team, User
from tests.sample_models import Club, Tag


def test_a_name_is_read_as_words() -> None:
    assert name_words("OrderItem") == ["order", "item"]
    assert name_words("project_member") == ["project", "member"]
    assert name_words("HTTPLog2") == ["http", "log", "2"]


@pytest.mark.parametrize(
    ("name", "icon"),
    [
        ("User", "fa-solid fa-users"),
        ("Person", "fa-solid fa-users"),
        ("ProjectMember", "fa-solid fa-users"),  # a member, of a project
        ("Order", "fa-solid fa-receipt"),
        ("OrderItem", "fa-solid fa-box"),  # an item, of an order
        ("Product", "fa-solid fa-box"),
        ("Project", "fa-solid fa-diagram-project"),
        ("Team", "fa-solid fa-people-group"),
        ("Invoice", "fa-solid fa-file-invoice"),
        ("Payments", "fa-solid fa-credit-card"),  # plural table names too
        ("Categories", "fa-solid fa-tag"),
        ("AdminSession", "fa-solid fa-user-clock"),
        ("AuditEntry", "fa-solid fa-clock-rotate-left"),
    ],
)
def test_a_name_suggests_an_icon(name: str, icon: str) -> None:
    assert icon_for(name) == icon


@pytest.mark.parametrize("name", ["Widget", "Club", "Xyzzy", ""])
def test_a_name_that_suggests_nothing_has_no_icon(name: str) -> None:
    assert icon_for(name) is None


@pytest.fixture
def shop_package() -> Iterator[types.ModuleType]:
    """A package ``shop`` with a module ``shop.models``, importable by name."""
    package = types.ModuleType("shop")
    module = types.ModuleType("shop.models")
    sys.modules.update({"shop": package, "shop.models": module})
    yield package
    for name in ("shop", "shop.models"):
        sys.modules.pop(name, None)


def test_a_module_names_its_group(shop_package: types.ModuleType) -> None:
    assert module_category("shop.models") == "Shop"
    assert module_category("tests.sample_models") == "Sample Models"
    # Nothing but generic parts: the first of them.
    assert module_category("app.models.tables") == "App"
    assert module_category("models_unknown.tables") == "Models Unknown"
    assert module_category("billing.models") == "Billing"


def test_a_module_or_its_package_may_say_its_group(
    shop_package: types.ModuleType,
) -> None:
    shop_package.__admin_category__ = "Sales & stock"  # type: ignore[attr-defined]
    assert module_category("shop.models") == "Sales & stock"
    sys.modules["shop.models"].__admin_category__ = "Catalogue"  # type: ignore[attr-defined]
    assert module_category("shop.models") == "Catalogue"  # the nearest wins
    sys.modules["shop.models"].__admin_category__ = "  "  # type: ignore[attr-defined]
    assert module_category("shop.models") == "Sales & stock"  # blank says nothing


def test_admin_apps_own_tables_are_administration() -> None:
    assert module_category("admin_app.auth.models") == ADMINISTRATION
    assert module_category("admin_app") == ADMINISTRATION
    assert module_category("admin_apps_friend.models") != ADMINISTRATION


def test_inferred_views_get_the_group_and_icon_their_model_suggests() -> None:
    demo = [view_for(model) for model in (Team, User, Project, Order, OrderItem)]
    # The demo's package says its group (models/__init__.py).
    assert [view.category for view in demo] == ["Purchasing"] * 5
    assert [view.icon for view in demo] == [
        "fa-solid fa-people-group",
        "fa-solid fa-users",
        "fa-solid fa-diagram-project",
        "fa-solid fa-receipt",
        "fa-solid fa-box",
    ]
    assert view_for(ProjectMember).icon == "fa-solid fa-users"
    assert view_for(Club).category == "Sample Models"
    assert view_for(Club).icon is None  # nothing in the name: no icon
    for own in (AdminSession, LoginThrottle):
        assert view_for(own).category == ADMINISTRATION


def test_a_views_own_icon_and_category_win() -> None:
    class ClubAdmin(AutoModelView, model=Club):
        icon = "fa-solid fa-chess"
        category = "Leisure"

    assert (ClubAdmin.icon, ClubAdmin.category) == ("fa-solid fa-chess", "Leisure")


def test_the_hooks_may_be_overridden() -> None:
    class TagAdmin(AutoModelView, model=Tag):
        @staticmethod
        def infer_icon(model: type) -> str | None:
            return "fa-solid fa-hashtag"

        @staticmethod
        def infer_category(model: type) -> str:
            return f"Labels of {model.__name__}"

    assert TagAdmin.icon == "fa-solid fa-hashtag"
    assert TagAdmin.category == "Labels of Tag"
