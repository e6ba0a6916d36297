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
    shelves: list["Shelf"] = Relationship(back_populates="warehouse")


class Shelf(SQLModel, table=True):
    __tablename__ = "composite_keys_shelf"

    warehouse_id: int = Field(
        foreign_key="composite_keys_warehouse.id", primary_key=True
    )
    number: int = Field(primary_key=True)
    label: str = Field(max_length=40, index=True)

    warehouse: Warehouse | None = Relationship(back_populates="shelves")
    boxes: list["Box"] = Relationship(back_populates="shelf")


class Box(SQLModel, table=True):
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

    shelf: Shelf | None = Relationship(back_populates="boxes")


def seed(session: Session) -> None:
    north = Warehouse(name='Nörth <b>&"')
    session.add(north)
    session.flush()
    top = Shelf(warehouse_id=north.id, number=1, label="Top")
    session.add_all(
        [
            top,
            Shelf(warehouse_id=north.id, number=2, label="Bottom"),
            Box(content="Screws", shelf=top),
            Box(content="Loose"),
        ]
    )


CREATE = {
    "warehouse": {"name": "South"},
    "shelf": {"warehouse": "1", "number": "3", "label": "Middle"},
    "box": {"content": "Nails", "shelf": "1;2"},
}
