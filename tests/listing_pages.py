"""Reading a list page's rows and links, for the list tests."""

import html
import re

from sqlalchemy import Engine
from starlette.testclient import TestClient

_ROW_KEY = re.compile(r'<td>\s*<input type="hidden" value="([^"]*)">')


def row_keys(page: str) -> list[str]:
    """The identifiers of the rows a list page shows, in order."""
    return [html.unescape(key) for key in _ROW_KEY.findall(page)]


def link(page: str, rel: str) -> str | None:
    """The href of the Previous (``prev``), Next (``next``) or Last (``last``)
    link, if enabled."""
    found = re.search(rf'<a class="page-link" rel="{rel}"[^>]* href="([^"]*)">', page)
    if found is None or found.group(1) == "#":
        return None
    return html.unescape(found.group(1))


def count_text(page: str) -> str:
    """The footer's "Showing … of N items" line, whitespace collapsed."""
    found = re.search(
        r'<p class="m-0 text-muted" id="list-count">(.*?)</p>', page, re.S
    )
    assert found, "no row count on the page"
    text = re.sub(r"<[^>]+>", " ", found.group(1))
    return " ".join(html.unescape(text).split())


def get_page(client: TestClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.text[:300])
    return response.text


def column_headings(page: str) -> list[str]:
    """The list table's column headings (after its two unnamed ones)."""
    head = re.search(r"<thead>(.*?)</thead>", page, re.S)
    assert head is not None, "no list table on the page"
    cells = re.findall(r"<th[^>]*>(.*?)</th>", head.group(1), re.S)
    texts = [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells[2:]]
    return [html.unescape(text) for text in texts]


def keeps_row_counts(engine: Engine) -> bool:
    """Whether the database keeps each table's row count as rows are written
    (MySQL/MariaDB's InnoDB, ``TABLE_ROWS``): no table is "never analysed"
    there, so a big unnarrowed list is estimated from the start."""
    return engine.dialect.name == "mysql"


def uncertain_count(engine: Engine, rows: int, cap: int) -> str:
    """How a list of ``rows`` rows, more than the ``cap``, says its size when
    its table was never analysed: estimated where the database keeps a row
    count, else counted up to the cap."""
    return f"of ≈ {rows:,} items" if keeps_row_counts(engine) else f"of {cap:,}+ items"
