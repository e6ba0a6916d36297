"""Widget data kept for its seconds, failures never kept."""

import asyncio

import pytest

from admin_app.dashboard.cache import MAX_ENTRIES, WidgetCache


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_data_is_kept_for_its_seconds_and_failures_are_not() -> None:
    clock = Clock()
    cache = WidgetCache(clock)
    reads: list[int] = []

    async def load() -> int:
        reads.append(1)
        return len(reads)

    async def fail() -> int:
        raise RuntimeError("down")

    async def run() -> None:
        assert await cache.get("a", 10, load) == 1
        assert await cache.get("a", 10, load) == 1
        clock.now = 10.5
        assert await cache.get("a", 10, load) == 2
        assert await cache.get("b", 0, load) == 3
        assert await cache.get("b", 0, load) == 4  # 0: never kept
        with pytest.raises(RuntimeError):
            await cache.get("c", 10, fail)
        assert await cache.get("c", 10, load) == 5

    asyncio.run(run())


def test_the_oldest_entries_go_past_the_bound() -> None:
    cache = WidgetCache(Clock())

    async def run() -> None:
        async def one() -> int:
            return 1

        for key in range(MAX_ENTRIES + 5):
            await cache.get(key, 60, one)

    asyncio.run(run())
    assert len(cache._entries) == MAX_ENTRIES
    assert 0 not in cache._entries and MAX_ENTRIES + 4 in cache._entries
