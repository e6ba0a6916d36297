"""A self-referencing tree: categories with a ``parent_id`` to their own table
and ``remote_side`` on the parent relation (the adjacency list every shop, forum
and file tree writes), plus an ``Optional`` parent."""

from typing import Optional

from sqlmodel import Field, Relationship, Session, SQLModel

DIALECTS = ("sqlite", "postgresql")


class TreeCategory(SQLModel, table=True):
    __tablename__ = "trees_category"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, index=True)
    parent_id: int | None = Field(
        default=None, foreign_key="trees_category.id", index=True
    )

    parent: Optional["TreeCategory"] = Relationship(
        back_populates="children",
        sa_relationship_kwargs={"remote_side": "TreeCategory.id"},
    )
    children: list["TreeCategory"] = Relationship(back_populates="parent")


def seed(session: Session) -> None:
    root = TreeCategory(name='Électronique <b>&"')
    phones = TreeCategory(name="Phones", parent=root)
    session.add_all([root, phones, TreeCategory(name="Smartphones", parent=phones)])


CREATE = {"tree-category": {"name": "Tablets"}}
