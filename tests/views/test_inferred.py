"""Views infer every option from the model; a declared view overrides any of them."""

from typing import Any, ClassVar

from sqladmin.filters import BooleanFilter, StaticValuesFilter

from admin_app.labels import pluralize
from admin_app.lists.filters import DateRangeFilter
from admin_app.lists.ranges import NumberRangeFilter
from admin_app.lists.related import RelatedFilter
from admin_app.registry import build_views
from admin_app.views.inferred import AutoModelView, view_for
from models import Order, User
from tests.sample_models import Club, ClubTagLink, Member, Membership, Tag


def test_list_shows_scalars_with_relations_for_their_keys_and_no_secrets() -> None:
    view = view_for(Order)
    assert view.column_list == [
        "id",
        "reference",
        "requester",
        "project",
        "status",
        "total",
        "is_urgent",
        "created_at",
    ]  # notes (long text) and extra (JSON) stay on the detail page
    assert "hashed_password" not in view_for(User).column_list


def test_details_show_every_visible_column_and_every_to_one_relation() -> None:
    details = view_for(User).column_details_list
    assert "hashed_password" not in details
    assert {"email", "team"} <= set(details)
    # Collections are counted beside the columns (admin_app.details.related): sqladmin
    # would load every row of those it is given.
    assert "projects" not in details and "orders" not in details
    # The team's label, linked, stands where its key column would: once.
    assert details.index("team") == details.index("is_active") + 1
    assert "team_id" not in details


def test_forms_pick_to_one_and_many_to_many_relations_but_never_children() -> None:
    view = view_for(User)
    assert "team" in view.form_columns and "projects" in view.form_columns
    assert "orders" not in view.form_columns  # one-to-many: the child's business
    assert "hashed_password" not in view.form_columns
    assert set(view.form_ajax_refs) == {"team", "projects"}
    assert view.form_ajax_refs["team"]["fields"] == ["name"]


def test_search_sort_and_filters_follow_indexes_and_column_kinds() -> None:
    view = view_for(Member)
    assert view.column_searchable_list == ["email"]
    assert "preferences" not in view.column_sortable_list  # JSON
    assert "api_token" not in view.column_sortable_list  # secret
    kinds = {f.parameter_name: type(f) for f in view.column_filters}
    assert kinds == {
        "tier": StaticValuesFilter,
        "is_active": BooleanFilter,
        "joined_at": DateRangeFilter,  # sqladmin's takes it for text
        "club_id": RelatedFilter,  # picked by the club's name
        "balance": NumberRangeFilter,
    }
    assert view_for(Order).search_related == ["requester", "project"]


def test_labels_come_from_field_titles_else_the_name() -> None:
    labels = view_for(Club).column_labels
    assert labels["name"] == "Club name"
    assert labels["founded"] == "Founded"
    assert view_for(Club).form_args["motto"]["description"] == "Said at dinner"


def test_link_tables_edit_their_keys_and_association_objects_their_columns() -> None:
    assert view_for(ClubTagLink).form_include_pk is True
    assert view_for(Tag).form_include_pk is False
    assert "is_training" in view_for(Membership).form_columns


def test_newest_rows_come_first() -> None:
    assert view_for(Tag).column_default_sort == [("id", True)]


def test_a_declared_view_keeps_its_options_and_inherits_the_rest() -> None:
    class TagAdmin(AutoModelView, model=Tag):
        column_list: ClassVar[list[Any]] = ["label"]
        page_size = 10

    assert TagAdmin.column_list == ["label"]
    assert TagAdmin.column_searchable_list == ["label"]  # still inferred
    assert TagAdmin.page_size == 10


def test_an_excluding_option_suppresses_the_inferred_including_one() -> None:
    class ClubAdmin(AutoModelView, model=Club):
        column_exclude_list: ClassVar[list[Any]] = ["motto"]

    assert ClubAdmin.column_list == []  # sqladmin then honours the exclusion
    assert "motto" not in ClubAdmin().get_list_columns()


def test_hooks_replace_an_inference_for_every_view_of_a_base() -> None:
    class Terse(AutoModelView):
        @staticmethod
        def infer_column_list(model: type) -> list[str]:
            return ["id"]

    assert view_for(Tag, base=Terse).column_list == ["id"]


def test_a_declared_view_wins_over_the_inferred_one() -> None:
    class ClubAdmin(AutoModelView, model=Club):
        name = "Society"

    views = build_views([Tag, Club], [ClubAdmin])
    assert views[1] is ClubAdmin
    assert views[0].model is Tag


def test_plurals() -> None:
    assert [pluralize(w) for w in ("Team", "Category", "Box", "Key")] == [
        "Teams",
        "Categories",
        "Boxes",
        "Keys",
    ]
