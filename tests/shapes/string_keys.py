"""String and UUID primary keys, as real projects key tables by a slug, a code
or a UUID: ``id: str = Field(primary_key=True)`` (sqlmodel's ``AutoString``)
holding ``/``, spaces, ``%``, ``;`` and unicode; a UUID key made by a
``default_factory``; a many-to-one and a bare foreign key to a string key, a
many-to-many to UUID-keyed rows, and a composite key of a string and an
integer."""

import uuid

from sqlmodel import Field, Relationship, Session, SQLModel

DIALECTS = ("sqlite", "postgresql")
# Seeded with known UUIDs, so that a create can pick them.
CLASSICS = uuid.UUID("0b9e8c5e-3f7a-4c1e-9d2b-5a6f7e8d9c01")
POETRY = uuid.UUID("0b9e8c5e-3f7a-4c1e-9d2b-5a6f7e8d9c02")


class SkBookLabel(SQLModel, table=True):
    __tablename__ = "string_keys_book_label"

    book_id: int | None = Field(
        default=None, foreign_key="string_keys_book.id", primary_key=True
    )
    label_id: uuid.UUID | None = Field(
        default=None, foreign_key="string_keys_label.id", primary_key=True
    )


class SkPublisher(SQLModel, table=True):
    __tablename__ = "string_keys_publisher"

    id: str = Field(primary_key=True, max_length=80)
    name: str = Field(max_length=80, index=True)
    books: list["SkBook"] = Relationship(
        back_populates="publisher",
        sa_relationship_kwargs={"foreign_keys": "[SkBook.publisher_id]"},
    )


class SkLabel(SQLModel, table=True):
    __tablename__ = "string_keys_label"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=80, unique=True, index=True)
    books: list["SkBook"] = Relationship(
        back_populates="labels", link_model=SkBookLabel
    )


class SkBook(SQLModel, table=True):
    __tablename__ = "string_keys_book"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=80, index=True)
    publisher_id: str = Field(foreign_key="string_keys_publisher.id", max_length=80)
    # A bare foreign key to a string key: no Relationship.
    printer_id: str | None = Field(
        default=None, foreign_key="string_keys_publisher.id", max_length=80
    )
    publisher: SkPublisher | None = Relationship(
        back_populates="books",
        sa_relationship_kwargs={"foreign_keys": "[SkBook.publisher_id]"},
    )
    labels: list[SkLabel] = Relationship(back_populates="books", link_model=SkBookLabel)


class SkShelfSlot(SQLModel, table=True):
    """A composite key of a string and an integer."""

    __tablename__ = "string_keys_shelf_slot"

    shelf: str = Field(primary_key=True, max_length=80)
    position: int = Field(primary_key=True)
    note: str = Field(default="", max_length=80)


def seed(session: Session) -> None:
    odd = SkPublisher(id="a/b c%d;é", name='Odd <b>&" Press')
    plain = SkPublisher(id="plain", name="Plain Books")
    label = SkLabel(id=CLASSICS, name="Classics")
    session.add_all([odd, plain, label, SkLabel(id=POETRY, name="Poetry")])
    session.flush()
    book = SkBook(title="Ulysses", publisher_id=odd.id, printer_id=plain.id)
    book.labels = [label]
    session.add(book)
    session.add_all(
        [
            SkShelfSlot(shelf="A/1 %;", position=1, note="first"),
            SkShelfSlot(shelf="ß 2", position=2),
        ]
    )


CREATE = {
    "sk-publisher": {"id": "new/one two", "name": "New Press"},
    "sk-label": {"name": "Drama"},
    "sk-book": {
        "title": "Dubliners",
        "publisher": "a/b c%d;é",
        "printer_id": "plain",
        "labels": ["", str(POETRY)],
    },
    "sk-book-label": {"book_id": "1", "label_id": str(POETRY)},
    "sk-shelf-slot": {"shelf": "C/3 ü", "position": "3"},
}
