"""Shape: PostgreSQL's own column types, in a module with its own registry.

Real projects on PostgreSQL use ``ARRAY`` columns (``set[str]`` tags,
``list[int]`` scores, through ``sa_column=Column(ARRAY(...))``), ``JSONB``,
``INET``/``CIDR`` addresses, ``INTERVAL`` durations, a ``TSVECTOR`` search
column the database maintains, and enums both as SQLAlchemy's
``Enum(native_enum=True)`` and as sqlmodel maps an ``enum.Enum`` annotation.
Each must list, show, edit and export as values, never as Python reprs.
"""

import enum
import ipaddress
from datetime import timedelta
from typing import Any

from pydantic import IPvAnyNetwork
from sqlalchemy import Column, Integer, Text
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects.postgresql import ARRAY, CIDR, INET, INTERVAL, JSONB, TSVECTOR
from sqlalchemy.orm import registry
from sqlmodel import Field, Session, SQLModel, text

DIALECTS = ("postgresql",)
SECRETS = ("SECRET-HASH-VALUE",)


class PgTypesBase(SQLModel, registry=registry()):
    """Tables here stay out of ``SQLModel.metadata`` (SQLite creates those)."""


class PgTypesStage(enum.Enum):
    draft = "DRAFT"
    live = "LIVE"


class PgTypesMood(str, enum.Enum):  # noqa: UP042 (the shape real code has)
    calm = "calm"
    busy = "busy"


class PgTypesRecord(PgTypesBase, table=True):
    __tablename__ = "pg_types_record"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, index=True)
    tags: set[str] = Field(default_factory=set, sa_column=Column(ARRAY(Text)))
    scores: list[int] = Field(
        default_factory=list, sa_column=Column(ARRAY(Integer), nullable=False)
    )
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB))
    address: str | None = Field(default=None, sa_column=Column(INET))
    network: IPvAnyNetwork | None = Field(default=None, sa_column=Column(CIDR))
    duration: timedelta | None = Field(default=None, sa_column=Column(INTERVAL))
    search: str | None = Field(default=None, sa_column=Column(TSVECTOR))
    stage: PgTypesStage = Field(
        default=PgTypesStage.draft,
        sa_column=Column(
            SAEnum(PgTypesStage, native_enum=True, name="pg_types_stage"),
            nullable=False,
        ),
    )
    mood: PgTypesMood = PgTypesMood.calm
    password_hash: str = Field(default="", max_length=200)


def seed(session: Session) -> None:
    session.add_all(
        [
            PgTypesRecord(
                name="alpha",
                tags=["t0", "alpha"],  # type: ignore[arg-type]
                scores=[3, 1, 2],
                data={"a": 1, "nested": {"b": [1, 2]}},
                address="10.0.0.1",
                network=ipaddress.ip_network("10.1.0.0/16"),
                duration=timedelta(days=1, hours=2, minutes=3, seconds=4),
                stage=PgTypesStage.live,
                mood=PgTypesMood.busy,
                password_hash="SECRET-HASH-VALUE",
            ),
            PgTypesRecord(name="beta", password_hash="SECRET-HASH-VALUE"),
        ]
    )
    session.flush()
    # The database maintains the search column (a trigger, in real projects).
    session.execute(
        text("UPDATE pg_types_record SET search = to_tsvector('simple', name)")
    )
    session.commit()


CREATE: dict[str, dict[str, str | list[str]]] = {
    "pg-types-record": {
        "name": "gamma",
        "tags": ["", "red", "blue"],
        "scores": ["", "7", "8"],
        "data_": '{"k": "v"}',  # WTForms reserves "data": sqladmin adds "_"
        "address": "192.168.1.20",
        "network": "192.168.0.0/24",
        "duration": "2 days, 0:30:00",
        "stage": "live",
        "mood": "busy",
    },
}
