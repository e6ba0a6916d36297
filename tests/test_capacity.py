"""What a column of each type can hold, on every supported database."""

from sqlalchemy import BigInteger, Integer, SmallInteger, String, Text

from admin_app.capacity import integer_range, max_length, storable_text


def test_integer_ranges_by_declared_type() -> None:
    assert integer_range(SmallInteger()) == (-(2**15), 2**15 - 1)
    assert integer_range(Integer()) == (-(2**31), 2**31 - 1)
    assert integer_range(BigInteger()) == (-(2**63), 2**63 - 1)


def test_lengths_and_text() -> None:
    assert max_length(String(20)) == 20
    assert max_length(Text()) is None
    assert storable_text("plain") and not storable_text("nul\x00")
