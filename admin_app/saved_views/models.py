"""The saved view's table: a list's query string under a name, a user's own
or shared with everyone who may see the model."""

from datetime import UTC, datetime

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from admin_app.db import is_mysql

NAME_LENGTH = 100
QUERY_LENGTH = 2000


def utc_now() -> datetime:
    return datetime.now(UTC)


class SavedView(SQLModel, table=True):
    """A list's filters, search, sort, page size and columns, named.

    A name is unique among its owner's views of a model, and among the
    model's shared views (a partial index: private views are not counted;
    MariaDB/MySQL have no partial index, so there the check before saving,
    in the saving transaction, is the only one)."""

    __tablename__ = "admin_app_saved_view"
    __table_args__ = (
        UniqueConstraint(
            "model", "owner_id", "name", name="uq_admin_app_saved_view_owner"
        ),
        Index(
            "uq_admin_app_saved_view_shared",
            "model",
            "name",
            unique=True,
            sqlite_where=text("shared"),
            postgresql_where=text("shared"),
        ).ddl_if(callable_=lambda *_, dialect, **__: not is_mysql(dialect.name)),
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
