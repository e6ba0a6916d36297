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

    with Session(engine) as session:
        linked = session.scalars(
            select(Tag.label).join(ClubTagLink).where(ClubTagLink.club_id == club_id)
        ).all()
    assert linked == ["outdoor"]


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
