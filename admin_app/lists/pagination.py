"""A list page's rows and its links: Previous/Next by keyset, numbered pages by
offset, and the row count as sure as it is (see :mod:`admin_app.lists.counting`).

Whether another page follows is known exactly (each page reads one row more
than it shows), whatever the count says; numbered links go no further than
the count vouches for, and the Last link is there only when it is exact.
"""

import hashlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import URL

from admin_app.keys import format_key
from admin_app.lists.counting import EXACT_PARAM, EXACT_VALUE, RowCount
from admin_app.lists.keyset import AFTER, BEFORE

PAGE_LINKS_AROUND = 3
# ``page=last``: the last page, read from the end (admin_app.lists.listing).
LAST_PAGE = "last"
# Which list a page link belongs to: see :func:`fingerprint`.
LIST_PARAM = "list"
# Not carried from page to page: each link sets its own.
PAGING_PARAMS = (AFTER, BEFORE, LIST_PARAM, "page")
# Not which rows a list holds, nor their order: its export leaves them out
# (``columns``, the columns shown: admin_app.lists.columns).
NOT_THE_ROWS = (*PAGING_PARAMS, "pageSize", EXACT_PARAM, "columns")
_NOT_THE_LIST = {*PAGING_PARAMS, EXACT_PARAM, "error"}


def fingerprint(url: URL) -> str:
    """A short digest of what selects and orders a list's rows (filters,
    search, sort, page size): page links carry it, so a link followed after
    the list changed (a filter form keeps every other parameter) is noticed
    and starts again at page 1 instead of paging from a stale row."""
    params = sorted(
        (name, value)
        for name, value in parse_qsl(url.query, keep_blank_values=True)
        if name not in _NOT_THE_LIST
    )
    return hashlib.sha256(repr(params).encode()).hexdigest()[:8]


def is_stale(url: URL, given: str | None) -> bool:
    """Whether a page link's ``list`` digest is not this list's."""
    return given is not None and given != fingerprint(url)


@dataclass
class PageLink:
    number: int
    url: str


@dataclass
class ListPage:
    """What the list template renders below and around the rows."""

    rows: list[Any]
    page: int
    page_size: int
    count: RowCount
    has_next: bool
    has_previous: bool
    # Whether Previous/Next seek by key (a sorted list) or by offset.
    keyset: bool
    next_url: str = ""
    previous_url: str = ""
    exact_count_url: str = ""
    # Set when the count is exact and this is not the last page.
    last_url: str = ""
    page_controls: list[PageLink] = field(default_factory=list)

    @property
    def first_shown(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.rows else 0

    @property
    def last_shown(self) -> int:
        return (self.page - 1) * self.page_size + len(self.rows)

    @property
    def known_pages(self) -> int:
        """Pages the count vouches for (at least this one)."""
        return max(self.page, -(-self.count.value // self.page_size))

    def page_at_size(self, page_size: int) -> int:
        """The page holding this page's first row at another page size."""
        return (self.page - 1) * self.page_size // page_size + 1

    def add_links(self, url: URL) -> None:
        """Fill in the links, from the list's own URL."""
        base = url.remove_query_params(PAGING_PARAMS).include_query_params(
            **{LIST_PARAM: fingerprint(url)}
        )
        if self.has_next:
            after = {AFTER: _identifier(self.rows[-1])} if self.keyset else {}
            self.next_url = str(base.include_query_params(page=self.page + 1, **after))
        if self.has_previous:
            previous = self.page - 1
            # Page 1 by offset is as cheap as by key, and a plain URL.
            before = (
                {BEFORE: _identifier(self.rows[0])}
                if self.keyset and previous > 1 and self.rows
                else {}
            )
            self.previous_url = str(base.include_query_params(page=previous, **before))
        if not self.count.exact:
            self.exact_count_url = str(
                url.include_query_params(**{EXACT_PARAM: EXACT_VALUE})
            )
        if self.count.exact and self.has_next:
            self.last_url = str(base.include_query_params(page=LAST_PAGE))
        last = self.known_pages
        if self.has_next:
            last = max(last, self.page + 1)
        low = max(1, self.page - PAGE_LINKS_AROUND)
        high = min(last, self.page + PAGE_LINKS_AROUND)
        self.page_controls = [
            PageLink(number, str(base.include_query_params(page=number)))
            for number in range(low, high + 1)
        ]


def _identifier(row: Any) -> str:
    return format_key(row)
