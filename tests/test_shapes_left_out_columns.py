"""Columns a form could not show, that a new row needs: a ``<Model>Create``
that leaves out the parent key (tests/shapes/schema_parent.py), and required
secret columns without an API model (tests/shapes/required_secret.py). The
form adds them (the parent as a picker, a secret as a write-only input), an
``<Model>Update`` that leaves them out keeps them, and no secret is ever
rendered. On SQLite and PostgreSQL."""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session, SQLModel
from starlette.testclient import TestClient

from admin_app.app import create_app
from admin_app.audit.entries import REDACTED, AuditEntry
from admin_app.auth.passwords import verify_password
from tests.conftest import ADMIN_PASSWORD, login, make_settings
from tests.html import field_errors, form_values
from tests.shapes import required_secret, schema_parent
from tests.shapes.required_secret import RequiredSecretUser
from tests.shapes.schema_parent import BOB, SchemaParentItem

ITEMS = "/admin/schema-parent-item"
USERS = "/admin/required-secret-user"
SECRETS = (*schema_parent.SECRETS, *required_secret.SECRETS)


@pytest.fixture
def client(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> Iterator[TestClient]:
    """An admin of both shape modules, seeded."""
    with Session(engine) as session:
        schema_parent.seed(session)
        required_secret.seed(session)
    settings = make_settings(
        database_url,
        tmp_path,
        models=["tests.shapes.schema_parent", "tests.shapes.required_secret"],
    )
    with TestClient(create_app(settings), follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


def rows(engine: Engine, model: type[SQLModel]) -> list[Any]:
    """Every row's column values as stored, in key order."""
    table = model.__table__  # type: ignore[attr-defined]
    with Session(engine) as session:
        query = select(model).order_by(*table.primary_key)
        return [
            SimpleNamespace(**{c.key: getattr(row, c.key) for c in table.columns})
            for row in session.scalars(query)
        ]


def submit(client: TestClient, url: str, **changes: str | list[str]) -> Any:
    """Open the form at ``url``, change some inputs, post it as a browser does."""
    page = client.get(url)
    assert page.status_code == 200, page.text[:300]
    return client.post(url, data={**form_values(page.text), **changes, "save": "Save"})


def password_inputs(html: str) -> dict[str, str]:
    """Each password input's name and the whole tag."""
    tags = re.findall(r'<input[^>]*type="password"[^>]*>', html)
    return {re.search(r'name="([^"]+)"', tag).group(1): tag for tag in tags}  # type: ignore[union-attr]


# 4. A Create schema without the parent key.


def test_the_create_form_adds_the_parent_key_its_api_model_leaves_out(
    client: TestClient, engine: Engine
) -> None:
    page = client.get(f"{ITEMS}/create").text
    assert set(form_values(page)) >= {"title", "description", "owner"}
    assert re.search(r'<select[^>]*data-role="select2-ajax"[^>]*name="owner"', page)

    response = submit(
        client, f"{ITEMS}/create", **schema_parent.CREATE["schema-parent-item"]
    )

    assert response.status_code == 302, field_errors(response.text)
    chair = [item for item in rows(engine, SchemaParentItem) if item.title == "Chair"]
    assert [(c.owner_id, c.description) for c in chair] == [(BOB, "Oak")]


def test_the_api_models_rules_still_apply_and_the_parent_is_required(
    client: TestClient, engine: Engine
) -> None:
    before = rows(engine, SchemaParentItem)

    response = submit(client, f"{ITEMS}/create", title="ab", owner="")

    assert response.status_code == 400
    errors = field_errors(response.text)
    # min_length=3 is ItemCreate's rule, not the table's.
    assert errors["title"] == ["String should have at least 3 characters"]
    assert errors["owner"] == ["This field is required."]
    assert rows(engine, SchemaParentItem) == before


def test_the_update_model_leaves_the_parent_alone(
    client: TestClient, engine: Engine
) -> None:
    lamp = next(i for i in rows(engine, SchemaParentItem) if i.title == "Lamp")
    url = f"{ITEMS}/edit/{lamp.id}"
    assert not {"owner", "owner_id"} & set(form_values(client.get(url).text))

    before = rows(engine, SchemaParentItem)
    assert submit(client, url).status_code == 302
    assert rows(engine, SchemaParentItem) == before

    # A changed title; an owner posted anyway is not the form's to write.
    changed = submit(client, url, title="Lantern", owner=str(BOB), owner_id=str(BOB))
    assert changed.status_code == 302
    saved = next(i for i in rows(engine, SchemaParentItem) if i.id == lamp.id)
    assert (saved.title, saved.owner_id) == ("Lantern", lamp.owner_id)


# 5. A required secret column without a Create schema.


def test_required_secrets_get_write_only_inputs_on_create(
    client: TestClient, engine: Engine
) -> None:
    page = client.get(f"{USERS}/create").text
    inputs = password_inputs(page)
    assert set(inputs) == {"password_hash", "api_token"}
    assert all('value=""' in tag or "value=" not in tag for tag in inputs.values())

    response = submit(
        client, f"{USERS}/create", **required_secret.CREATE["required-secret-user"]
    )

    assert response.status_code == 302, field_errors(response.text)
    cleo = rows(engine, RequiredSecretUser)[-1]
    assert cleo.email == "cleo@example.com"
    # A hash-named column: hashed by ADMIN_PASSWORD_HASHER (argon2id).
    assert cleo.password_hash.startswith("$argon2id$")
    assert verify_password(cleo.password_hash, "a long pass phrase")
    # A token: stored as typed, the application compares it as it is.
    assert cleo.api_token == "tok-12345678"


def test_a_required_secret_left_empty_or_invalid_is_a_form_error(
    client: TestClient, engine: Engine
) -> None:
    before = rows(engine, RequiredSecretUser)

    empty = submit(client, f"{USERS}/create", email="dee@example.com")
    short = submit(
        client,
        f"{USERS}/create",
        email="dee@example.com",
        password_hash="a long pass phrase",
        api_token="tok-SHORT"[:7],
    )

    assert empty.status_code == short.status_code == 400
    assert field_errors(empty.text) == {
        "password_hash": ["This field is required."],
        "api_token": ["This field is required."],
    }
    assert field_errors(short.text) == {
        "api_token": ["String should have at least 8 characters"]
    }
    # What was typed into a secret input is not sent back.
    assert "a long pass phrase" not in short.text and "tok-SHO" not in short.text
    assert rows(engine, RequiredSecretUser) == before


def test_secret_inputs_on_edit_set_a_new_value_or_keep_the_stored_one(
    client: TestClient, engine: Engine
) -> None:
    ann = rows(engine, RequiredSecretUser)[0]
    url = f"{USERS}/edit/{ann.id}"
    page = client.get(url).text
    assert set(password_inputs(page)) == {"password_hash", "api_token"}
    assert "Set new password" in page and "Set new api token" in page
    assert "Leave empty to keep the current value." in page

    assert submit(client, url).status_code == 302
    assert rows(engine, RequiredSecretUser)[0] == ann

    assert submit(client, url, api_token="tok-NEW-0001").status_code == 302
    changed = rows(engine, RequiredSecretUser)[0]
    assert changed.api_token == "tok-NEW-0001"
    assert changed.password_hash == ann.password_hash

    assert submit(client, url, password_hash="another pass phrase").status_code == 302
    rehashed = rows(engine, RequiredSecretUser)[0]
    assert verify_password(rehashed.password_hash, "another pass phrase")
    assert rehashed.api_token == "tok-NEW-0001"


def test_no_secret_is_ever_rendered(client: TestClient, engine: Engine) -> None:
    created = submit(
        client, f"{USERS}/create", **required_secret.CREATE["required-secret-user"]
    )
    assert created.status_code == 302
    cleo = rows(engine, RequiredSecretUser)[-1]
    typed = ("a long pass phrase", "tok-12345678", cleo.password_hash)
    item = rows(engine, SchemaParentItem)[0]
    pages = [
        f"{USERS}/list",
        f"{USERS}/details/{cleo.id}",
        f"{USERS}/edit/{cleo.id}",
        f"{USERS}/create",
        f"{USERS}/history/{cleo.id}",
        f"{USERS}/export/csv",
        f"{USERS}/export/json",
        f"{ITEMS}/list",
        f"{ITEMS}/details/{item.id}",
        f"{ITEMS}/create",
        f"{ITEMS}/export/csv",
        "/admin/schema-parent-owner/list",
        "/admin/schema-parent-owner/export/json",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        for secret in (*SECRETS, *typed):
            assert secret not in response.text, (url, secret)

    with Session(engine) as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.model.is_not(None))  # type: ignore[union-attr]
        ).one()
    assert entry.changes is not None
    assert entry.changes["password_hash"]["after"] == REDACTED
    assert entry.changes["api_token"]["after"] == REDACTED
    trail = json.dumps(entry.changes)
    assert not any(secret in trail for secret in typed)
