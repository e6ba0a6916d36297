"""Restoring rows of the shapes corpus (``tests/shapes``): string, UUID,
composite and natural keys, enums, durations, JSON, naive and aware
date-times, soft delete. For each view, the oldest row the list shows is
deleted through the admin (with what goes with it) and restored from its
history page with the rows deleted with it: every table of the module is
then as it was, but for the secrets the trail hides. A required secret is a
refusal naming it, and nothing is written. On SQLite and PostgreSQL."""

import html
import importlib
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, Table, select
from sqlmodel import Session

from admin_app.audit.entries import AuditEntry, secret_columns
from admin_app.discovery import table_of
from tests.shape_server import serving

MODULES = [
    "string_keys",
    "composite_keys",
    "natural_keys",
    "str_enums",
    "portable_types",
    "naive_datetimes",
    "soft_delete",
    "cascades",
    "trees",
]
_ROW_KEY = re.compile(r'<input type="hidden" value="([^"]*)">')


def snapshot(engine: Engine, models: list[Any]) -> dict[str, list[str]]:
    """Every row of the models' tables, secrets left out, as comparable text."""
    shown: dict[str, list[str]] = {}
    with engine.connect() as connection:
        for model in models:
            table: Table = table_of(model)
            hidden = {
                model.__mapper__.get_property(name).columns[0].key
                for name in secret_columns(model)
            }
            columns = [c for c in table.c if c.key not in hidden]
            shown[table.name] = sorted(
                repr(tuple(row)) for row in connection.execute(select(*columns))
            )
    return shown


def latest_deletion(engine: Engine, identity: str, pk: str) -> AuditEntry | None:
    with Session(engine) as session:
        return session.scalars(
            select(AuditEntry)
            .where(AuditEntry.model == identity, AuditEntry.pk == pk)
            .where(AuditEntry.action.in_(("delete", "soft_delete")))  # type: ignore[attr-defined]
            .order_by(AuditEntry.id.desc())  # type: ignore[union-attr]
        ).first()


@pytest.mark.parametrize("name", MODULES)
def test_each_views_deleted_row_comes_back_as_it_was(
    name: str, database_url: str, tmp_path: Path
) -> None:
    module = importlib.import_module(f"tests.shapes.{name}")
    restored = 0
    with serving(module, database_url, tmp_path) as served:
        client, engine = served.client, served.engine
        for view in served.views():
            identity = view.identity
            keys = _ROW_KEY.findall(client.get(f"/admin/{identity}/list").text)
            if not keys or not view.can_delete:
                continue
            before = snapshot(engine, served.models)
            # The oldest row, else (other rows refer to it) the newest.
            for pk in dict.fromkeys(html.unescape(k) for k in (keys[-1], keys[0])):
                client.post(f"/admin/{identity}/delete", data={"pks": pk})
                deleted = latest_deletion(engine, identity, pk)
                if deleted is not None:
                    break
            if deleted is None:
                continue  # refused: other rows refer to both
            assert snapshot(engine, served.models) != before
            fields = (
                {"trash": "1"}
                if deleted.action == "soft_delete"
                else {"restore": str(deleted.id), "with_it": "1"}
            )
            answer = client.post(f"/admin/{identity}/history/{pk}", data=fields)
            assert answer.status_code == 303, f"{identity} {pk}: {answer.text}"
            assert snapshot(engine, served.models) == before, identity
            restored += 1
    assert restored, f"no row of {name} was deleted and restored"


def test_a_required_secret_the_trail_hides_is_a_refusal_naming_it(
    database_url: str, tmp_path: Path
) -> None:
    import tests.shapes.required_secret as module

    with serving(module, database_url, tmp_path) as served:
        client, engine = served.client, served.engine
        client.post("/admin/required-secret-user/delete", data={"pks": "1"})
        deleted = latest_deletion(engine, "required-secret-user", "1")
        assert deleted is not None
        gone = snapshot(engine, served.models)

        answer = client.post(
            "/admin/required-secret-user/history/1",
            data={"restore": str(deleted.id)},
        )

        assert answer.status_code == 409
        assert "Password hash is hidden in the audit trail" in html.unescape(
            answer.text
        )
        assert snapshot(engine, served.models) == gone
