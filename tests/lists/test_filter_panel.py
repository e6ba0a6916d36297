"""Filters people can use, over plain HTTP on the demo's orders: foreign keys
picked by name (several at once, a key typed by hand still read), periods and
from/to dates, number ranges, counts per value that never scan a big list,
chips that remove one filter each, and a search that reaches the requester's
name."""

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from admin_app.app import create_app
from admin_app.settings import Settings
from admin_app.views.inferred import AutoModelView
from models.tables import Order, OrderStatus, Project, Team, User
from tests.conftest import ADMIN_PASSWORD, StatementLog, login, make_settings
from tests.listing_pages import get_page

NOW = datetime.now(UTC)
# More users than a filter offers whole: the requester filter is a picker.
NAMES = ["Maya Lin", "Maya Ortiz", "Olivia Bianchi"] + [
    f"Zed {n:02}" for n in range(22)
]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path, models=["models"])


@pytest.fixture
def demo(engine: Engine) -> dict[str, Any]:
    """Six orders: by Maya Lin (2), Maya Ortiz, Olivia (3); two projects."""
    with Session(engine) as session:
        team = Team(name="Platform")
        session.add(team)
        session.flush()
        users = [
            User(email=f"u{n}@example.com", full_name=name, hashed_password="x")
            for n, name in enumerate(NAMES)
        ]
        projects = [Project(name="Apollo"), Project(name="Gemini")]
        session.add_all([*users, *projects])
        session.flush()
        rows = [
            # reference, requester, project, status, total, urgent, age in days
            ("PO-1", 0, 0, OrderStatus.draft, "5.00", True, 0),
            ("PO-2", 0, 1, OrderStatus.draft, "10.00", False, 3),
            ("PO-3", 1, 0, OrderStatus.submitted, "15.50", False, 30),
            ("PO-4", 2, 1, OrderStatus.draft, "20.00", True, 400),
            ("PO-5", 2, None, OrderStatus.cancelled, "99.99", False, 3),
            ("PO-6", 2, 0, OrderStatus.submitted, "100.00", False, 30),
        ]
        for reference, user, project, status, total, urgent, age in rows:
            session.add(
                Order(
                    reference=reference,
                    requester_id=users[user].id,
                    project_id=None if project is None else projects[project].id,
                    status=status,
                    total=Decimal(total),
                    is_urgent=urgent,
                    created_at=NOW - timedelta(days=age),
                )
            )
        session.commit()
        return {
            "users": [user.id for user in users],
            "projects": [project.id for project in projects],
        }


@pytest.fixture
def client(settings: Settings, engine: Engine, admin_user: str) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


def orders(page: str) -> list[str]:
    return sorted(set(re.findall(r"PO-[0-9]+", _table(page))))


def _table(page: str) -> str:
    return page[page.index("<tbody>") : page.index("</tbody>")]


def chips(page: str) -> dict[str, str]:
    """Each chip's text and the link that removes it."""
    found = re.findall(
        r'<a class="filter-chip[^"]*" href="([^"]*)"[^>]*>\s*(.*?)\s*<i', page, re.S
    )
    return {html.unescape(text): html.unescape(href) for href, text in found}


def alert(page: str) -> str:
    found = re.search(r'class="alert alert-danger"[^>]*>(.*?)</div>', page, re.S)
    return html.unescape(found.group(1)) if found else ""


def test_several_requesters_by_key_their_names_on_chips(
    client: TestClient, demo: dict[str, Any]
) -> None:
    lin, ortiz = demo["users"][:2]
    page = get_page(
        client, f"/admin/order/list?requester_id={lin}&requester_id={ortiz}&sortBy=id"
    )
    assert orders(page) == ["PO-1", "PO-2", "PO-3"]
    found = chips(page)
    assert set(found) == {"Requester: Maya Lin", "Requester: Maya Ortiz"}
    # Removing one chip keeps the other pick and the sort.
    page = get_page(client, found["Requester: Maya Lin"])
    assert orders(page) == ["PO-3"]
    assert "sortBy=id" in found["Requester: Maya Lin"]
    # Without JavaScript: the picks are selected options, labelled, beside a key box.
    picker = page[page.index('data-role="filter-picker"') :][:800]
    assert f'<option value="{ortiz}" selected>Maya Ortiz</option>' in picker
    assert 'name="requester_id" type="text"' in page


