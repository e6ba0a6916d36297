"""In a real browser: choose a list's columns and their order by keyboard,
save the list as a shared view, and open it as another user from the
sidebar; without JavaScript the chooser and the save form work too. Each
new page and open menu passes axe-core's checks."""

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from admin_app.auth.models import Role
from admin_app.auth.users import create_user
from tests.browser import assert_accessible
from tests.conftest import ADMIN_PASSWORD
from tests.sample_models import Club, Member, Tier


@pytest.fixture
def members(engine: Engine) -> Engine:
    with Session(engine) as session:
        create_user(session, "vera", ADMIN_PASSWORD, Role.viewer)
        club = Club(name="Chess")
        session.add(club)
        session.flush()
        for n in range(6):
            session.add(
                Member(
                    email=f"m{n}@example.com",
                    nickname=f"nick{n}",
                    tier=Tier.pro if n % 2 else Tier.free,
                    club_id=club.id,
                )
            )
        session.commit()
    return engine


def headings(page: Any) -> list[str]:
    texts = page.locator("thead th").all_inner_texts()
    return [" ".join(text.split()) for text in texts[2:]]


def sign_in(
    chromium: Any, live_server: str, username: str, javascript: bool = True
) -> Any:
    context = chromium.new_context(base_url=live_server, java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/admin/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    return page


@pytest.fixture
def vera(chromium: Any, live_server: str, members: Engine) -> Iterator[Any]:
    page = sign_in(chromium, live_server, "vera")
    yield page
    page.context.close()


def test_choose_columns_save_share_and_open_a_view(
    page: Any, vera: Any, members: Engine
) -> None:
    page.goto("/admin/member/list?tier=pro")
    assert headings(page)[:3] == ["Id", "Email", "Nickname"]

    # The chooser, by keyboard: open it, untick Id, move Tier to the top.
    page.locator("#column-chooser > summary").focus()
    page.keyboard.press("Enter")
    assert page.locator("#column-form").is_visible()
    assert_accessible(page)
    page.locator("#column-form input[value=id]").focus()
    page.keyboard.press("Space")
    tier_up = page.locator("#column-list li[data-column=tier] button[data-move=up]")
    tier_up.focus()
    for _ in range(4):
        page.keyboard.press("Enter")
    # The focus stays on the moved column's button.
    assert (
        page.evaluate("document.activeElement.closest('li').dataset.column") == "tier"
    )
    page.locator("#column-form button[type=submit]").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**columns=**")
    query = parse_qs(urlsplit(page.url).query)
    assert query["tier"] == ["pro"]
    shown = headings(page)
    assert shown[0] == "Tier" and "Id" not in shown and "Email" in shown
    rows = page.locator("tbody tr").count()
    assert rows == 3

    # Save it, shared, by keyboard.
    page.locator("#save-view > summary").focus()
    page.keyboard.press("Enter")
    page.locator("#save-view-name").fill("Pro members")
    page.locator("#save-view-shared").check()
    assert_accessible(page)
    page.locator("#save-view-name").press("Enter")
    page.wait_for_url("**view=**")
    assert headings(page) == shown
    link = page.locator("a[data-saved-view]", has_text="Pro members")
    assert link.get_attribute("aria-current") == "page"

    # Another user opens it from the sidebar: the same rows and columns.
    vera.goto("/admin/")
    vera.locator("a[data-saved-view]", has_text="Pro members").click()
    vera.wait_for_url("**view=**")
    assert headings(vera) == shown
    assert vera.locator("tbody tr").count() == 3
    assert (
        "Pro members"
        in vera.locator("a[aria-current=page][data-saved-view]").inner_text()
    )

    # The views page: managed by the admin, shown to the viewer.
    page.goto("/admin/member/views")
    assert page.locator("[data-role=view-rename]").count() == 1
    assert_accessible(page)
    vera.goto("/admin/member/views")
    assert "Shared by an admin" in vera.content()
    assert_accessible(vera)


def test_without_javascript_the_chooser_and_saving_work(
    chromium: Any, live_server: str, members: Engine
) -> None:
    page = sign_in(chromium, live_server, "vera", javascript=False)
    try:
        page.goto("/admin/member/list")
        page.click("#column-chooser > summary")
        # An arrow is a link to the list with that column moved.
        page.click("#column-list li[data-column=email] a[data-move=up]")
        page.wait_for_url("**columns=**")
        assert headings(page)[:2] == ["Email", "Id"]
        page.click("#column-chooser > summary")
        page.uncheck("#column-form input[value=id]")
        page.click("#column-form button[type=submit]")
        page.wait_for_url("**columns=email**")
        assert headings(page)[0] == "Email" and "Id" not in headings(page)
        page.click("#save-view > summary")
        page.fill("#save-view-name", "Mine")
        page.click("#save-view-form button[type=submit]")
        page.wait_for_url("**view=**")
        assert headings(page)[0] == "Email"
        assert page.locator("a[data-saved-view]", has_text="Mine").count() == 1
    finally:
        page.context.close()
