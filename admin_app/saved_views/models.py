"""The saved view's table: a list's query string under a name, a user's own
or shared with everyone who may see the model."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DDL, Index, UniqueConstraint, event, text
from sqlmodel import Field, SQLModel

from admin_app.db import is_mysql

NAME_LENGTH = 100
QUERY_LENGTH = 2000
# The unique index of a shared name, on every database; on MariaDB/MySQL over
# SHARED_NAME (see below), elsewhere partial.
SHARED_INDEX = "uq_admin_app_saved_view_shared"
SHARED_NAME = "shared_name"


def utc_now() -> datetime:
    return datetime.now(UTC)


class SavedView(SQLModel, table=True):
    """A list's filters, search, sort, page size and columns, named.

    A name is unique among its owner's views of a model, and among the
    model's shared views: a partial index, private views not counted. MariaDB
    and MySQL have no partial index: there a stored generated column holds
    the name of a shared view only (NULL otherwise, and NULLs never collide),
    and the unique index covers it (:data:`MYSQL_SHARED_NAME`)."""

    __tablename__ = "admin_app_saved_view"
    __table_args__ = (
        UniqueConstraint(
            "model", "owner_id", "name", name="uq_admin_app_saved_view_owner"
        ),
        Index(
            SHARED_INDEX,
            "model",
            "name",
            unique=True,
            sqlite_where=text("shared"),
            postgresql_where=text("shared"),
        ).ddl_if(callable_=lambda *_, dialect, **__: not is_mysql(dialect.name)),
        # What the database has beside the model's columns and indexes, on
        # MariaDB/MySQL only: `admin-app db check` does not count it as drift.
        {"info": {"mysql_only": frozenset({SHARED_NAME, SHARED_INDEX})}},
    )

    id: int | None = Field(default=None, primary_key=True)
    # The view's identity, as in the admin's URLs ("purchase-order").
    model: str = Field(max_length=100)
    name: str = Field(max_length=NAME_LENGTH)
    owner_id: int = Field(
        foreign_key="admin_app_user.id", index=True, ondelete="CASCADE"
    )
    shared: bool = False
    # The list's query string, paging left out (admin_app.saved_views.queries).
    query: str = Field(default="", max_length=QUERY_LENGTH)
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)

    def __str__(self) -> str:
        return self.name


# The partial index's stand-in on MariaDB/MySQL, made with the table (migration
# a0009 adds it to a table made before). Not a column of the model: the
# database computes it, and SQLite and PostgreSQL have no such column.
MYSQL_SHARED_NAME = DDL(  # type: ignore[no-untyped-call]
    "ALTER TABLE %(table)s"
    f" ADD COLUMN {SHARED_NAME} VARCHAR({NAME_LENGTH})"
    f" AS (CASE WHEN shared THEN name END) STORED,"
    f" ADD UNIQUE INDEX {SHARED_INDEX} (model, {SHARED_NAME})"
)


def _on_mysql(*_: Any, dialect: Any, **__: Any) -> bool:
    return is_mysql(dialect.name)


event.listen(
    SavedView.__table__,  # type: ignore[attr-defined]
    "after_create",
    MYSQL_SHARED_NAME.execute_if(callable_=_on_mysql),
)
