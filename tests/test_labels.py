"""Row labels: the model's own __str__, else a name-like column, else Model #pk."""

import uuid

from admin_app.labels import row_label
from models import Order, OrderItem, User
from tests.sample_models import Club, ClubTagLink, Member


def test_a_model_defining_str_is_labelled_by_it() -> None:
    assert row_label(Club(id=1, name="Chess")) == "Club Chess"


def test_without_str_a_name_like_column_labels_the_row_and_secrets_never_do() -> None:
    user = User(id=3, email="a@b.co", full_name="Ada", hashed_password="$argon2id$x")
    assert row_label(user) == "Ada"
    assert row_label(Order(id=5, reference="PO-1")) == "PO-1"
    assert row_label(OrderItem(id=2, sku="SKU-9", description="d")) == "SKU-9"


def test_otherwise_the_class_and_key() -> None:
    assert row_label(ClubTagLink(club_id=1, tag_id=2)) == "ClubTagLink #1;2"
    member_id = uuid.UUID(int=7)
    assert row_label(Member(id=member_id, email="")) == f"Member #{member_id}"


def test_long_labels_are_cut() -> None:
    label = row_label(Club(id=1, name="x" * 500))
    assert len(label) == 120 and label.endswith("…")
