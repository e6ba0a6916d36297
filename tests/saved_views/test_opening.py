"""Opening a saved view: the list of its parameters in the same request, as
many statements as the list it stands for; what no longer exists dropped
with a message; the user's views read with the user, one statement a page;
the sidebar and the palette list them."""

import html
import re
from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from admin_app.auth.models import AdminUser
from admin_app.saved_views import store
from admin_app.saved_views.models import SavedView
from tests.conftest import StatementLog
from tests.listing_pages import column_headings, get_page, row_keys
from tests.saved_views.helpers import save, sidebar_views, view_id


def keep(engine: Engine, username: str, query: str, name: str = "Old") -> int:
    """A view stored as an older version of the list saved it."""
    with Session(engine) as session:
        user = session.exec(
            select(AdminUser).where(col(AdminUser.username) == username)
        ).one()
        assert user.id is not None
        row = SavedView(model="member", name=name, owner_id=user.id, query=query)
        session.add(row)
        session.commit()
        assert row.id is not None
        return row.id


def test_what_a_view_names_that_is_gone_is_dropped_with_a_message(
    signed_in: Callable[[str], TestClient], people: Engine
) -> None:
    number = keep(
        people,
        "vera",
        "columns=email%2Cshoe_size%2Ctier&sortBy=shoe_size&sort=desc"
        "&tier=pro&colour=red&tier_op=bogus",
    )
    vera = signed_in("vera")
    response = vera.get(f"/admin/member/list?view={number}")
    assert response.status_code == 200, response.text[:300]
    page = response.text
    assert column_headings(page) == ["Email", "Tier"]
    assert len(row_keys(page)) == 3  # tier=pro still applies
    alert = re.search(
        r'<div class="alert alert-danger" role="alert">(.*?)</div>', page, re.S
    )
    assert alert is not None
    text = html.unescape(alert.group(1))
    for gone in ("shoe_size", "colour"):
        assert f"This saved view's “{gone}” no longer exists" in text
    # The page's own links hold what is left, not the view.
    assert "shoe_size" not in re.sub(
        r'<div class="alert.*?</div>', "", page, flags=re.S
    )


def test_opening_a_view_costs_what_its_list_costs(
    signed_in: Callable[[str], TestClient], people: Engine, statements: StatementLog
) -> None:
    vera = signed_in("vera")
    query = "tier=pro&sortBy=email&sort=desc&columns=email,tier"
    number = view_id(save(vera, query, "Pro")[1])
    get_page(vera, "/admin/")
    counts = {}
    for url in (f"/admin/member/list?{query}", f"/admin/member/list?view={number}"):
        statements.clear()
        get_page(vera, url)
        counts[url] = len(statements)
        views = [sql for sql in statements if "FROM admin_app_saved_view" in sql]
        assert len(views) == 1, views  # read with the user, once
        assert "LIMIT" in views[0]
    assert len(set(counts.values())) == 1, counts


def test_a_user_without_views_pays_no_bytes(
    signed_in: Callable[[str], TestClient], people: Engine
) -> None:
    eddie = signed_in("eddie")
    page = get_page(eddie, "/admin/member/list")
    assert "admin-nav-views" not in page
    assert re.search(r'data-dialogs-url="[^"?]*/palette/dialogs"', page)


def test_the_sidebar_lists_own_views_first_then_shared_ones(
    signed_in: Callable[[str], TestClient], people: Engine
) -> None:
    boss, vera = signed_in("boss"), signed_in("vera")
    save(boss, "tier=pro", "All pro", shared=True)
    save(vera, "tier=free", "Zed free")
    save(vera, "", "Alpha", model="club")
    page = get_page(vera, "/admin/")
    assert list(sidebar_views(page)) == ["Alpha", "Zed free", "All pro"]
    assert "(shared)" in page
    dialogs = re.search(r'data-dialogs-url="([^"]+)"', page)
    assert dialogs is not None and "?v=" in dialogs.group(1)
    listed = vera.get(html.unescape(dialogs.group(1)))
    assert listed.status_code == 200
    assert "Members: Zed free" in listed.text and "Members: All pro" in listed.text
    # The palette's page without JavaScript finds them too.
    found = get_page(vera, "/admin/palette?q=zed")
    assert "Members: Zed free" in found


def test_a_view_beyond_what_a_page_reads_still_opens(
    signed_in: Callable[[str], TestClient],
    people: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    vera = signed_in("vera")
    save(vera, "tier=free", "A free")
    number = view_id(save(vera, "tier=pro", "B pro")[1])
    monkeypatch.setattr(store, "READ_LIMIT", 1)
    page = get_page(vera, f"/admin/member/list?view={number}")
    assert len(row_keys(page)) == 3
    assert list(sidebar_views(page)) == ["A free"]
