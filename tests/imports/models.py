"""Tables an import fills in the tests: a SQLModel string column (sqladmin's
importer refused it), unique columns, a foreign key named by label, the
model's own rules, and a ``<Model>Create`` whose password goes through a hasher."""

from datetime import date

from sqlmodel import Field, SQLModel


def hash_pin(plain: str) -> str:
    """A stand-in hasher: visible in the tests, never the plain text."""
    return "hashed:" + plain[::-1]


class ImpTeam(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, unique=True, index=True)


class ImpPerson(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=120, unique=True, index=True, title="E-mail")
    full_name: str = Field(max_length=60, title="Full name")
    age: int | None = Field(default=None, ge=0, le=150)
    joined: date | None = None
    team_id: int | None = Field(default=None, foreign_key="impteam.id")
    pin_hash: str = Field(
        default="",
        max_length=200,
        sa_column_kwargs={
            "info": {"admin": {"hasher": "tests.imports.models:hash_pin"}}
        },
    )
