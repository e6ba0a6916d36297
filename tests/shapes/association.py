"""Association objects: an enrolment links a student and a course and keeps a
grade of its own, reached from both sides (``Student.enrolments``,
``Course.enrolments``), beside a plain many-to-many through a link table
(``link_model``)."""

from sqlmodel import Field, Relationship, Session, SQLModel

DIALECTS = ("sqlite", "postgresql")


class ClubLink(SQLModel, table=True):
    __tablename__ = "association_club_link"

    student_id: int | None = Field(
        default=None, foreign_key="association_student.id", primary_key=True
    )
    club_id: int | None = Field(
        default=None, foreign_key="association_club.id", primary_key=True
    )


class Enrolment(SQLModel, table=True):
    __tablename__ = "association_enrolment"

    student_id: int | None = Field(
        default=None, foreign_key="association_student.id", primary_key=True
    )
    course_id: int | None = Field(
        default=None, foreign_key="association_course.id", primary_key=True
    )
    grade: str | None = Field(default=None, max_length=2)

    student: "Student" = Relationship(back_populates="enrolments")
    course: "Course" = Relationship(back_populates="enrolments")


class Student(SQLModel, table=True):
    __tablename__ = "association_student"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, index=True)

    enrolments: list[Enrolment] = Relationship(back_populates="student")
    clubs: list["AfterSchoolClub"] = Relationship(
        back_populates="members", link_model=ClubLink
    )


class Course(SQLModel, table=True):
    __tablename__ = "association_course"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=80, unique=True, index=True)

    enrolments: list[Enrolment] = Relationship(back_populates="course")


class AfterSchoolClub(SQLModel, table=True):
    __tablename__ = "association_club"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True, index=True)

    members: list[Student] = Relationship(back_populates="clubs", link_model=ClubLink)


def seed(session: Session) -> None:
    zoe = Student(name='Zoë <b>&"')
    yan = Student(name="Yan")
    maths, art = Course(title="Maths"), Course(title="Art")
    chess = AfterSchoolClub(name="Chess", members=[zoe, yan])
    session.add_all(
        [
            zoe,
            yan,
            maths,
            art,
            chess,
            AfterSchoolClub(name="Choir"),
            Enrolment(student=zoe, course=maths, grade="A"),
            Enrolment(student=yan, course=maths),
        ]
    )


CREATE = {
    "student": {"name": "Xia", "clubs": ["", "1"]},
    "course": {"title": "Music"},
    "after-school-club": {"name": "Drama", "members": ["", "2"]},
    "enrolment": {"student": "1", "course": "2", "grade": "B"},
    "club-link": {"student_id": "2", "club_id": "2"},
}