def test_a_key_typed_by_hand_and_old_links_still_filter(
    client: TestClient, demo: dict[str, Any]
) -> None:
    olivia = demo["users"][2]
    typed = get_page(client, f"/admin/order/list?requester_id=&requester_id={olivia}")
    assert orders(typed) == ["PO-4", "PO-5", "PO-6"]
    old = get_page(
        client, f"/admin/order/list?requester_id={olivia}&requester_id_op=equals"
    )
    assert orders(old) == ["PO-4", "PO-5", "PO-6"]


def test_a_name_typed_into_the_key_box_is_a_message_on_the_whole_list(
    client: TestClient, demo: dict[str, Any]
) -> None:
    page = get_page(
        client, "/admin/order/list?requester_id=Maya&requester_id_op=equals"
    )
    assert "“Requester” cannot use “Maya”" in alert(page)
    assert orders(page) == [f"PO-{n}" for n in range(1, 7)]
    assert not chips(page)
    # An export must hold what a list shows: it still refuses.
    assert client.get("/admin/order/export/csv?requester_id=Maya").status_code == 400


def test_the_filter_picker_finds_requesters_by_name(
    client: TestClient, demo: dict[str, Any]
) -> None:
    response = client.get("/admin/order/filter-lookup?name=requester_id&term=maya")
    assert response.status_code == 200
    found = response.json()
    assert [row["text"] for row in found["results"]] == ["Maya Lin", "Maya Ortiz"]
    assert found["results"][0]["id"] == str(demo["users"][0])
    assert (
        client.get("/admin/order/filter-lookup?name=status&term=d").status_code == 400
    )
    assert client.get("/admin/order/filter-lookup?name=requester_id").status_code == 400


def test_a_small_target_is_offered_whole_with_counts(
    client: TestClient, demo: dict[str, Any]
) -> None:
    apollo, gemini = demo["projects"]
    page = get_page(client, "/admin/order/list")
    cell = page[page.index('data-filter="project_id"') :][:3000]
    assert re.search(r"Apollo</span>\s*<span class=\"badge[^\"]*\">3</span>", cell)
    assert re.search(r"Gemini</span>\s*<span class=\"badge[^\"]*\">2</span>", cell)
    picked = get_page(client, f"/admin/order/list?project_id={apollo}")
    assert orders(picked) == ["PO-1", "PO-3", "PO-6"]
    cell = picked[picked.index('data-filter="project_id"') :][:3000]
    adding = re.search(r'href="([^"]*)">\s*<span class="text-truncate">Gemini', cell)
    assert adding is not None
    both = get_page(client, html.unescape(adding.group(1)))
    assert orders(both) == ["PO-1", "PO-2", "PO-3", "PO-4", "PO-6"]
    assert f"project_id={gemini}" in html.unescape(adding.group(1))


def test_enum_and_yes_no_values_are_counted_as_filtered(
    client: TestClient, demo: dict[str, Any]
) -> None:
    page = get_page(client, "/admin/order/list?is_urgent=false")
    status = page[page.index('data-filter="status"') :][:3000]
    counts = dict(
        re.findall(r"(\w+)</span>\s*<span class=\"badge[^\"]*\">([0-9,+]+)</", status)
    )
    assert {key: counts.get(key) for key in ("draft", "submitted", "cancelled")} == {
        "draft": "1",
        "submitted": "2",
        "cancelled": "1",
    }
    assert set(counts.values()) <= {"0", "1", "2"}
    urgent = page[page.index('data-filter="is_urgent"') :][:3000]
    assert re.search(r"No\s*</span>\s*<span class=\"badge[^\"]*\">4</span>", urgent)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("created_at=today&created_at_op=within", ["PO-1"]),
        ("created_at=last_7_days&created_at_op=within", ["PO-1", "PO-2", "PO-5"]),
        ("total_from=10&total_to=99.99", ["PO-2", "PO-3", "PO-4", "PO-5"]),
        ("total_from=100", ["PO-6"]),
    ],
)
def test_periods_and_ranges(
    client: TestClient, demo: dict[str, Any], query: str, expected: list[str]
) -> None:
    assert orders(get_page(client, f"/admin/order/list?{query}")) == expected


def test_from_and_to_days_are_whole_days(
    client: TestClient, demo: dict[str, Any]
) -> None:
    low = (NOW - timedelta(days=30)).date().isoformat()
    high = (NOW - timedelta(days=3)).date().isoformat()
    page = get_page(
        client, f"/admin/order/list?created_at_from={low}&created_at_to={high}"
    )
    assert orders(page) == ["PO-2", "PO-3", "PO-5", "PO-6"]
    assert set(chips(page)) == {f"Created at: from {low}", f"Created at: to {high}"}


