"""Test-only tables with rules the sample models lack: named and unnamed CHECKs,
unnamed unique constraints (PostgreSQL names them), a named foreign key, a
bounded decimal, and a table whose name is long enough for PostgreSQL to cut the
names it makes up.

They live in their own registry, so their metadata stays out of
``SQLModel.metadata`` (and out of every other test's database).
"""

from decimal import Decimal

from sqlalchemy import CheckConstraint, Engine, ForeignKeyConstraint, UniqueConstraint
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class CheckBase(SQLModel, registry=registry()):
    pass


class Depot(CheckBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40)


class StockLevel(CheckBase, table=True):
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("bin <> ''"),  # unnamed: PostgreSQL names it, SQLite can't
        UniqueConstraint("warehouse", "bin"),
        ForeignKeyConstraint(["depot_id"], ["depot.id"], name="stock_depot_fk"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=8, unique=True)
    warehouse: str = Field(max_length=20)
    bin: str = Field(max_length=10, title="Bin")
    quantity: int = 0
    price: Decimal = Field(default=Decimal("0"), max_digits=5, decimal_places=2)
    depot_id: int | None = None


class LongNamedThing(CheckBase, table=True):
    __tablename__ = "a_table_whose_name_is_long_enough_to_be_cut_by_postgresql"

    id: int | None = Field(default=None, primary_key=True)
    a_rather_long_unique_column_name: str = Field(
        max_length=20, unique=True, title="Serial number"
    )
    depot_identifier_with_a_long_name: int | None = Field(
        default=None, foreign_key="depot.id", title="Depot"
    )


# MariaDB refuses this table outright: the name it makes up for its unnamed
# foreign key (the table's name + "_ibfk_1") is too long for it ("Identifier
# name ... is too long"). What it tests (names PostgreSQL cuts) is PostgreSQL's.
CUT_BY_POSTGRESQL = ("a_table_whose_name_is_long_enough_to_be_cut_by_postgresql",)


def create_check_tables(engine: Engine) -> None:
    """The tables above in ``engine``'s database (all those it can hold)."""
    tables = [
        table
        for table in CheckBase.metadata.sorted_tables
        if engine.dialect.name not in ("mysql", "mariadb")
        or table.name not in CUT_BY_POSTGRESQL
    ]
    CheckBase.metadata.create_all(engine, tables=tables)
