"""In a real browser: relationship pickers search as the user types, and what is
picked is saved."""

from sqlalchemy import Engine, select
from sqlmodel import Session

from tests.sample_models import Club, ClubTagLink, Membership, Tag


def pick(page, field: str, typed: str, choice: str) -> None:  # type: ignore[no-untyped-def]
    """Open the select2 picker of ``field``, type, and click ``choice``."""
    page.click(f"#{field} + .select2 .select2-selection")
    page.locator(".select2-container--open .select2-search__field").press_sequentially(
        typed
    )
    page.click(f".select2-results__option:has-text('{choice}')")


def tags_of(engine: Engine, club_id: int | None) -> list[str]:
    with Session(engine) as session:
        return list(
            session.scalars(
                select(Tag.label)
                .join(ClubTagLink)
                .where(ClubTagLink.club_id == club_id)
            ).all()
        )


def test_many_to_many_picker_searches_and_saves(page, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        club = Club(name="Rowing")
        session.add_all([club, Tag(label="outdoor"), Tag(label="indoor")])
        session.commit()
        club_id = club.id

    page.goto(f"/admin/club/edit/{club_id}")
    pick(page, "tags", "out", "outdoor")
    page.click("input[type=submit][value=Save]")
    page.wait_for_url("**/admin/club/list**")

    assert sorted(tags_of(engine, club_id)) == ["outdoor"]


def test_association_object_is_created_by_picking_both_sides(
    page, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    from tests.sample_models import Member

    with Session(engine) as session:
        session.add_all([Club(name="Fencing"), Member(email="zoe@example.com")])
        session.commit()

    page.goto("/admin/membership/create")
    pick(page, "club", "Fen", "Club Fencing")
    pick(page, "member", "zoe", "zoe@example.com")
    page.check("input[name=is_training]")
    page.click("input[type=submit][value=Save]")
    page.wait_for_url("**/admin/membership/list**")

    with Session(engine) as session:
        saved = session.scalars(select(Membership)).one()
    assert saved.is_training is True


def test_picker_loads_the_next_page_as_the_results_are_scrolled(
    page, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    from urllib.parse import parse_qs, urlsplit

    with Session(engine) as session:
        club = Club(name="Sailing")
        session.add(club)
        session.add_all([Tag(label=f"bulk-{n:02}") for n in range(45)])
        session.commit()
        club_id = club.id
    asked: list[tuple[str, str]] = []  # (term, page) of each lookup

    def record(request) -> None:  # type: ignore[no-untyped-def]
        query = parse_qs(urlsplit(request.url).query)
        if "/ajax/lookup" in request.url:
            asked.append((query["term"][0], query["page"][0]))

    page.on("request", record)
    page.goto(f"/admin/club/edit/{club_id}")
    page.click("#tags + .select2 .select2-selection")
    page.locator(".select2-container--open .select2-search__field").fill("bulk")
    options = page.locator(".select2-results__option", has_text="bulk-")
    results = page.locator(".select2-results__options")
    for shown in (20, 40, 45):
        page.wait_for_function(
            "n => document.querySelectorAll('.select2-results__option').length >= n",
            arg=shown,
        )
        assert options.count() == shown
        results.evaluate("list => { list.scrollTop = list.scrollHeight; }")
    assert asked == [("bulk", "1"), ("bulk", "2"), ("bulk", "3")]

    page.click(".select2-results__option:has-text('bulk-44')")  # from page 3
    page.click("input[type=submit][value=Save]")
    page.wait_for_url("**/admin/club/list**")
    assert sorted(tags_of(engine, club_id)) == ["bulk-44"]


def test_delete_from_the_detail_page_shows_what_goes_then_deletes(
    page, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        club = Club(name="Rowing")
        club.tags = [Tag(label="outdoor"), Tag(label="river")]
        session.add(club)
        session.commit()
        club_id = club.id

    page.goto(f"/admin/club/details/{club_id}")
    page.click(".card-footer a[data-bs-target='#modal-delete']")
    plan = page.locator("#modal-delete [data-role=delete-plan]")
    plan.wait_for()
    assert "Club Rowing" in plan.inner_text()
    assert "2 club tag links" in plan.inner_text()
    confirm = page.locator("#modal-delete [data-role=delete-confirm]")
    assert confirm.is_enabled()
    confirm.click()
    page.wait_for_url("**/admin/club/list**")
    assert 'Deleted club "Club Rowing".' in page.locator(".toast-body").inner_text()

    with Session(engine) as session:
        assert session.get(Club, club_id) is None
        assert len(session.scalars(select(Tag)).all()) == 2  # only the links went


def test_a_refused_delete_shows_why_and_cannot_be_confirmed(
    page, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    from tests.sample_models import Member

    with Session(engine) as session:
        club, member = Club(name="Fencing"), Member(email="zoe@example.com")
        session.add_all([club, member])
        session.flush()
        session.add(Membership(club_id=club.id, member_id=member.id))
        session.commit()
        club_id = club.id

    page.goto("/admin/club/list")
    page.click(f"a[data-pk='{club_id}'][data-bs-target='#modal-delete']")
    refusal = page.locator("#modal-delete [data-role=delete-refusal]")
    refusal.wait_for()
    assert refusal.inner_text() == (
        'Cannot delete club "Club Fencing": 1 membership refers to it.'
    )
    assert page.locator("#modal-delete [data-role=delete-confirm]").is_disabled()

    with Session(engine) as session:
        assert session.get(Club, club_id) is not None


def test_bulk_delete_lists_the_checked_rows_and_deletes_them_together(
    page, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        session.add_all([Tag(label="red"), Tag(label="blue"), Tag(label="green")])
        session.commit()

    page.goto("/admin/tag/list")
    rows = page.locator("tbody tr")
    for label in ("red", "blue"):
        rows.filter(has_text=label).locator("input.select-box").check()
    page.click("#dropdownMenuButton")
    page.click("#action-delete")
    plan = page.locator("#modal-delete [data-role=delete-plan]")
    plan.wait_for()
    assert "2 tags: blue, red" in plan.inner_text()
    page.click("#modal-delete [data-role=delete-confirm]")
    page.wait_for_url("**/admin/tag/list**")

    with Session(engine) as session:
        assert session.scalars(select(Tag.label)).all() == ["green"]


def test_a_validation_error_shows_by_its_field_then_the_fixed_form_saves(
    page, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    from tests.sample_models import Member

    page.goto("/admin/member/create")
    page.fill("input[name=email]", "not-an-email")
    page.fill("input[name=nickname]", "<i>Zed</i>")
    page.click("input[type=submit][value=Save]")
    error = page.locator("#email ~ .invalid-feedback")
    assert "valid email address" in error.inner_text()
    assert page.locator("input[name=nickname]").input_value() == "<i>Zed</i>"
    with Session(engine) as session:
        assert session.scalars(select(Member)).all() == []

    page.fill("input[name=email]", "zed@example.com")
    page.click("input[type=submit][value=Save]")
    page.wait_for_url("**/admin/member/list**")
    with Session(engine) as session:
        saved = session.scalars(select(Member)).one()
    assert (saved.email, saved.nickname) == ("zed@example.com", "<i>Zed</i>")


def test_several_picks_for_a_many_to_many_are_saved_and_shown_again(
    page, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        club = Club(name="Chess")
        session.add_all(
            [club, Tag(label="indoor"), Tag(label="quiet"), Tag(label="loud")]
        )
        session.commit()
        club_id = club.id

    page.goto(f"/admin/club/edit/{club_id}")
    pick(page, "tags", "ind", "indoor")
    pick(page, "tags", "qu", "quiet")
    page.click("input[type=submit][value='Save and continue editing']")
    page.wait_for_url(f"**/admin/club/edit/{club_id}")
    chosen = page.locator("#tags + .select2 .select2-selection__choice")
    titles = [choice.get_attribute("title") for choice in chosen.all()]
    assert sorted(titles) == ["indoor", "quiet"]  # the saved picks, labelled
    assert sorted(tags_of(engine, club_id)) == ["indoor", "quiet"]


def test_two_people_editing_the_same_row_the_second_is_told(
    page, chromium, live_server: str, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    from tests.browser import logged_in_page

    with Session(engine) as session:
        club = Club(name="Judo", motto="Fall well")
        session.add(club)
        session.commit()
        club_id = club.id

    other = logged_in_page(chromium, live_server)
    try:
        page.goto(f"/admin/club/edit/{club_id}")  # the first person opens the form
        other.goto(f"/admin/club/edit/{club_id}")  # so does the second, and saves
        other.fill("textarea[name=motto]", "Get up again")
        other.click("input[type=submit][value=Save]")
        other.wait_for_url("**/admin/club/list**")
    finally:
        other.context.close()

    page.fill("input[name=name]", "Judo club")
    page.click("input[type=submit][value=Save]")
    warning = page.locator("[data-admin-app=stale-edit]")
    assert "Someone else changed this club" in warning.inner_text()
    assert "Get up again" in warning.locator("table").inner_text()
    assert page.locator("input[name=name]").input_value() == "Judo club"
    with Session(engine) as session:
        assert session.get(Club, club_id).name == "Judo"  # type: ignore[union-attr]

    page.click("input[type=submit][value=Save]")  # saving again overwrites knowingly
    page.wait_for_url("**/admin/club/list**")
    with Session(engine) as session:
        saved = session.get(Club, club_id)
        assert saved is not None
        assert (saved.name, saved.motto) == ("Judo club", "Fall well")
