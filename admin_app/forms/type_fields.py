"""Form fields for column types sqladmin's converter has no good field for:
PostgreSQL's network addresses, durations, and the items of an array.

Each parses what a person types into what the column stores, and refuses
anything else with a message by the field (WTForms' ``process_formdata``
raising ``ValueError``), so a bad value never reaches the database.
"""

import ipaddress
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqladmin.fields import IntervalField
from sqladmin.helpers import parse_interval
from sqladmin.i18n import gettext, lazy_gettext
from sqlalchemy.types import TypeEngine
from wtforms import StringField

DURATION_HINT = lazy_gettext("Like 1 day, 2:03:04 or P1DT2H3M4S")
_NOT_A_DURATION = lazy_gettext(
    "Enter a duration like 1 day, 2:03:04 (days, hours:minutes:seconds) "
    "or P1DT2H3M4S (ISO 8601)."
)
_NOT_AN_ADDRESS = lazy_gettext(
    "Enter an IP address such as 10.0.0.1, optionally with its network (10.0.0.1/24)."
)
_NOT_A_NETWORK = lazy_gettext(
    "Enter a network such as 10.0.0.0/24, with no bits set after the mask."
)


def _typed(valuelist: list[Any]) -> str | None:
    """The submitted text, or None for an empty input."""
    text = str(valuelist[0]).strip() if valuelist else ""
    return text or None


class AddressField(StringField):  # type: ignore[misc]  # wtforms is untyped
    """An ``INET`` value: a host address, with or without its network."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = _typed(valuelist)
        if self.data is not None:
            try:
                ipaddress.ip_interface(self.data)
            except ValueError:
                raise ValueError(str(_NOT_AN_ADDRESS)) from None


class NetworkField(StringField):  # type: ignore[misc]
    """A ``CIDR`` value: a network, as PostgreSQL requires it (no host bits)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = _typed(valuelist)
        if self.data is not None:
            try:
                ipaddress.ip_network(self.data, strict=True)
            except ValueError:
                raise ValueError(str(_NOT_A_NETWORK)) from None


class DurationField(IntervalField):
    """A ``timedelta``, shown as Python writes it (``1 day, 2:03:04``) and
    entered that way, in ISO 8601 (``P1DT2H3M4S``) or as PostgreSQL writes it
    (``1 day 02:03:04``); empty is no value."""

    data: Any

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = _typed(valuelist)
        self.data = None
        if text is not None:
            duration = parse_interval(text)
            if duration is None:
                self.data = text  # shown again as typed, with the error
                raise ValueError(str(_NOT_A_DURATION))
            self.data = duration

    def _value(self) -> str:
        if isinstance(self.data, timedelta):
            return str(self.data)
        return "" if self.data is None else str(self.data)


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None


# An array's item type → (parse one tag, what the error calls it).
_ITEM_PARSERS: dict[type, tuple[Callable[[str], Any], Any]] = {
    int: (int, lazy_gettext("whole number")),
    float: (float, lazy_gettext("number")),
    Decimal: (_decimal, lazy_gettext("number")),
    uuid.UUID: (uuid.UUID, lazy_gettext("UUID")),
    date: (date.fromisoformat, lazy_gettext("date (YYYY-MM-DD)")),
}


def _python_type(item_type: TypeEngine[Any]) -> type | None:
    try:
        return item_type.python_type
    except NotImplementedError:
        return None


def tag_parser(item_type: TypeEngine[Any]) -> Callable[[str], Any]:
    """What makes one typed tag an item of an array of ``item_type``; raises
    ``ValueError`` with a message for a tag that is not one."""
    python_type = _python_type(item_type)
    found = _ITEM_PARSERS.get(python_type) if python_type else None
    if found is None:
        return str
    parse, kind = found

    def parse_tag(tag: str) -> Any:
        try:
            return parse(tag.strip())
        except (TypeError, ValueError, ArithmeticError):
            message = gettext("%(tag)s is not a valid %(kind)s.")
            raise ValueError(message % {"tag": tag, "kind": kind}) from None

    return parse_tag
