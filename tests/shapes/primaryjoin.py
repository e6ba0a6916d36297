"""Relationships with ``primaryjoin`` strings: an author's published books (a
read-only, filtered collection beside the plain one) and a book's co-author
joined by an explicit condition."""

from sqlmodel import Field, Relationship, Session, SQLModel

DIALECTS = ("sqlite", "postgresql")


class JoinAuthor(SQLModel, table=True):
    __tablename__ = "primaryjoin_author"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, index=True)

    books: list["JoinBook"] = Relationship(
        back_populates="author",
        sa_relationship_kwargs={
            "primaryjoin": "JoinAuthor.id == JoinBook.author_id",
        },
    )
    published_books: list["JoinBook"] = Relationship(
        sa_relationship_kwargs={
            "primaryjoin": "and_(JoinAuthor.id == JoinBook.author_id, "
            "JoinBook.published == True)",
            "viewonly": True,
        },
    )


class JoinBook(SQLModel, table=True):
    __tablename__ = "primaryjoin_book"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=120, index=True)
    published: bool = False
    author_id: int | None = Field(default=None, foreign_key="primaryjoin_author.id")
    coauthor_id: int | None = Field(default=None, foreign_key="primaryjoin_author.id")

    author: JoinAuthor | None = Relationship(
        back_populates="books",
        sa_relationship_kwargs={
            "primaryjoin": "JoinBook.author_id == JoinAuthor.id",
        },
    )
    coauthor: JoinAuthor | None = Relationship(
        sa_relationship_kwargs={
            "primaryjoin": "foreign(JoinBook.coauthor_id) == JoinAuthor.id",
        },
    )


def seed(session: Session) -> None:
    ursula = JoinAuthor(name='Ursula <b>&" Le Guin')
    terry = JoinAuthor(name="Terry")
    session.add_all(
        [
            ursula,
            terry,
            JoinBook(title="Earthsea", published=True, author=ursula),
            JoinBook(title="Draft", author=ursula, coauthor=terry),
        ]
    )


CREATE = {
    "join-author": {"name": "Neil"},
    "join-book": {"title": "Good Omens", "author": "2", "coauthor": "1"},
}
