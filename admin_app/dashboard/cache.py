"""Widget data kept in the process for a few seconds.

Keyed by the widget and the rights of whoever asked, not by user: everyone
with the same role and grants shares one read. A widget's failure is never
kept. Per process, like a page's own statements: each worker reads at most
once per widget, rights and ``cache_seconds``.
"""

import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

# Entries kept at most; the oldest go first past this.
MAX_ENTRIES = 512


class WidgetCache:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: dict[Hashable, tuple[float, Any]] = {}

    async def get(
        self, key: Hashable, seconds: int, load: Callable[[], Awaitable[Any]]
    ) -> Any:
        """The data kept under ``key`` if younger than ``seconds``, else
        ``load()``'s (kept unless ``seconds`` is 0)."""
        now = self._clock()
        found = self._entries.get(key)
        if seconds > 0 and found is not None and now - found[0] < seconds:
            return found[1]
        data = await load()
        if seconds > 0:
            self._entries.pop(key, None)
            self._entries[key] = (now, data)
            while len(self._entries) > MAX_ENTRIES:
                del self._entries[next(iter(self._entries))]
        return data

    def clear(self) -> None:
        self._entries.clear()
