"""Tables declared on a base class with a registry of its own
(``class Base(SQLModel, registry=registry())``), as projects do to keep their
metadata apart from ``SQLModel.metadata`` (several databases, a plugin, tests):
the admin must discover, serve and migrate them from their own metadata."""

from sqlalchemy import MetaData
from sqlalchemy.orm import registry
from sqlmodel import Field, Relationship, Session, SQLModel

DIALECTS = ("sqlite", "postgresql")


# Its own naming convention too: migrations must keep it.
NAMING = {
    "ix": "own_ix_%(column_0_label)s",
    "uq": "own_uq_%(table_name)s_%(column_0_name)s",
}


class OwnBase(SQLModel, registry=registry(metadata=MetaData(naming_convention=NAMING))):
    pass


class OwnTeam(OwnBase, table=True):
    __tablename__ = "own_registry_team"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True, index=True)
    heroes: list["OwnHero"] = Relationship(back_populates="team")


class OwnHero(OwnBase, table=True):
    __tablename__ = "own_registry_hero"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, index=True)
    secret_name: str = Field(max_length=80)
    password_hash: str = Field(default="", max_length=200)
    team_id: int | None = Field(
        default=None, foreign_key="own_registry_team.id", index=True
    )
    team: OwnTeam | None = Relationship(back_populates="heroes")


def seed(session: Session) -> None:
    team = OwnTeam(name='Preventers <b>&"')
    session.add_all(
        [
            team,
            OwnHero(
                name="Deadpond",
                secret_name="Dive Wilson",
                password_hash="SECRET-HASH-VALUE",
                team=team,
            ),
            OwnHero(name="Rusty-Man", secret_name="Tommy Sharp", team=team),
        ]
    )


CREATE = {
    "own-team": {"name": "Z-Force"},
    "own-hero": {"name": "Spider-Boy", "secret_name": "Pedro Parqueador", "team": "1"},
}
