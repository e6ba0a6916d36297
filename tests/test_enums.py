"""Enum values the code doesn't know: read as text for registered models only."""

import enum

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select
from sqlalchemy import Enum as SAEnum

from admin_app.enums import tolerate_unknown_values, unknown_choice
from tests.form_models import Colour, Gadget


class Mood(enum.Enum):
    calm = "calm"


def test_unregistered_enums_stay_strict_registered_ones_read_text() -> None:
    tolerate_unknown_values(Gadget)
    metadata = MetaData()
    strict = Table(
        "strict",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("mood", SAEnum(Mood)),
    )
    lenient = Table(
        "lenient",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("colour", SAEnum(Colour)),
    )
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO strict (id, mood) VALUES (1, 'angry')")
        connection.exec_driver_sql(
            "INSERT INTO lenient (id, colour) VALUES (1, 'purple')"
        )
        connection.execute(insert(lenient).values(id=2, colour=Colour.green))
        assert connection.execute(
            select(lenient.c.colour).order_by(lenient.c.id)
        ).scalars().all() == ["purple", Colour.green]
        with pytest.raises(LookupError):
            connection.execute(select(strict.c.mood)).all()


def test_unknown_choice() -> None:
    choices = [("red", "red"), ("green", "green")]
    assert unknown_choice(choices, "purple")
    assert not unknown_choice(choices, Colour.red)
    assert not unknown_choice(choices, None) and not unknown_choice(choices, "")
