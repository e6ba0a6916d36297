"""Values as people read them (admin_app/display.py) and the parsing of typed
tags, addresses and durations (admin_app/forms/type_fields.py), without a database."""

import ipaddress
import re
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqladmin.helpers import parse_interval
from sqlalchemy import Date, Integer, Numeric, Text, Uuid
from sqlalchemy.types import TypeEngine

from admin_app.display import iso_duration, json_value, readable
from admin_app.forms.type_fields import tag_parser

KEY = uuid.UUID("5c1a0000-0000-4000-8000-00000000a001")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (["t0", "alpha"], "t0, alpha"),
        (("t0", "alpha"), "t0, alpha"),
        ({"b", "a"}, "a, b"),
        ([ipaddress.ip_address("10.0.0.1")], "10.0.0.1"),
        ([[1, 2], {"k": "v"}, None], '[1, 2], {"k": "v"}, '),
        ({"a": 1, "s": {"x"}, "é": None}, '{"a": 1, "s": ["x"], "é": null}'),
        (ipaddress.ip_interface("10.0.0.1/24"), "10.0.0.1/24"),
        (ipaddress.ip_network("2001:db8::/32"), "2001:db8::/32"),
        (timedelta(days=1, hours=2, minutes=3, seconds=4), "1 day, 2:03:04"),
        ([], ""),
        ("text", "text"),
        (5, 5),
    ],
)
def test_readable_shows_values_not_reprs(value: object, shown: object) -> None:
    assert readable(value) == shown


@pytest.mark.parametrize(
    ("value", "exported"),
    [
        ({"b", "a"}, ["a", "b"]),
        (timedelta(days=1, hours=2, minutes=3, seconds=4), "P1DT2H3M4S"),
        (timedelta(minutes=18), "PT18M"),
        (timedelta(0), "PT0S"),
        (timedelta(hours=-1), "-PT1H"),
        (timedelta(seconds=1, microseconds=500000), "PT1.5S"),
        (ipaddress.ip_address("::1"), "::1"),
        (["kept"], ["kept"]),
    ],
)
def test_json_value_is_typed(value: object, exported: object) -> None:
    assert json_value(value) == exported


def test_iso_durations_read_back_as_the_same_duration() -> None:
    for value in (timedelta(days=3, seconds=61), timedelta(seconds=-90)):
        assert parse_interval(iso_duration(value)) == value


@pytest.mark.parametrize(
    ("item_type", "tag", "item"),
    [
        (Integer(), " 7", 7),
        (Numeric(), "1.50", Decimal("1.50")),
        (Uuid(), str(KEY), KEY),
        (Date(), "2024-02-29", date(2024, 2, 29)),
        (Text(), " spaced ", " spaced "),
    ],
)
def test_a_tag_is_parsed_as_the_arrays_item_type(
    item_type: TypeEngine[Any], tag: str, item: object
) -> None:
    assert tag_parser(item_type)(tag) == item


@pytest.mark.parametrize(
    ("item_type", "tag", "message"),
    [
        (Integer(), "x", "x is not a valid whole number."),
        (Numeric(), "NaNx", "NaNx is not a valid number."),
        (Uuid(), "nope", "nope is not a valid UUID."),
        (Date(), "2023-02-29", "2023-02-29 is not a valid date (YYYY-MM-DD)."),
    ],
)
def test_a_tag_that_is_no_item_is_refused_by_name(
    item_type: TypeEngine[Any], tag: str, message: str
) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        tag_parser(item_type)(tag)
