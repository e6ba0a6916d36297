"""Tables keyed by each kind of primary key URLs must name: a string (sqlmodel's
``AutoString``), a UUID, and a composite of a string, an integer and a UUID."""

import uuid

from sqlmodel import Field, SQLModel


class Folder(SQLModel, table=True):
    """Keyed by a path: slashes, spaces, ``%``, ``;``, ``\\`` and any letter."""

    path: str = Field(primary_key=True, max_length=200)
    title: str = Field(default="", max_length=80)


class Ticket(SQLModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    title: str = Field(default="", max_length=80)


class Slot(SQLModel, table=True):
    """A composite key of mixed types."""

    shelf: str = Field(primary_key=True, max_length=80)
    position: int = Field(primary_key=True)
    batch: uuid.UUID = Field(primary_key=True)
    note: str = Field(default="", max_length=80)
