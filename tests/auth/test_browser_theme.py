"""Dark mode in a real browser: "auto" follows the emulated colour scheme
before anything is drawn; the sidebar's toggle switches the page and is
stored with the user, so a new browser context (another machine) signs in to
the same theme; and axe-core finds no colour-contrast failure on a few page
kinds drawn dark (lists filtered and editable, edit with pickers open,
inlines, details, history, login)."""

from typing import Any

import pytest
from sqlalchemy import Engine, delete, select
from sqlmodel import Session

from admin_app.auth.models import AdminSession, AdminUser, Theme
from tests.browser import accessibility_violations, logged_in_page
from tests.demo_site import demo, settings  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("demo")

DARK_PAGES = {
    "list, filtered": "/admin/order/list?status=submitted&created_at=this_year"
    "&created_at_op=within&total_from=100",
    "list, editable": "/admin/order-item/list",
    "details": "/admin/order/details/10",
    "edit with pickers": "/admin/project/edit/3",
    "inlines": "/admin/order/edit/10",
    "account": "/admin/account/time-zone",
}


def looks(page: Any) -> dict[str, str]:
    """The theme on <html>, and the body's background and text colours."""
    return dict(
        page.evaluate(
            """() => {
              const body = getComputedStyle(document.body);
              return {
                theme: document.documentElement.getAttribute('data-bs-theme') || '',
                background: body.backgroundColor,
                color: body.color,
              };
            }"""
        )
    )


def luminance(css_colour: str) -> float:
    """Relative luminance (WCAG) of an ``rgb(…)``/``rgba(…)`` colour."""
    parts = css_colour[css_colour.index("(") + 1 : -1].split(",")
    channels = [float(part) / 255 for part in parts[:3]]
    linear = [
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def stored_theme(engine: Engine) -> Theme:
    with Session(engine) as session:
        user = session.scalars(select(AdminUser).where(AdminUser.username == "boss"))
        return user.one().theme


def contrast_failures(page: Any) -> list[str]:
    return [line for line in accessibility_violations(page) if "color-contrast" in line]


def test_auto_follows_the_browsers_scheme(  # type: ignore[no-untyped-def]
    chromium, live_server: str
) -> None:
    context = chromium.new_context(base_url=live_server, color_scheme="dark")
    login = context.new_page()
    login.goto("/admin/login")
    dark = looks(login)
    assert dark["theme"] == "dark"
    assert luminance(dark["background"]) < 0.05
    assert contrast(dark["background"], dark["color"]) >= 7
    assert not contrast_failures(login)
    # The scheme changing while the page is open switches it too.
    login.emulate_media(color_scheme="light")
    login.wait_for_selector("html[data-bs-theme=light]", state="attached")
    light = looks(login)
    assert luminance(light["background"]) > 0.8
    context.close()


def test_the_toggle_is_stored_with_the_user(  # type: ignore[no-untyped-def]
    chromium, live_server: str, engine: Engine
) -> None:
    page = logged_in_page(chromium, live_server)
    page.emulate_media(color_scheme="light")
    page.goto("/admin/order/list")
    assert looks(page)["theme"] == "light"
    assert stored_theme(engine) is Theme.auto

    page.evaluate("() => { window.stayedOnThePage = true; }")
    page.click("[data-admin-app=theme-toggle] button[value=dark]")
    page.wait_for_selector("html[data-bs-theme=dark]", state="attached")
    # Switched at once, without loading the page again.
    assert page.evaluate("() => window.stayedOnThePage === true")
    assert page.url.endswith("/admin/order/list")
    pressed = "[data-admin-app=theme-toggle] button[aria-pressed=true]"
    assert page.get_attribute(pressed, "value") == "dark"
    # Shown once the server answered, so it is stored by now.
    assert stored_theme(engine) is Theme.dark
    page.context.close()

    # Another browser, whose system prefers light: the user's choice wins,
    # written by the server on <html>.
    elsewhere = logged_in_page(chromium, live_server)
    elsewhere.emulate_media(color_scheme="light")
    elsewhere.goto("/admin/order/details/10")
    assert looks(elsewhere)["theme"] == "dark"
    assert luminance(looks(elsewhere)["background"]) < 0.05
    elsewhere.click("[data-admin-app=theme-toggle] button[value=auto]")
    elsewhere.wait_for_selector("html[data-bs-theme=light]", state="attached")
    assert stored_theme(engine) is Theme.auto
    elsewhere.emulate_media(color_scheme="dark")
    elsewhere.wait_for_selector("html[data-bs-theme=dark]", state="attached")
    # "Light" holds against a system that prefers dark, on the next page too.
    elsewhere.click("[data-admin-app=theme-toggle] button[value=light]")
    elsewhere.wait_for_selector("html[data-bs-theme=light]", state="attached")
    elsewhere.goto("/admin/order/list")
    assert looks(elsewhere)["theme"] == "light"
    assert luminance(looks(elsewhere)["background"]) > 0.8
    assert stored_theme(engine) is Theme.light
    elsewhere.context.close()


def test_a_toggle_after_the_session_ended_goes_to_the_login_page(  # type: ignore[no-untyped-def]
    chromium, live_server: str, engine: Engine
) -> None:
    page = logged_in_page(chromium, live_server)
    page.goto("/admin/order/list")
    with Session(engine) as session:
        session.execute(delete(AdminSession))
        session.commit()
    page.click("[data-admin-app=theme-toggle] button[value=dark]")
    page.wait_for_url("**/admin/login**")
    assert stored_theme(engine) is Theme.auto
    page.context.close()


def test_without_javascript_the_toggle_posts_and_comes_back(  # type: ignore[no-untyped-def]
    chromium, live_server: str, engine: Engine
) -> None:
    page = logged_in_page(chromium, live_server, javascript=False)
    page.goto("/admin/order/list?search=PO-001")
    # Auto without a script is light: nothing set on <html>.
    assert page.get_attribute("html", "data-bs-theme") is None
    page.click("[data-admin-app=theme-toggle] button[value=dark]")
    page.wait_for_url("**/admin/order/list?search=PO-001")
    assert page.get_attribute("html", "data-bs-theme") == "dark"
    assert stored_theme(engine) is Theme.dark
    page.context.close()


def open_picker(page: Any) -> None:
    """The edit page's multiple picker with its dropdown open."""
    page.click(".select2-selection--multiple")
    page.wait_for_selector(".select2-dropdown .select2-results__option")


def test_dark_pages_have_no_contrast_failures(  # type: ignore[no-untyped-def]
    chromium, live_server: str, engine: Engine
) -> None:
    with Session(engine) as session:
        boss = session.scalars(select(AdminUser).where(AdminUser.username == "boss"))
        boss.one().theme = Theme.dark
        session.commit()
    page = logged_in_page(chromium, live_server)
    found: list[str] = []
    for path in DARK_PAGES.values():
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        assert looks(page)["theme"] == "dark", path
        found += contrast_failures(page)
    page.goto("/admin/project/edit/3")
    open_picker(page)
    found += contrast_failures(page)
    # A renamed project's history: the diff's colours.
    page.goto("/admin/project/edit/3")
    page.fill("#name", "Lunar Gateway II")
    page.click("input[type=submit][value=Save]")
    page.wait_for_url("**/admin/project/list**")
    page.goto("/admin/project/history/3")
    found += contrast_failures(page)
    page.context.close()
    assert not found, "\n".join(found)
