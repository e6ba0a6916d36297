"""Collections on the detail page are counted, never loaded: one-to-many ones link
to the child's list filtered to the parent, many-to-many ones show a few labels."""

import html
import re
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import Engine, ForeignKeyConstraint
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import registry
from sqlmodel import Field, Relationship, Session, SQLModel, create_engine, select
from starlette.testclient import TestClient

from admin_app.app import create_app
from admin_app.details.related import SAMPLE_SIZE, fetch, filter_query, link_column
from admin_app.settings import Settings
from admin_app.views.inferred import AutoModelView, view_for
from tests.conftest import ADMIN_PASSWORD, login, make_settings
from tests.engines import async_url
from tests.sample_models import Club, ClubTagLink, Member, Membership, Tag


def add_club(engine: Engine, name: str, members: int = 0, tags: int = 0) -> int:
    """A club with ``members`` memberships and ``tags`` tags; returns its id."""
    with Session(engine) as session:
        club = Club(name=name)
        session.add(club)
        session.flush()
        assert club.id is not None
        for n in range(members):
            member = Member(email=f"{name}-{n}@example.com")
            session.add(member)
            session.flush()
            session.add(Membership(club_id=club.id, member_id=member.id))
        for n in range(tags):
            tag = Tag(label=f"{name}-tag-{n:02}")
            session.add(tag)
            session.flush()
            session.add(ClubTagLink(club_id=club.id, tag_id=tag.id))
        session.commit()
        return club.id


def related_row(page: str, relation: str) -> str:
    """The HTML of the detail page's row for ``relation``'s collection."""
    found = re.search(rf'<tr data-relation="{relation}">(.*?)</tr>', page, re.DOTALL)
    assert found, f"no collection row for {relation}"
    return found.group(1)


def count_in(row: str) -> int:
    found = re.search(r'data-role="related-count">(\d+)<', row)
    assert found
    return int(found.group(1))


def list_link(row: str) -> str:
    found = re.search(r'<a href="([^"]+)" data-role="related-list"', row)
    assert found, "no link to the filtered list"
    return html.unescape(found.group(1))


def test_a_club_links_to_the_membership_list_filtered_to_it(
    client: TestClient, engine: Engine
) -> None:
    club = add_club(engine, "chess", members=3)
    add_club(engine, "go", members=2)
    row = related_row(client.get(f"/admin/club/details/{club}").text, "memberships")
    assert count_in(row) == 3
    link = list_link(row)
    assert "/admin/membership/list?" in link
    # The list's foreign-key filter reads picked keys (admin_app.lists.related).
    assert "club_id=" in link

    page = client.get(link).text
    # The rows (the filter panel offers every member: few of them).
    listed = page[page.index("<tbody>") : page.index("</tbody>")]
    assert sorted(re.findall(r"chess-\d@example\.com", listed)) == [
        f"chess-{n}@example.com" for n in range(3)
    ]
    assert "go-0@example.com" not in listed and "go-1@example.com" not in listed


def test_a_member_links_to_its_memberships_by_its_uuid(
    client: TestClient, engine: Engine
) -> None:
    chess = add_club(engine, "chess", members=2)
    with Session(engine) as session:
        member = session.exec(
            select(Member).where(Member.email == "chess-0@example.com")
        ).one()
        other = add_club(engine, "go")
        session.add(Membership(club_id=other, member_id=member.id))
        session.commit()
        member_id = member.id

    page = client.get(f"/admin/member/details/{member_id}").text
    row = related_row(page, "memberships")
    assert count_in(row) == 2
    listed = client.get(list_link(row)).text
    rows = listed[listed.index("<tbody>") : listed.index("</tbody>")]
    assert "Club chess" in rows and "Club go" in rows
    # The other member of chess (the filter panel offers every member).
    assert "chess-1@example.com" not in rows
    assert f"/admin/membership/edit/{chess};{member_id}" in listed


def test_a_parent_without_children_shows_zero(
    client: TestClient, engine: Engine
) -> None:
    club = add_club(engine, "empty")
    page = client.get(f"/admin/club/details/{club}").text
    assert count_in(related_row(page, "memberships")) == 0
    assert count_in(related_row(page, "tags")) == 0
    assert 'data-role="related-item"' not in page


def test_the_detail_page_runs_as_many_statements_for_50_children_as_for_1(
    client: TestClient, engine: Engine, statements: list[str]
) -> None:
    small = add_club(engine, "small", members=1, tags=1)
    large = add_club(engine, "large", members=50, tags=50)
    runs: dict[int, list[str]] = {}
    for club, size in ((small, 1), (large, 50)):
        statements.clear()
        page = client.get(f"/admin/club/details/{club}").text
        runs[club] = list(statements)
        assert count_in(related_row(page, "memberships")) == size
    assert len(runs[small]) == len(runs[large]) <= 12, runs[large]
    # Memberships are counted, never selected; tags only the first few.
    assert not any("is_training" in s for s in runs[large]), runs[large]
    assert all("LIMIT" in s for s in runs[large] if ".label" in s), runs[large]


def test_a_to_one_relation_loads_its_one_row_whatever_that_row_holds(
    client: TestClient, engine: Engine, statements: list[str]
) -> None:
    runs: list[int] = []
    for name, size in (("small", 1), ("large", 50)):
        club = add_club(engine, name, members=size)
        with Session(engine) as session:
            membership = session.exec(
                select(Membership).where(Membership.club_id == club)
            ).first()
            assert membership is not None
            key = f"{club};{membership.member_id}"
        statements.clear()
        assert client.get(f"/admin/membership/details/{key}").status_code == 200
        runs.append(len(statements))
    assert runs[0] == runs[1]


