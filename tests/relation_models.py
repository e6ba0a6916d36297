"""Every kind of relation a form edits, for the tests that post forms back as a
browser without JavaScript does: a required and an optional many-to-one, a plain
foreign key without a Relationship, a plain many-to-many link table, and an
association object (a link with a column of its own) used as a many-to-many."""

from sqlmodel import Field, Relationship, SQLModel


class CrewSkillLink(SQLModel, table=True):
    """A plain link table."""

    __tablename__ = "rel_crew_skill"

    crew_id: int | None = Field(
        default=None, foreign_key="rel_crew.id", primary_key=True
    )
    skill_id: int | None = Field(
        default=None, foreign_key="rel_skill.id", primary_key=True
    )


class Assignment(SQLModel, table=True):
    """An association object: the link keeps the crew member's role."""

    __tablename__ = "rel_assignment"

    crew_id: int | None = Field(
        default=None, foreign_key="rel_crew.id", primary_key=True
    )
    mission_id: int | None = Field(
        default=None, foreign_key="rel_mission.id", primary_key=True
    )
    role: str = Field(default="crew", max_length=40)


class Outpost(SQLModel, table=True):
    __tablename__ = "rel_base"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True, index=True)

    crew: list["Crew"] = Relationship(back_populates="base")


class Ship(SQLModel, table=True):
    __tablename__ = "rel_ship"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True, index=True)

    crew: list["Crew"] = Relationship(back_populates="ship")


class Dock(SQLModel, table=True):
    """Referred to by a bare foreign key only."""

    __tablename__ = "rel_dock"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True, index=True)


class Skill(SQLModel, table=True):
    __tablename__ = "rel_skill"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True, index=True)

    crew: list["Crew"] = Relationship(back_populates="skills", link_model=CrewSkillLink)


class Mission(SQLModel, table=True):
    __tablename__ = "rel_mission"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True, index=True)

    crew: list["Crew"] = Relationship(back_populates="missions", link_model=Assignment)


class Crew(SQLModel, table=True):
    __tablename__ = "rel_crew"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, index=True)
    # Required many-to-one.
    ship_id: int = Field(foreign_key="rel_ship.id", index=True)
    # Optional many-to-one.
    base_id: int | None = Field(default=None, foreign_key="rel_base.id", index=True)
    # A plain foreign key: no Relationship.
    dock_id: int | None = Field(default=None, foreign_key="rel_dock.id", index=True)

    ship: Ship | None = Relationship(back_populates="crew")
    base: Outpost | None = Relationship(back_populates="crew")
    skills: list[Skill] = Relationship(back_populates="crew", link_model=CrewSkillLink)
    missions: list[Mission] = Relationship(back_populates="crew", link_model=Assignment)
