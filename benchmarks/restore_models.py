"""The tables of :mod:`benchmarks.restore`: a shelf, its books (a cascade)
and its signs (unlinked by its delete)."""

from sqlmodel import Field, Relationship, SQLModel


class RestoreShelf(SQLModel, table=True):
    __tablename__ = "bench_restore_shelf"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True, index=True)
    books: list["RestoreBook"] = Relationship(cascade_delete=True)


class RestoreBook(SQLModel, table=True):
    __tablename__ = "bench_restore_book"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=80)
    shelf_id: int = Field(
        foreign_key="bench_restore_shelf.id", ondelete="CASCADE", index=True
    )


class RestoreSign(SQLModel, table=True):
    __tablename__ = "bench_restore_sign"

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(max_length=80)
    shelf_id: int | None = Field(
        default=None, foreign_key="bench_restore_shelf.id", ondelete="SET NULL"
    )
