"""Enums as models declare them: ``class PriorityEnum(str, enum.Enum)`` (the
pre-3.11 idiom, whose ``str()`` is ``PriorityEnum.MEDIUM``), ``enum.StrEnum``,
and a plain ``enum.Enum`` with integer values, each with names that differ from
their values. The admin shows the value everywhere: lists, details, exports,
filters, history."""

import enum

from sqlmodel import Field, Session, SQLModel

DIALECTS = ("sqlite", "postgresql")


class PriorityEnum(str, enum.Enum):  # noqa: UP042 (the shape under test)
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class TicketStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in progress"
    DONE = "done"


class Severity(enum.Enum):
    MINOR = 1
    MAJOR = 2


class EnumTicket(SQLModel, table=True):
    __tablename__ = "str_enums_ticket"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=80, index=True)
    priority: PriorityEnum = Field(default=PriorityEnum.MEDIUM, index=True)
    status: TicketStatus = TicketStatus.OPEN
    severity: Severity | None = None


def seed(session: Session) -> None:
    session.add_all(
        [
            EnumTicket(title='Löschen <b>&"', priority=PriorityEnum.HIGH),
            EnumTicket(
                title="Paint the shed",
                status=TicketStatus.IN_PROGRESS,
                severity=Severity.MAJOR,
            ),
        ]
    )


CREATE = {"enum-ticket": {"title": "Fix the gate", "priority": "LOW"}}
