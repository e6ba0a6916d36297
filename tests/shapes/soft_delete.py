"""Soft delete, as real projects keep deleted rows: a nullable ``deleted_at``
(an aware date-time) on a table keyed by a string slug, and ``archived_at`` (a
naive one, as ``datetime.utcnow`` stamps) on a UUID-keyed child of it. The
admin infers both: a delete stamps the row, lists hide it, the trash shows it
(``admin_app.deletion.soft``, ``admin_app.lists.trash``)."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlmodel import Field, Session, SQLModel

DIALECTS = ("sqlite", "postgresql")
TRASHED_AT = datetime(2026, 1, 2, 3, 4, 5)


class SoftDocument(SQLModel, table=True):
    __tablename__ = "soft_delete_document"

    slug: str = Field(primary_key=True, max_length=80)
    title: str = Field(max_length=120, index=True)
    deleted_at: datetime | None = Field(default=None, index=True)


class SoftNote(SQLModel, table=True):
    __tablename__ = "soft_delete_note"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    text: str = Field(max_length=200, index=True)
    document_slug: str = Field(foreign_key="soft_delete_document.slug", max_length=80)
    archived_at: datetime | None = Field(default=None, sa_type=DateTime())


def seed(session: Session) -> None:
    session.add_all(
        [
            SoftDocument(slug="a/b c%", title='Ünïcode <b>&"'),
            SoftDocument(slug="plan", title="Plan"),
            SoftDocument(
                slug="old", title="Old", deleted_at=TRASHED_AT.replace(tzinfo=UTC)
            ),
        ]
    )
    session.flush()
    session.add_all(
        [
            SoftNote(text="First", document_slug="plan"),
            SoftNote(text="Gone", document_slug="plan", archived_at=TRASHED_AT),
        ]
    )


CREATE = {
    "soft-document": {"slug": "new", "title": "New"},
    "soft-note": {"text": "Hello", "document_slug": "plan"},
}
