"""Values as people read them (admin_app/display.py) and the parsing of typed
tags, addresses and durations (admin_app/forms/type_fields.py), without a database."""

import ipaddress
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqladmin.helpers import parse_interval
from sqlalchemy import Date, Integer, Numeric, Text, Uuid
from sqlalchemy.types import TypeEngine

from admin_app.display import (
    is_json_document,
    iso_duration,
    json_block,
    json_value,
    moment_text,
    readable,
)
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


# Date-times in the display zone; JSON on detail pages.

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        # Winter and summer: the zone's abbreviation follows the date.
        (
            datetime(2026, 11, 26, 18, 18, 41, 488234, tzinfo=UTC),
            "2026-11-26 19:18:41 CET",
        ),
        (datetime(2026, 7, 1, 12, 0, 0, tzinfo=UTC), "2026-07-01 14:00:00 CEST"),
        # Naive values are UTC, as the admin stores them.
        (datetime(2026, 11, 26, 18, 18, 41, 999999), "2026-11-26 19:18:41 CET"),
        # An aware value in another zone is the same instant.
        (
            datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("America/New_York")),
            "2026-11-26 16:00:00 CET",
        ),
    ],
)
def test_moment_text_is_to_the_second_in_the_display_zone(
    value: datetime, shown: str
) -> None:
    assert moment_text(value, PARIS) == shown


def test_moment_text_in_utc_says_utc() -> None:
    assert moment_text(datetime(2026, 1, 2, 3, 4, 5), UTC) == "2026-01-02 03:04:05 UTC"


def test_json_documents_are_laid_out_escaped_and_collapsible() -> None:
    assert is_json_document({"a": 1})
    assert is_json_document([{"a": 1}])
    assert not is_json_document(["t0", "alpha"])  # an array of words reads inline
    assert not is_json_document("{}")

    block = str(json_block({"cost_center": "CC-1", "tags": ["<b>", "é"]}))
    assert block.startswith('<details class="admin-app-json" data-role="json" open>')
    assert "<summary>2 keys</summary>" in block
    assert "&#34;cost_center&#34;: &#34;CC-1&#34;,\n  &#34;tags&#34;: [" in block
    assert "&lt;b&gt;" in block and "<b>" not in block and "é" in block

    long = str(json_block({f"k{n}": n for n in range(30)}))
    assert " open>" not in long and "<summary>30 keys</summary>" in long
    assert "<summary>1 item</summary>" in str(json_block([{"a": 1}]))
