"""Days, weeks and months as a chart's axis lists them."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from admin_app.dashboard.periods import (
    EVERY,
    bucket,
    last_periods,
    parse_day,
    period_start,
)
from tests.sample_models import Club, Member


def test_periods_end_with_the_one_holding_the_day() -> None:
    friday = date(2026, 12, 4)
    assert last_periods(3, "day", friday) == [
        date(2026, 12, 2),
        date(2026, 12, 3),
        friday,
    ]
    assert last_periods(2, "week", friday) == [date(2026, 11, 23), date(2026, 11, 30)]
    assert last_periods(3, "month", date(2026, 1, 31)) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
    ]


@pytest.mark.parametrize(
    ("day", "every", "start"),
    [
        (date(2026, 11, 30), "week", date(2026, 11, 30)),  # a Monday
        (date(2026, 12, 6), "week", date(2026, 11, 30)),  # a Sunday
        (date(2024, 2, 29), "month", date(2024, 2, 1)),
        (date(2024, 2, 29), "day", date(2024, 2, 29)),
    ],
)
def test_a_period_starts_on_monday_or_the_first(
    day: date, every: str, start: date
) -> None:
    assert period_start(day, every) == start  # type: ignore[arg-type]


def test_buckets_as_databases_return_them() -> None:
    assert parse_day("2026-12-04") == date(2026, 12, 4)
    assert parse_day("2026-12-04 00:00:00") == date(2026, 12, 4)
    assert parse_day(date(2026, 12, 4)) == date(2026, 12, 4)
    assert parse_day("not a day") is None
    assert parse_day(None) is None


def test_the_period_after_each_kind() -> None:
    from admin_app.dashboard.periods import following

    assert following(date(2026, 12, 31), "day") == date(2027, 1, 1)
    assert following(date(2026, 11, 30), "week") == date(2026, 12, 7)
    assert following(date(2026, 1, 1), "month") == date(2026, 2, 1)
    assert following(date(2026, 12, 1), "month") == date(2027, 1, 1)


# Sunday late (UTC), the last of a month and a year, a leap day, a Monday.
MOMENTS = [
    datetime(2026, 12, 6, 23, 30, tzinfo=UTC),
    datetime(2025, 12, 31, 23, 59, tzinfo=UTC),
    datetime(2024, 2, 29, 0, 0, tzinfo=UTC),
    datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
]


def test_each_database_groups_a_value_in_the_period_it_starts_on(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        for n, moment in enumerate(MOMENTS):
            session.add(Club(name=f"Club {n}", founded=moment.date()))
            session.add(Member(email=f"m{n}@example.com", joined_at=moment))
        session.commit()
        dialect = engine.dialect.name
        for every in EVERY:
            for column, key in (
                (Club.founded, Club.name),
                (Member.joined_at, Member.email),
            ):
                period = bucket(column, every, dialect)
                rows = session.execute(select(period).order_by(key)).all()
                starts = [parse_day(row[0]) for row in rows]
                expected = [period_start(m.date(), every) for m in MOMENTS]
                assert starts == expected, (every, column)
