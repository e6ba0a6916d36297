"""A list page's rows, worked out once per page: the links sqladmin's template
would write, escaped cells, and row-level permission hooks still asked per row."""

import re
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from admin_app.app import create_app
from tests.conftest import ADMIN_PASSWORD, login, make_settings
from tests.listing_pages import get_page
from tests.sample_models import Club, Member, Membership


def add_membership(engine: Engine, club_name: str, email: str) -> tuple[int, str]:
    with Session(engine) as session:
        club = Club(name=club_name)
        member = Member(email=email)
        session.add_all([club, member])
        session.flush()
        assert club.id is not None
        session.add(Membership(club_id=club.id, member_id=member.id))
        session.commit()
        return club.id, str(member.id)


def test_rows_link_to_their_pages_and_their_relations(
    client: TestClient, engine: Engine
) -> None:
    club_id, member_id = add_membership(engine, "<b>Bold</b> club", "a@example.com")
    page = get_page(client, "/admin/membership/list")
    key = f"{club_id};{member_id}"
    assert f'href="http://testserver/admin/membership/details/{key}"' in page
    assert f'href="http://testserver/admin/membership/edit/{key}"' in page
    encoded = key.replace(";", "%3B")
    assert f'data-url="http://testserver/admin/membership/delete?pks={encoded}"' in page
    # The relation's label, escaped, linked to the club's own page.
    assert (
        f'<a href="http://testserver/admin/club/details/{club_id}">'
        "Club &lt;b&gt;Bold&lt;/b&gt; club</a>"
    ) in page
    assert "<b>Bold</b>" not in page


def test_the_edit_link_keeps_the_list_query(client: TestClient, engine: Engine) -> None:
    club_id, _ = add_membership(engine, "Chess", "c@example.com")
    page = get_page(client, "/admin/club/list?sortBy=name&sort=desc")
    assert f"/admin/club/edit/{club_id}?sortBy=name&amp;sort=desc" in page


def test_row_level_hooks_are_asked_for_each_row(
    database_url: str, engine: Engine, admin_user: str, tmp_path: Path
) -> None:
    ids = [
        add_membership(engine, f"Club {n}", f"m{n}@example.com")[0] for n in range(4)
    ]
    settings = make_settings(database_url, tmp_path, models=["tests.row_level_views"])
    app = create_app(settings)
    with TestClient(app, follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        page = get_page(client, "/admin/club/list")
    editable = {int(found) for found in re.findall(r"/admin/club/edit/(\d+)", page)}
    assert editable == {n for n in ids if n % 2 == 0}
    shown = {int(found) for found in re.findall(r"/admin/club/details/(\d+)", page)}
    assert shown == set(ids)
