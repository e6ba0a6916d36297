"""A table that the models have and no migration creates: drift for `db check`."""

from sqlmodel import Field, SQLModel


class DriftedTeamNote(SQLModel, table=True):
    __tablename__ = "drifted_team_note"

    id: int | None = Field(default=None, primary_key=True)
