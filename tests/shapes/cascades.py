"""Deletes that take rows along: ``Relationship(cascade_delete=True)`` with
``ondelete="CASCADE"`` on the foreign key (sqlmodel's documented pair),
``ondelete="SET NULL"`` on an optional one, and a required foreign key with no
cascade, which refuses the delete."""

from sqlmodel import Field, Relationship, Session, SQLModel

DIALECTS = ("sqlite", "postgresql")


class CascadeProject(SQLModel, table=True):
    __tablename__ = "cascades_project"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True, index=True)

    tasks: list["CascadeTask"] = Relationship(
        back_populates="project", cascade_delete=True
    )
    notes: list["CascadeNote"] = Relationship(
        back_populates="project", passive_deletes=True
    )


class CascadeOwner(SQLModel, table=True):
    __tablename__ = "cascades_owner"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True, index=True)


class CascadeTask(SQLModel, table=True):
    __tablename__ = "cascades_task"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=80, index=True)
    project_id: int = Field(foreign_key="cascades_project.id", ondelete="CASCADE")
    owner_id: int = Field(foreign_key="cascades_owner.id")

    project: CascadeProject | None = Relationship(back_populates="tasks")
    owner: CascadeOwner | None = Relationship()


class CascadeNote(SQLModel, table=True):
    __tablename__ = "cascades_note"

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(max_length=200, index=True)
    project_id: int | None = Field(
        default=None, foreign_key="cascades_project.id", ondelete="SET NULL"
    )

    project: CascadeProject | None = Relationship(back_populates="notes")


def seed(session: Session) -> None:
    apollo = CascadeProject(name='Apöllo <b>&"')
    ann = CascadeOwner(name="Ann")
    session.add_all(
        [
            apollo,
            CascadeProject(name="Gemini"),
            ann,
            CascadeOwner(name="Ben"),
            CascadeTask(title="Launch", project=apollo, owner=ann),
            CascadeTask(title="Land", project=apollo, owner=ann),
            CascadeNote(text="Remember the towel", project=apollo),
        ]
    )


CREATE = {
    "cascade-project": {"name": "Mercury"},
    "cascade-owner": {"name": "Cid"},
    "cascade-task": {"title": "Orbit", "project": "2", "owner": "2"},
    "cascade-note": {"text": "Bring snacks", "project": "2"},
}
