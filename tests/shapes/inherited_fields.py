"""API-first models (the FastAPI full-stack template's shape): fields declared
on ``ItemBase(SQLModel)`` for the API models, the table adding its key and its
owner, and redeclaring a base field. Lists, details, forms and exports show
the key first, then the fields as the classes read: ``Id, Title, Description,
Owner``, not the table's ``Description, Id, Title, Owner``."""

from sqlmodel import Field, Relationship, Session, SQLModel

DIALECTS = ("sqlite", "postgresql")


class InheritedUserBase(SQLModel):
    email: str = Field(max_length=255, unique=True, index=True)
    full_name: str | None = Field(default=None, max_length=255)
    is_active: bool = True


class InheritedUser(InheritedUserBase, table=True):
    __tablename__ = "inherited_fields_user"

    id: int | None = Field(default=None, primary_key=True)
    hashed_password: str = Field(default="")
    items: list["InheritedItem"] = Relationship(
        back_populates="owner", cascade_delete=True
    )


class InheritedItemBase(SQLModel):
    title: str = Field(min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=255)


class InheritedItem(InheritedItemBase, table=True):
    __tablename__ = "inherited_fields_item"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=255, index=True)
    owner_id: int = Field(
        foreign_key="inherited_fields_user.id", nullable=False, ondelete="CASCADE"
    )
    owner: InheritedUser | None = Relationship(back_populates="items")


def seed(session: Session) -> None:
    owner = InheritedUser(
        email="ada@example.com",
        full_name='Ada <b>&" Lovelace',
        hashed_password="SECRET-HASH-VALUE",
    )
    session.add_all(
        [
            owner,
            InheritedUser(email="bob@example.com"),
            InheritedItem(title="Engine", description="Analytical", owner=owner),
            InheritedItem(title="Notes", owner=owner),
        ]
    )


CREATE = {
    "inherited-user": {"email": "cy@example.com", "full_name": "Cy"},
    "inherited-item": {"title": "Loom", "owner": "2"},
}
