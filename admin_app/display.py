"""Column values as people read them: in lists, on detail pages and in exports.

``str()`` of a Python container prints reprs (``['t0', 'alpha']``,
``[IPv4Address('10.0.0.1')]``, ``{'a': 1}``); a page or a CSV cell shows the
values instead: an array's items joined by ``, `` (a set's sorted), a JSON
object as JSON, addresses and durations as they are typed into forms
(``10.0.0.1``, ``1 day, 2:03:04``). A JSON export keeps them typed: arrays as
arrays, a duration in ISO 8601 (``P1DT2H3M4S``), an address as text.

A date-time reads in the admin's display zone (``ADMIN_TIMEZONE``), to the
second, with the zone: ``2026-11-26 19:18:41 CET``, whatever its column keeps
(a naive value is UTC, as :mod:`admin_app.moments` stores it). A JSON value on
a detail page is pretty-printed in a collapsible block.
"""

import ipaddress
import json
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from markupsafe import Markup, escape
from sqladmin.i18n import gettext, ngettext

_ADDRESSES = (
    ipaddress.IPv4Address,
    ipaddress.IPv6Address,
    ipaddress.IPv4Interface,
    ipaddress.IPv6Interface,
    ipaddress.IPv4Network,
    ipaddress.IPv6Network,
)
# Plain containers only: a relation's collection (an InstrumentedList) is the
# list page's to link item by item.
_ARRAYS = (list, tuple, set, frozenset)


def readable(value: Any) -> Any:
    """``value`` as text where ``str()`` would print reprs; else unchanged."""
    kind = type(value)
    if kind in _ARRAYS:
        items = sorted(value, key=str) if kind in (set, frozenset) else value
        return ", ".join(_item_text(item) for item in items)
    if kind is dict:
        return json.dumps(value, ensure_ascii=False, default=_nested)
    if isinstance(value, (timedelta, *_ADDRESSES)):
        return str(value)
    return value


def _item_text(item: Any) -> str:
    if item is None:
        return ""
    if isinstance(item, (*_ARRAYS, dict)):
        return json.dumps(item, ensure_ascii=False, default=_nested)
    return str(readable(item))


def _nested(value: Any) -> Any:
    """Inside a JSON text: sets as lists, everything else as its text."""
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


def json_value(value: Any) -> Any:
    """A JSON export's value for what ``json`` can't encode itself, or
    ``value`` unchanged."""
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if isinstance(value, timedelta):
        return iso_duration(value)
    if isinstance(value, _ADDRESSES):
        return str(value)
    return value


def iso_duration(value: timedelta) -> str:
    """ISO 8601: ``P1DT2H3M4S``; ``-PT1H`` for a negative duration."""
    sign = "-" if value < timedelta(0) else ""
    value = abs(value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{sign}P{value.days}D" if value.days else f"{sign}P"
    time = ""
    if hours:
        time += f"{hours}H"
    if minutes:
        time += f"{minutes}M"
    if seconds or value.microseconds:
        fraction = (
            f".{value.microseconds:06d}".rstrip("0") if value.microseconds else ""
        )
        time += f"{seconds}{fraction}S"
    if time:
        text += "T" + time
    return text if text not in ("P", "-P") else "PT0S"


def moment_text(value: datetime, zone: tzinfo) -> str:
    """``value`` in ``zone``, to the second, with the zone's abbreviation."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z")


def moment_in(value: datetime, zone: tzinfo) -> datetime:
    """``value`` (naive: UTC) as the same instant in ``zone``, to the second."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone).replace(microsecond=0)


def is_json_document(value: Any) -> bool:
    """An object, or an array holding objects or arrays: worth laying out."""
    if type(value) is dict:
        return True
    return type(value) is list and any(type(item) in (dict, list) for item in value)


def json_block(value: Any) -> Markup:
    """A JSON document as a detail page shows it: indented, in a ``<details>``
    block whose summary counts its entries (open when it is short)."""
    text = json.dumps(value, ensure_ascii=False, indent=2, default=_nested)
    count = len(value)
    summary = (
        ngettext("%(num)s key", "%(num)s keys", count)
        if isinstance(value, dict)
        else ngettext("%(num)s item", "%(num)s items", count)
    ) % {"num": count}
    opened = " open" if text.count("\n") < JSON_OPEN_LINES else ""
    html = (
        f'<details class="admin-app-json" data-role="json"{opened}>'
        f"<summary>{escape(summary)}</summary>"
        f'<pre class="mb-0 text-wrap">{escape(text)}</pre></details>'
    )
    return Markup(html)  # noqa: S704 (its texts escaped above)


# A JSON block up to this many lines is shown open.
JSON_OPEN_LINES = 12


def bool_marks(value: bool) -> Markup:
    """sqladmin's ✓ and ✗ for a bool cell, with the word a screen reader says
    (the icons alone say nothing) and a tooltip."""
    word = gettext("Yes") if value else gettext("No")
    icon = "fa-check text-success" if value else "fa-times text-danger"
    return Markup(
        '<i class="fa-solid {}" aria-hidden="true" title="{}"></i>'
        '<span class="visually-hidden">{}</span>'
    ).format(icon, word, word)
