"""A models module for the inline tests: shelves and their books, books
validated by their API models (``InlBookCreate``/``InlBookUpdate``, found by
name), so that inline rows are too."""

from pydantic import field_validator
from sqlmodel import Field, Relationship, SQLModel


class InlShelf(SQLModel, table=True):
    __tablename__ = "inl_shelf"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40)
    books: list["InlBook"] = Relationship(back_populates="shelf")


class InlBook(SQLModel, table=True):
    __tablename__ = "inl_book"

    id: int | None = Field(default=None, primary_key=True)
    shelf_id: int = Field(foreign_key="inl_shelf.id", index=True)
    title: str = Field(max_length=80)
    pages: int = Field(ge=1)
    shelf: InlShelf | None = Relationship(back_populates="books")


def _capitalised(title: str | None) -> str | None:
    if title is not None and not title[:1].isupper():
        raise ValueError("Titles start with a capital letter")
    return title


class InlBookCreate(SQLModel):
    title: str
    pages: int
    _title = field_validator("title")(_capitalised)


class InlBookUpdate(SQLModel):
    title: str | None = None
    pages: int | None = None
    _title = field_validator("title")(_capitalised)
