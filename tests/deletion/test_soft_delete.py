"""Soft delete (``tests/shapes/soft_delete.py``): a delete stamps the row's
``deleted_at``-like column instead of removing it, audited ``soft_delete``;
lists hide it, ``?trash=1`` shows only the trash; a restore clears the stamp
(audited ``restore``); a delete in the trash is for good. On SQLite and
PostgreSQL."""

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session, SQLModel

import tests.shapes.soft_delete as shape
from admin_app.audit.entries import AuditEntry
from admin_app.deletion.soft import infer_soft_delete_column
from tests.shape_server import Served, serving

Document, Note = shape.SoftDocument, shape.SoftNote


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[Served]:
    with serving(shape, database_url, tmp_path) as served:
        yield served


def document(engine: Engine, slug: str) -> Any:
    with Session(engine) as session:
        return session.get(Document, slug)


def entries(engine: Engine, *actions: str) -> list[AuditEntry]:
    with Session(engine) as session:
        query = select(AuditEntry).where(AuditEntry.action.in_(actions))  # type: ignore[attr-defined]
        return list(session.scalars(query.order_by(AuditEntry.id)).all())


def listed(page: str) -> list[str]:
    """The keys of the rows a list page shows."""
    return [
        html.unescape(k)
        for k in re.findall(r'<input type="hidden" value="([^"]*)">', page)
    ]


def test_the_column_is_inferred_from_its_name_and_type() -> None:
    class Wrong(SQLModel):
        deleted_at: datetime  # required: not a trash stamp
        removed: datetime | None = None  # not a known name
        archived_at: str | None = None  # not a date-time

    assert infer_soft_delete_column(Document) == "deleted_at"
    assert infer_soft_delete_column(Note) == "archived_at"
    assert infer_soft_delete_column(AuditEntry) is None


def test_a_delete_moves_the_row_to_the_trash(served: Served) -> None:
    client, engine = served.client, served.engine
    asked = client.get("/admin/soft-document/delete", params={"pks": "plan"})
    assert asked.status_code == 200
    assert "This will move" in asked.text and "to the trash" in asked.text

    before = datetime.now(UTC)
    response = client.post("/admin/soft-document/delete", data={"pks": "plan"})

    assert response.status_code == 303
    stamped = document(engine, "plan").deleted_at
    assert stamped is not None
    assert before - timedelta(seconds=1) <= stamped.replace(tzinfo=UTC)
    (entry,) = entries(engine, "soft_delete", "delete", "cascade_delete")
    assert entry.action == "soft_delete" and entry.pk == "plan"
    assert entry.changes["deleted_at"]["before"] is None
    # Nothing cascades: its notes are all there.
    with Session(engine) as session:
        assert len(session.scalars(select(Note)).all()) == 2
    message = html.unescape(client.get(response.headers["location"]).text)
    assert 'Moved soft document "Plan" to the trash.' in message


def test_a_trashed_row_says_so_and_comes_back_by_restore(served: Served) -> None:
    client, engine = served.client, served.engine
    client.post("/admin/soft-document/delete", data={"pks": "plan"})
    (trashed,) = entries(engine, "soft_delete")

    details = client.get("/admin/soft-document/details/plan")
    edit = client.get("/admin/soft-document/edit/plan")
    history = client.get("/admin/soft-document/history/plan")
    assert 'data-role="in-trash"' in details.text
    assert 'data-role="in-trash"' in edit.text
    assert 'data-role="restore-form"' in history.text

    response = client.post("/admin/soft-document/history/plan", data={"trash": "1"})

    assert response.status_code == 303
    assert document(engine, "plan").deleted_at is None
    (restored,) = entries(engine, "restore")
    assert restored.cause_id == trashed.id
    assert restored.changes["deleted_at"]["after"] is None
    assert "plan" in listed(client.get("/admin/soft-document/list").text)
    again = client.post("/admin/soft-document/history/plan", data={"trash": "1"})
    assert again.status_code == 409
    assert "is not in the trash" in again.text


def test_several_rows_go_to_the_trash_in_one_delete(served: Served) -> None:
    client, engine = served.client, served.engine

    response = client.post(
        "/admin/soft-document/delete", data={"pks": ["plan", "a/b c%"]}
    )

    assert response.status_code == 303
    assert len(entries(engine, "soft_delete")) == 2
    assert listed(client.get("/admin/soft-document/list").text) == []


def test_a_delete_in_the_trash_is_for_good_and_can_be_restored(
    served: Served,
) -> None:
    client, engine = served.client, served.engine
    with Session(engine) as session:
        stamp = session.get(Document, "old").deleted_at  # type: ignore[union-attr]

    asked = client.get("/admin/soft-document/delete", params={"pks": "old"})
    response = client.post("/admin/soft-document/delete", data={"pks": "old"})

    assert "permanently delete" in asked.text
    assert response.status_code == 303
    assert document(engine, "old") is None
    (deleted,) = entries(engine, "delete")
    restored = client.post(
        "/admin/soft-document/history/old", data={"restore": str(deleted.id)}
    )
    assert restored.status_code == 303, restored.text
    back = document(engine, "old")
    assert back is not None and back.deleted_at == stamp  # still in the trash


def test_a_naive_stamp_is_set_and_cleared_too(served: Served) -> None:
    client, engine = served.client, served.engine
    with Session(engine) as session:
        note = session.scalars(select(Note).where(Note.text == "First")).one()
        key = str(note.id)

    client.post("/admin/soft-note/delete", data={"pks": key})
    with Session(engine) as session:
        stamped = session.scalars(select(Note).where(Note.text == "First")).one()
        assert stamped.archived_at is not None and stamped.archived_at.tzinfo is None
    client.post(f"/admin/soft-note/history/{key}", data={"trash": "1"})

    with Session(engine) as session:
        cleared = session.scalars(select(Note).where(Note.text == "First")).one()
        assert cleared.archived_at is None


def test_pickers_offer_no_trashed_row(served: Served) -> None:
    def offered(term: str) -> list[str]:
        answer = served.client.get(
            "/admin/soft-note/ajax/lookup",
            params={"name": "document_slug", "term": term},
        )
        assert answer.status_code == 200
        return [result["text"] for result in answer.json()["results"]]

    assert offered("Pl") == ["Plan"]
    assert offered("Ol") == []  # "Old" is in the trash


def test_the_palette_finds_no_trashed_row(served: Served) -> None:
    def found(term: str) -> list[str]:
        answer = served.client.get("/admin/palette/search", params={"q": term})
        assert answer.status_code == 200
        return [
            record["label"]
            for group in answer.json()["groups"]
            for record in group["results"]
        ]

    assert "Plan" in found("Pla")
    assert found("Old") == []  # in the trash