def test_many_to_many_shows_the_first_labels_and_how_many_more(
    client: TestClient, engine: Engine
) -> None:
    club = add_club(engine, "chess", tags=SAMPLE_SIZE + 3)
    row = related_row(client.get(f"/admin/club/details/{club}").text, "tags")
    assert count_in(row) == SAMPLE_SIZE + 3
    labels = re.findall(r'data-role="related-item">([^<]+)<', row)
    assert labels == [f"chess-tag-{n:02}" for n in range(SAMPLE_SIZE)]
    assert "and 3 more" in row
    with Session(engine) as session:
        first = session.exec(select(Tag).where(Tag.label == "chess-tag-00")).one()
    assert f'href="http://testserver/admin/tag/details/{first.id}"' in row

    few = add_club(engine, "go", tags=2)
    row = related_row(client.get(f"/admin/club/details/{few}").text, "tags")
    assert count_in(row) == 2
    assert "more" not in row


def test_labels_in_collections_stay_escaped(client: TestClient, engine: Engine) -> None:
    add_club(engine, "<script>x</script>", tags=1)
    with Session(engine) as session:
        tag = session.exec(select(Tag)).one()
    page = client.get(f"/admin/tag/details/{tag.id}").text
    assert "Club &lt;script&gt;x&lt;/script&gt;" in related_row(page, "clubs")
    assert "<script>x</script>" not in page


def test_many_to_one_shows_the_label_linked_to_its_detail_page(
    client: TestClient, engine: Engine
) -> None:
    club = add_club(engine, "chess", members=1)
    with Session(engine) as session:
        membership = session.exec(select(Membership)).one()
        key = f"{membership.club_id};{membership.member_id}"
    page = client.get(f"/admin/membership/details/{key}").text
    assert f'<a href="http://testserver/admin/club/details/{club}">Club chess</a>' in (
        page
    )
    assert "chess-0@example.com</a>" in page
    assert 'data-admin-app="related"' not in page  # a membership has no collections


def test_association_objects_open_in_their_own_edit_form(
    client: TestClient, engine: Engine
) -> None:
    club = add_club(engine, "chess", members=1)
    with Session(engine) as session:
        member_id = session.exec(select(Membership)).one().member_id
    form = client.get(f"/admin/membership/edit/{club};{member_id}")
    assert form.status_code == 200
    assert 'name="is_training"' in form.text


def test_a_child_not_in_the_admin_is_counted_without_a_link(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> None:
    club = add_club(engine, "chess", members=2)
    settings = make_settings(database_url, tmp_path, exclude_models=["Membership"])
    with TestClient(create_app(settings), follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        row = related_row(client.get(f"/admin/club/details/{club}").text, "memberships")
    assert count_in(row) == 2
    assert "<a " not in row


def test_a_list_without_a_filter_on_the_key_gets_no_link() -> None:
    class Unfiltered(AutoModelView, model=Membership):
        column_filters: ClassVar[list[Any]] = []

    assert filter_query(Unfiltered(), "club_id", 7) is None
    assert filter_query(view_for(Membership)(), "club_id", 7) == {"club_id": "7"}
    assert filter_query(view_for(Membership)(), "club_id", "") is None


# A composite foreign key, in a registry of its own so that no other test's
# database gets these tables.
class _Composite(SQLModel, registry=registry()):
    pass


class Shelf(_Composite, table=True):
    room: int = Field(primary_key=True)
    number: int = Field(primary_key=True)

    books: list["Book"] = Relationship(back_populates="shelf")


class Book(_Composite, table=True):
    __table_args__ = (
        ForeignKeyConstraint(
            ["shelf_room", "shelf_number"], ["shelf.room", "shelf.number"]
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    shelf_room: int
    shelf_number: int

    shelf: Shelf | None = Relationship(back_populates="books")


def test_a_composite_key_is_counted_whole_and_never_linked() -> None:
    books = sa_inspect(Shelf).relationships["books"]
    assert link_column(books) is None  # no single-column filter can say it
    assert link_column(sa_inspect(Club).relationships["memberships"]) == (
        "id",
        "club_id",
    )
    engine = create_engine("sqlite://")
    _Composite.metadata.create_all(engine)
    with Session(engine) as session:
        # Shelves (1, 1) and (1, 2) share a room: counting by one column is wrong.
        session.add_all([Shelf(room=1, number=1), Shelf(room=1, number=2)])
        session.add_all([Book(shelf_room=1, shelf_number=n) for n in (1, 1, 2)])
        session.commit()
        assert fetch(session, Shelf, (1, 1), [books]).counts == {"books": 2}
        assert fetch(session, Shelf, (1, 2), [books]).counts == {"books": 1}
        assert fetch(session, Shelf, (9, 9), [books]).counts == {}
    engine.dispose()


def test_collections_are_counted_on_an_async_engine_too(
    settings: Settings, engine: Engine, admin_user: str
) -> None:
    club = add_club(engine, "chess", members=2, tags=1)
    async_settings = settings.model_copy(
        update={"database_url": async_url(settings.database_url)}
    )
    with TestClient(create_app(async_settings), follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        page = client.get(f"/admin/club/details/{club}").text
    assert count_in(related_row(page, "memberships")) == 2
    assert "chess-tag-00" in related_row(page, "tags")
