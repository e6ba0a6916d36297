"""Composite primary keys of integers: a warehouse's shelves keyed by
(warehouse, shelf number), and boxes placed on a shelf through a two-column
foreign key (``ForeignKeyConstraint`` in ``__table_args__``)."""

from sqlalchemy import ForeignKeyConstraint
from sqlmodel import Field, Relationship, Session, SQLModel

DIALECTS = ("sqlite", "postgresql")


class Warehouse(SQLModel, table=True):
    __tablename__ = "composite_keys_warehouse"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True, index=True)
    shelves: list["CkShelf"] = Relationship(back_populates="warehouse")


class CkShelf(SQLModel, table=True):
    __tablename__ = "composite_keys_shelf"

    warehouse_id: int = Field(
        foreign_key="composite_keys_warehouse.id", primary_key=True
    )
    number: int = Field(primary_key=True)
    label: str = Field(max_length=40, index=True)

    warehouse: Warehouse | None = Relationship(back_populates="shelves")
    boxes: list["CkBox"] = Relationship(back_populates="shelf")


class CkBox(SQLModel, table=True):
    __tablename__ = "composite_keys_box"
    __table_args__ = (
        ForeignKeyConstraint(
            ["warehouse_id", "shelf_number"],
            ["composite_keys_shelf.warehouse_id", "composite_keys_shelf.number"],
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    content: str = Field(max_length=80, index=True)
    warehouse_id: int | None = None
    shelf_number: int | None = None

    shelf: CkShelf | None = Relationship(back_populates="boxes")


def seed(session: Session) -> None:
    north = Warehouse(name='Nörth <b>&"')
    session.add(north)
    session.flush()
    top = CkShelf(warehouse_id=north.id, number=1, label="Top")
    session.add_all(
        [
            top,
            CkShelf(warehouse_id=north.id, number=2, label="Bottom"),
            CkBox(content="Screws", shelf=top),
            CkBox(content="Loose"),
        ]
    )


CREATE = {
    "warehouse": {"name": "South"},
    "ck-shelf": {"warehouse": "1", "number": "3", "label": "Middle"},
    "ck-box": {"content": "Nails", "shelf": "1;2"},
}
