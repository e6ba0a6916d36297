"""Timestamps as most code writes them: ``default_factory=datetime.utcnow``
(naive) on a field sqlmodel stores as an aware ``UTCDateTime``, column
defaults ``default=`` and ``onupdate=datetime.utcnow``, a naive
``NaiveDatetime`` column given an aware default, and an ``on_model_change``
hook that stamps a naive value on create. sqlmodel refuses naive values for
aware columns at flush: every create and edit used to be a 500."""

from datetime import UTC, datetime
from typing import Any

from pydantic import NaiveDatetime
from sqlmodel import Field, Session, SQLModel

from admin_app import AutoModelView

DIALECTS = ("sqlite", "postgresql")


class NaiveNote(SQLModel, table=True):
    __tablename__ = "naive_datetimes_note"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=80, index=True)
    created_at: datetime = Field(default_factory=datetime.utcnow)
    updated_at: datetime | None = Field(
        default=None, sa_column_kwargs={"onupdate": datetime.utcnow}
    )
    # A column default, computed at flush when the form leaves it empty.
    filed_at: datetime | None = Field(
        default=None, sa_column_kwargs={"default": datetime.utcnow}
    )
    # Stored without a zone; the default is aware: kept as naive UTC.
    logged_at: NaiveDatetime = Field(default_factory=lambda: datetime.now(UTC))
    reviewed_at: datetime | None = None


class NaiveNoteAdmin(AutoModelView, model=NaiveNote):
    async def on_model_change(
        self, data: dict[str, Any], model: Any, is_created: bool, request: Any
    ) -> None:
        if is_created:
            model.reviewed_at = datetime.utcnow()


def seed(session: Session) -> None:
    # A plain session stores what it is given: aware values for aware columns.
    now = datetime.now(UTC)
    session.add_all(
        [
            NaiveNote(title='Première <b>&"', created_at=now, filed_at=now),
            NaiveNote(
                title="Second",
                created_at=datetime(2024, 5, 1, 12, tzinfo=UTC),
                filed_at=datetime(2024, 5, 2, 8, 30, 15, 250, tzinfo=UTC),
            ),
        ]
    )


CREATE = {"naive-note": {"title": "Third"}}
