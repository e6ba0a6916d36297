"""In a real browser, by keyboard alone: Ctrl+K opens the palette, typing finds
commands and records, arrows move, Enter lands on the record, Esc closes and
gives focus back; `?` shows the shortcuts, `/` focuses the list's search, `g`
then a letter navigates, `n` and `e` open the new and edit pages, and none of
them fires while typing in a field. axe finds nothing serious in the open
palette."""

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine
from sqlmodel import Session

from tests.browser import accessibility_violations, logged_in_page
from tests.sample_models import Club, Tag


def add_rows(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        tags = [Tag(label=label) for label in ("adagio", "adamant", "zebra")]
        club = Club(name="Ada")
        session.add_all([*tags, club])
        session.commit()
        return {"adamant": tags[1].id or 0, "club": club.id or 0}


def open_palette(page: Any) -> Any:
    page.keyboard.press("Control+k")
    dialog = page.locator("#palette")
    dialog.wait_for(state="visible")
    assert page.evaluate("document.activeElement.id") == "palette-input"
    return dialog


def active_label(page: Any) -> str:
    active = page.get_attribute("#palette-input", "aria-activedescendant")
    return str(page.inner_text(f"#{active} .palette-label"))


def test_keyboard_only_finds_and_opens_a_record(page: Any, engine: Engine) -> None:
    keys = add_rows(engine)
    page.goto("/admin/tag/list")
    open_palette(page)
    page.keyboard.type("ada")
    # Records arrive grouped: the exact label's model first.
    page.wait_for_selector("#palette-list [data-identity=club] [role=option]")
    groups = page.eval_on_selector_all(
        "#palette-list [role=group]",
        "gs => gs.map(g => g.querySelector('.palette-section').textContent)",
    )
    assert groups[:2] == ["Clubs", "Tags"]
    assert active_label(page) == "Club Ada"
    page.keyboard.press("ArrowDown")
    assert active_label(page) == "adagio"
    page.keyboard.press("ArrowDown")
    assert active_label(page) == "adamant"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#palette-input", "aria-expanded") == "true"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/admin/tag/details/{keys['adamant']}")


def test_commands_match_as_one_types_and_enter_opens_them(page: Any) -> None:
    page.goto("/admin/")
    open_palette(page)
    page.keyboard.type("new clu")
    page.wait_for_selector("#palette-list [data-kind=command]")
    assert active_label(page) == "New Club"
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/club/create")


def test_escape_closes_and_gives_focus_back(page: Any) -> None:
    page.goto("/admin/tag/list")
    page.focus("#search-input")
    dialog = open_palette(page)
    page.keyboard.type("zz")
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.id") == "search-input"
    # Opened again, it starts empty.
    open_palette(page)
    assert page.input_value("#palette-input") == ""


def test_question_mark_shows_the_shortcuts(page: Any) -> None:
    page.goto("/admin/")
    page.keyboard.press("?")
    help_dialog = page.locator("#palette-help")
    help_dialog.wait_for(state="visible")
    assert "Go to the dashboard" in help_dialog.inner_text()
    page.keyboard.press("Escape")
    help_dialog.wait_for(state="hidden")


def test_slash_focuses_the_list_search(page: Any) -> None:
    page.goto("/admin/tag/list")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search-input"
    # Typed into the field, shortcuts are text.
    page.keyboard.type("n/g")
    assert page.input_value("#search-input") == "n/g"
    # (The list's own search may run after a pause: still the tag list.)
    assert urlsplit(page.url).path == "/admin/tag/list"


def test_shortcuts_stay_quiet_in_a_select_or_an_editable_element(page: Any) -> None:
    page.goto("/admin/")
    page.evaluate(
        """() => {
            const editable = document.createElement('div');
            editable.id = 'editable';
            editable.contentEditable = 'true';
            editable.textContent = 'x';
            const select = document.createElement('select');
            select.id = 'chooser';
            select.add(new Option('one'));
            document.body.append(editable, select);
        }"""
    )
    for field in ("#editable", "#chooser"):
        page.focus(field)
        page.keyboard.press("g")
        page.keyboard.press("a")  # the audit trail, were it a shortcut here
        page.keyboard.press("?")
        page.wait_for_timeout(300)  # time for a navigation to start, were there one
        assert urlsplit(page.url).path == "/admin/"
        # Not opened, nor even fetched: the dialogs come when first asked for.
        assert not page.evaluate("!!document.getElementById('palette-help')")


def test_g_letters_n_and_e_navigate(page: Any, engine: Engine) -> None:
    keys = add_rows(engine)
    page.goto(f"/admin/club/details/{keys['club']}")
    page.keyboard.press("e")
    page.wait_for_url(f"**/admin/club/edit/{keys['club']}")
    page.goto(f"/admin/club/details/{keys['club']}")
    page.keyboard.press("g")
    page.keyboard.press("h")
    page.wait_for_url(f"**/admin/club/history/{keys['club']}")
    page.keyboard.press("g")
    page.keyboard.press("l")
    page.wait_for_url("**/admin/club/list")
    page.keyboard.press("n")
    page.wait_for_url("**/admin/club/create")
    page.keyboard.press("g")
    page.keyboard.press("a")
    page.wait_for_url("**/admin/audit-entry/list")
    page.keyboard.press("g")
    page.keyboard.press("d")
    page.wait_for_url("**/admin/")


def test_the_open_palette_passes_axe(page: Any, engine: Engine) -> None:
    add_rows(engine)
    page.goto("/admin/tag/list")
    open_palette(page)
    page.keyboard.type("ada")
    page.wait_for_selector("#palette-list [data-identity=tag] [role=option]")
    assert accessibility_violations(page) == []
    page.keyboard.press("Escape")
    page.locator("#palette").wait_for(state="hidden")
    page.keyboard.press("?")
    page.locator("#palette-help").wait_for(state="visible")
    assert accessibility_violations(page) == []


def test_without_javascript_the_search_link_opens_the_page(
    chromium: Any, live_server: str, engine: Engine
) -> None:
    keys = add_rows(engine)
    page = logged_in_page(chromium, live_server, javascript=False)
    try:
        page.goto("/admin/tag/list")
        page.click("a.palette-trigger")
        page.wait_for_url("**/admin/palette")
        page.fill("#palette-page-q", "adam")
        page.press("#palette-page-q", "Enter")
        page.wait_for_url("**/admin/palette?q=adam")
        page.click("text=adamant")
        page.wait_for_url(f"**/admin/tag/details/{keys['adamant']}")
    finally:
        page.context.close()


def test_enter_with_nothing_chosen_opens_the_search_page(page: Any) -> None:
    page.goto("/admin/")
    open_palette(page)
    page.keyboard.type("zzzz")
    page.wait_for_selector("#palette-status:has-text('Nothing matches')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/palette?q=zzzz")
    assert page.locator("[data-role=palette-empty]").is_visible()
