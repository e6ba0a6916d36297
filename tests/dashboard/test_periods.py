"""Days, weeks and months as a chart's axis lists them."""

from datetime import date

import pytest

from admin_app.dashboard.periods import last_periods, parse_day, period_start


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
