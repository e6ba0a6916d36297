"""Shape: the portable half of "arrays and PostgreSQL types".

Durations (``timedelta``, which sqlmodel maps to ``Interval``: PostgreSQL's
``INTERVAL``, a timestamp on SQLite), JSON columns holding an object and a
list, one of them called ``data`` (a name WTForms reserves for itself), and an
``enum.Enum`` as sqlmodel maps it by default.
"""

import enum
from datetime import timedelta
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, Session, SQLModel

DIALECTS = ("sqlite", "postgresql")
SECRETS = ("SECRET-HASH-VALUE",)


class PortableTypesKind(enum.Enum):
    short = "S"
    long = "L"


class PortableTypesTimer(SQLModel, table=True):
    __tablename__ = "portable_types_timer"

    id: int | None = Field(default=None, primary_key=True)
    label: str = Field(max_length=40, index=True)
    duration: timedelta
    pause: timedelta | None = None
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    steps: list[str] = Field(default_factory=list, sa_type=JSON)
    kind: PortableTypesKind = PortableTypesKind.short
    token_hash: str = Field(default="", max_length=200)


def seed(session: Session) -> None:
    session.add_all(
        [
            PortableTypesTimer(
                label="tea",
                duration=timedelta(minutes=4),
                pause=timedelta(days=1, hours=2, minutes=3, seconds=4),
                data={"cups": 2, "milk": None},
                steps=["boil", "steep"],
                kind=PortableTypesKind.long,
                token_hash="SECRET-HASH-VALUE",
            ),
            PortableTypesTimer(
                label="egg",
                duration=timedelta(seconds=390),
                token_hash="SECRET-HASH-VALUE",
            ),
        ]
    )
    session.commit()


CREATE: dict[str, dict[str, str | list[str]]] = {
    "portable-types-timer": {
        "label": "rice",
        "duration": "0:18:00",
        "pause": "P1DT30M",
        "data_": '{"water": "2 cups"}',  # WTForms reserves "data": sqladmin adds "_"
        "steps": '["rinse", "simmer"]',
        "kind": "long",
    },
}
