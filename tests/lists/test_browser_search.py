"""In a real browser: the list's search box searches by prefix on Enter, by
'contains' when ticked, keeps the sort, and clears."""

from urllib.parse import parse_qs, urlsplit

from sqlalchemy import Engine
from sqlmodel import Session

from tests.sample_models import Tag

LABELS = ("Ada Lovelace", "Grace Hopper")


def shown(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The labels of the tags the list shows, in order."""
    rows = page.locator("tbody tr").all_inner_texts()
    return [label for row in rows for label in LABELS if label in row]


def query_of(page) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return parse_qs(urlsplit(page.url).query)


def test_enter_searches_and_contains_adds_match(page, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        session.add_all([Tag(label=label) for label in LABELS])
        session.commit()

    page.goto("/admin/tag/list?sortBy=label&sort=asc")
    search = page.locator("#search-input")
    assert "starts with" in (search.get_attribute("placeholder") or "")

    search.fill("ovel")
    search.press("Enter")
    page.wait_for_url("**search=ovel**")
    assert query_of(page) == {"sortBy": ["label"], "sort": ["asc"], "search": ["ovel"]}
    assert shown(page) == []  # not from the middle, by default

    page.check("#search-contains")
    assert "contains" in (search.get_attribute("placeholder") or "")
    search.press("Enter")
    page.wait_for_url("**match=contains**")
    query = query_of(page)
    assert query["search"] == ["ovel"] and query["match"] == ["contains"]
    assert query["sortBy"] == ["label"]
    assert shown(page) == ["Ada Lovelace"]
    assert page.locator("#search-contains").is_checked()
    assert page.locator("#search-input").input_value() == "ovel"

    page.click("#search-clear")
    page.wait_for_url(lambda url: "search=" not in url)
    assert query_of(page) == {"sortBy": ["label"], "sort": ["asc"]}
    assert shown(page) == ["Ada Lovelace", "Grace Hopper"]
