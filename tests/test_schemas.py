"""API models found by name, password columns and hashers."""

import pytest

from admin_app.auth.models import AdminUser
from admin_app.auth.passwords import verify_password
from admin_app.schemas import find_schema, import_hasher, marked_hasher, password_column
from models import schemas as demo_schemas
from models.schemas import UserCreate, UserUpdate
from models.tables import Team, User
from tests import form_models, sample_models
from tests.form_models import Account, AccountCreate, Gadget, Locker, hash_for_tests


def test_api_models_are_found_by_name_in_the_given_modules() -> None:
    assert find_schema(User, [demo_schemas], "Create") is UserCreate
    assert find_schema(User, [demo_schemas], "Update") is UserUpdate
    assert find_schema(Team, [demo_schemas], "Create") is None


def test_the_models_own_module_is_searched_too() -> None:
    assert find_schema(Account, [], "Create") is AccountCreate


def test_a_table_of_that_name_is_not_an_api_model() -> None:
    assert find_schema(Gadget, [form_models, sample_models], "Create") is None


def test_password_columns() -> None:
    assert password_column(User) == "hashed_password"
    assert password_column(Account) == "password_hash"  # marked with a hasher
    assert password_column(Locker) == "secret_hash"
    assert password_column(Gadget) is None


def test_hashers_by_marking_or_by_dotted_name() -> None:
    assert marked_hasher(Account, "password_hash") is hash_for_tests
    assert marked_hasher(User, "hashed_password") is None
    hasher = import_hasher("admin_app.auth.passwords:hash_password")
    assert verify_password(hasher("s3cret-pass"), "s3cret-pass")
    admin_hasher = marked_hasher(AdminUser, "password_hash")
    assert admin_hasher is not None
    with pytest.raises(ValueError, match="at least 8"):
        admin_hasher("short")


def test_a_dotted_name_must_name_a_callable() -> None:
    with pytest.raises(TypeError):
        import_hasher("admin_app.auth.passwords:MAX_PASSWORD_LENGTH")
