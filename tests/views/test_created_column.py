"""``infer_created_column``: the indexed created-at-like column a model's
dashboard card reads its new rows from, or none."""

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from admin_app.views.inferred import AutoModelView, view_for
from models.tables import Order, Team


class Shipment(SQLModel, table=True):
    __tablename__ = "test_created_shipment"

    id: int | None = Field(default=None, primary_key=True)
    created: date = Field(index=True)


class Note(SQLModel, table=True):
    __tablename__ = "test_created_note"

    id: int | None = Field(default=None, primary_key=True)
    # Indexed, but a text column is no time.
    created_by: str = Field(index=True)
    inserted_at: datetime = Field(index=True)


def test_an_indexed_created_at_column_is_chosen() -> None:
    assert AutoModelView.infer_created_column(Order) == "created_at"
    assert AutoModelView.infer_created_column(Shipment) == "created"
    assert AutoModelView.infer_created_column(Note) == "inserted_at"
    assert view_for(Order).created_column == "created_at"


def test_an_unindexed_one_is_not_read() -> None:
    # Team.created_at has no index: a month of it would read the whole table.
    assert AutoModelView.infer_created_column(Team) is None


def test_a_view_may_name_its_own_or_none() -> None:
    class Quiet(AutoModelView, model=Order):
        created_column = None

    assert Quiet.created_column is None
