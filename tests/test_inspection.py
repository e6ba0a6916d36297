"""Column facts: sensitivity by name or by the model's own marking, kinds, indexes."""

import pytest
from sqlmodel import Field, SQLModel

from admin_app.inspection import columns_of, humanize, is_sensitive_name
from models import Order, User


@pytest.mark.parametrize(
    "name",
    [
        "password",
        "hashed_password",
        "password_hash",
        "secret",
        "client_secret",
        "token",
        "refresh_token",
        "api_key",
        "apikey",
        "private_key",
        "pin_hash",
    ],
)
def test_credential_names_are_sensitive(name: str) -> None:
    assert is_sensitive_name(name)


@pytest.mark.parametrize(
    "name", ["email", "token_count", "secretary", "hashtag", "key"]
)
def test_ordinary_names_are_not(name: str) -> None:
    assert not is_sensitive_name(name)


class Vault(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    recovery_words: str = Field(
        default="", sa_column_kwargs={"info": {"admin": {"sensitive": True}}}
    )
    note_token: str = Field(
        default="", schema_extra={"json_schema_extra": {"admin": {"sensitive": False}}}
    )


def test_a_model_marks_sensitivity_either_way_and_the_marking_wins() -> None:
    facts = {fact.name: fact for fact in columns_of(Vault)}
    assert facts["recovery_words"].sensitive
    assert not facts["note_token"].sensitive


def test_column_kinds_see_through_sqlmodel_wrappers() -> None:
    facts = {fact.name: fact for fact in columns_of(Order)}
    assert facts["reference"].is_string and facts["reference"].is_indexed
    assert facts["notes"].is_long_text
    assert facts["status"].is_enum and not facts["status"].is_string
    assert facts["extra"].is_json and not facts["extra"].is_sortable
    assert facts["created_at"].is_temporal and facts["created_at"].is_indexed
    assert facts["is_urgent"].is_bool
    assert facts["requester_id"].is_foreign_key
    user = {fact.name: fact for fact in columns_of(User)}
    assert user["hashed_password"].sensitive


def test_humanize() -> None:
    assert humanize("full_name") == "Full name"
    assert humanize("team_id") == "Team"
