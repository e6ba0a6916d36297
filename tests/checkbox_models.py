"""A test-only table of yes/no columns: a checkbox (a bool column) and a
yes/no select (a nullable one). In its own registry, so it stays out of
``SQLModel.metadata`` (and out of every other test's database)."""

from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class SwitchBase(SQLModel, registry=registry()):
    pass


class Switch(SwitchBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40)
    enabled: bool = False
    verified: bool | None = None