def test_three_chips_and_clear_all(client: TestClient, demo: dict[str, Any]) -> None:
    olivia = demo["users"][2]
    page = get_page(
        client,
        f"/admin/order/list?requester_id={olivia}&status=submitted"
        "&total_from=50&search=PO&sortBy=id&sort=desc",
    )
    assert orders(page) == ["PO-6"]
    assert set(chips(page)) == {
        "Requester: Olivia Bianchi",
        "Status: submitted",
        "Total: from 50",
        "Search: PO",
    }
    clear = re.search(r'id="filter-clear-all"[^>]*href="([^"]*)"', page) or re.search(
        r'href="([^"]*)"[^>]*id="filter-clear-all"', page
    )
    assert clear is not None
    assert html.unescape(clear.group(1)).endswith(
        "/admin/order/list?sortBy=id&sort=desc"
    )


def test_search_reaches_the_requesters_name(
    client: TestClient, demo: dict[str, Any], statements: StatementLog
) -> None:
    statements.clear()
    page = get_page(client, "/admin/order/list?search=Maya")
    assert orders(page) == ["PO-1", "PO-2", "PO-3"]
    listed = next(sql for sql in statements if "FROM app_user" in sql and "IN" in sql)
    assert "LIMIT" in listed
    assert orders(get_page(client, "/admin/order/list?search=Olivia Bi")) == [
        "PO-4",
        "PO-5",
        "PO-6",
    ]
    assert orders(get_page(client, "/admin/order/list?search=Apollo")) == [
        "PO-1",
        "PO-3",
        "PO-6",
    ]
    assert orders(get_page(client, "/admin/order/list?search=PO-2")) == ["PO-2"]
    placeholder = re.search(r'id="search-input"[^>]*placeholder="([^"]*)"', page)
    assert placeholder and "Requester" in placeholder.group(1)


class SmallCapOrders(AutoModelView, model=Order):
    """The demo's orders, "big" past two rows."""

    count_cap = 2


def test_counts_on_a_big_list_read_at_most_the_cap_and_never_group_it(
    client_with: Any, demo: dict[str, Any], statements: StatementLog
) -> None:
    client = client_with(SmallCapOrders)
    statements.clear()
    page = get_page(client, "/admin/order/list?pageSize=25")
    status = page[page.index('data-filter="status"') :][:3000]
    assert re.search(r"draft</span>\s*<span class=\"badge[^\"]*\">2\+</span>", status)
    assert re.search(r"submitted</span>\s*<span class=\"badge[^\"]*\">2</", status)
    assert re.search(r"approved</span>\s*<span class=\"badge[^\"]*\">0</span>", status)
    urgent = page[page.index('data-filter="is_urgent"') :][:1500]
    assert "badge" not in urgent  # no index: not counted on a big list
    assert not any("GROUP BY" in sql for sql in statements)
    first = len(statements)
    # Narrowed and still big: no counts at all.
    statements.clear()
    page = get_page(client, "/admin/order/list?status=draft&pageSize=25")
    status = page[page.index('data-filter="status"') :][:3000]
    assert "badge" not in status
    assert len(statements) < first


def test_statements_per_page_do_not_grow_with_the_page(
    client: TestClient, demo: dict[str, Any], statements: StatementLog
) -> None:
    olivia = demo["users"][2]
    counts = []
    for query in (
        f"pageSize=25&requester_id={olivia}",
        f"pageSize=100&requester_id={olivia}",
        f"pageSize=2&page=2&requester_id={olivia}",
    ):
        statements.clear()
        get_page(client, f"/admin/order/list?{query}")
        counts.append(len(statements))
    assert counts[0] == counts[1] == counts[2]


def test_a_chosen_value_is_counted_from_the_list_count(
    client: TestClient, demo: dict[str, Any], statements: StatementLog
) -> None:
    statements.clear()
    page = get_page(client, "/admin/order/list?status=draft")
    status = page[page.index('data-filter="status"') :][:3000]
    assert re.search(r"draft\s*</span>\s*<span class=\"badge[^\"]*\">3</", status)
    assert re.search(r"cancelled</span>\s*<span class=\"badge[^\"]*\">0</", status)
    grouped = [sql for sql in statements if "GROUP BY" in sql]
    assert not any("purchase_order.status AS status" in sql for sql in grouped)
    assert any("purchase_order.is_urgent AS is_urgent" in sql for sql in grouped)
