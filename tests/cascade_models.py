"""Tables whose deletes take other rows along, for tests/deletion/test_deletion.py.

An orchard's trees go with it (a relationship with cascade="all, delete-orphan"),
and the trees' harvests with them; its signs go by the database (ondelete=
"CASCADE"); its beehives stay, unlinked (ondelete="SET NULL"); its picker shifts
(an association object) go with it; its links to varieties (link_model) are
removed. Inspections of a tree, and ledger lines (a table left out of the admin),
keep an orchard. Plots nest in a self-referencing tree that cascades; their view
records sqladmin's delete hooks, and varieties may not be deleted at all.
"""

from typing import Any, Optional

from sqlalchemy import Engine
from sqlmodel import Field, Relationship, Session, SQLModel
from starlette.requests import Request

from admin_app import AutoModelView

# (hook, plot name) for every call of PlotAdmin's delete hooks.
HOOK_CALLS: list[tuple[str, str]] = []


class OrchardVarietyLink(SQLModel, table=True):
    orchard_id: int | None = Field(
        default=None, foreign_key="orchard.id", primary_key=True
    )
    variety_id: int | None = Field(
        default=None, foreign_key="variety.id", primary_key=True
    )


class Variety(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40)

    orchards: list["Orchard"] = Relationship(
        back_populates="varieties", link_model=OrchardVarietyLink
    )


class Orchard(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, unique=True)

    trees: list["FruitTree"] = Relationship(
        back_populates="orchard",
        sa_relationship_kwargs={"cascade": "all, delete-orphan"},
    )
    shifts: list["PickerShift"] = Relationship(
        back_populates="orchard", cascade_delete=True
    )
    beehives: list["Beehive"] = Relationship(back_populates="orchard")
    varieties: list[Variety] = Relationship(
        back_populates="orchards", link_model=OrchardVarietyLink
    )


class FruitTree(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40)
    orchard_id: int = Field(foreign_key="orchard.id", index=True)

    orchard: Orchard | None = Relationship(back_populates="trees")
    harvests: list["Harvest"] = Relationship(back_populates="tree", cascade_delete=True)


class Harvest(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40)
    tree_id: int = Field(foreign_key="fruittree.id", index=True)

    tree: FruitTree | None = Relationship(back_populates="harvests")


class Inspection(SQLModel, table=True):
    """Refers to a tree without any cascade: keeps the tree, so its orchard."""

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=40)
    tree_id: int = Field(foreign_key="fruittree.id", index=True)


class OrchardSign(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40)
    orchard_id: int = Field(foreign_key="orchard.id", ondelete="CASCADE")


class Beehive(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40)
    orchard_id: int | None = Field(
        default=None, foreign_key="orchard.id", ondelete="SET NULL"
    )

    orchard: Orchard | None = Relationship(back_populates="beehives")


class Picker(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40)
    # Refers to its own table, without any cascade.
    mentor_id: int | None = Field(default=None, foreign_key="picker.id")

    shifts: list["PickerShift"] = Relationship(back_populates="picker")


class PickerShift(SQLModel, table=True):
    """An association object (a link with a column of its own) that cascades."""

    orchard_id: int | None = Field(
        default=None, foreign_key="orchard.id", primary_key=True
    )
    picker_id: int | None = Field(
        default=None, foreign_key="picker.id", primary_key=True
    )
    hours: int = 8

    orchard: Orchard | None = Relationship(back_populates="shifts")
    picker: Picker | None = Relationship(back_populates="shifts")


class OrchardLedger(SQLModel, table=True):
    """Left out of the admin (ADMIN_EXCLUDE_MODELS): still keeps an orchard."""

    id: int | None = Field(default=None, primary_key=True)
    orchard_id: int = Field(foreign_key="orchard.id")


class Plot(SQLModel, table=True):
    """A self-referencing tree whose children go with their parent."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40)
    parent_id: int | None = Field(default=None, foreign_key="plot.id")

    parent: Optional["Plot"] = Relationship(
        back_populates="children", sa_relationship_kwargs={"remote_side": "Plot.id"}
    )
    children: list["Plot"] = Relationship(back_populates="parent", cascade_delete=True)


class PlotAdmin(AutoModelView, model=Plot):
    async def on_model_delete(self, model: Any, request: Request) -> None:
        if model.name == "keep":
            raise ValueError("this plot is kept")
        HOOK_CALLS.append(("on", model.name))

    async def after_model_delete(self, model: Any, request: Request) -> None:
        HOOK_CALLS.append(("after", model.name))


class VarietyAdmin(AutoModelView, model=Variety):
    can_delete = False


def plant_orchard(engine: Engine, harvests: int) -> int:
    """An orchard with two trees (the first with ``harvests``), a sign, a
    beehive and a variety: rows of every kind that goes with its delete, or
    is unlinked by it. Its key."""
    with Session(engine) as session:
        orchard = Orchard(name="Old Hill")
        trees = [FruitTree(name=f"Apple {i}", orchard=orchard) for i in (1, 2)]
        session.add_all(trees)
        session.add_all(
            [Harvest(name=f"Crop {i}", tree=trees[0]) for i in range(harvests)]
        )
        session.add(Beehive(name="Hive", orchard=orchard))
        orchard.varieties.append(Variety(name="Gala"))
        session.flush()
        session.add(OrchardSign(name="Welcome", orchard_id=orchard.id))
        session.commit()
        assert orchard.id is not None
        return orchard.id
