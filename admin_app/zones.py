"""The zone a person reads and types date-times in: the admin's
``ADMIN_TIMEZONE``, unless the signed-in user chose their own.

The user's zone is read with their session (:mod:`admin_app.auth.backend`) and
kept for the rest of the request in a context variable, so every part that
shows or reads a date-time (lists, details, forms, filters, exports, history)
asks one place, :func:`shown_zone`, without a request passed down to it.
"""

from contextvars import ContextVar
from datetime import tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

_viewer_zone: ContextVar[tzinfo | None] = ContextVar(
    "admin_app_viewer_zone", default=None
)


@cache
def known_zones() -> tuple[str, ...]:
    """The IANA zone names this machine knows, sorted, for a person to pick."""
    return tuple(sorted(available_timezones()))


def zone_named(name: str | None) -> ZoneInfo | None:
    """The zone called ``name``; None for no name or an unknown one."""
    if not name or name not in known_zones():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def use_viewer_zone(name: str | None) -> None:
    """For the rest of this request, show date-times in the zone ``name``
    (the signed-in user's choice; None: the admin's)."""
    _viewer_zone.set(zone_named(name))


def shown_zone(default: tzinfo) -> tzinfo:
    """The zone of this request: the user's own, else ``default``."""
    return _viewer_zone.get() or default
