"""Deleting rows: refused while other rows refer to them, cascading where the
models say so (after listing what goes), all or nothing, on SQLite and PostgreSQL.
"""

import html
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, text
from sqlmodel import Session, SQLModel, select
from starlette.testclient import TestClient

import tests.cascade_models as cascade
from admin_app.app import create_app
from admin_app.settings import Settings
from models import Project, Team, User
from tests.conftest import ADMIN_PASSWORD, login, make_settings
from tests.engines import async_url
from tests.sample_models import Club, ClubTagLink, Member, Membership, Tag

JSON = {"Accept": "application/json"}
MODELS = ["models", "tests.sample_models", "tests.cascade_models"]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # OrchardLedger is left out of the admin: it must block all the same.
    return make_settings(
        database_url, tmp_path, models=MODELS, exclude_models=["OrchardLedger"]
    )


def count(engine: Engine, model: type[SQLModel], *where: Any) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))  # type: ignore[no-any-return]


def add(engine: Engine, *rows: SQLModel) -> None:
    with Session(engine) as session:
        session.add_all(rows)
        session.commit()
        for row in rows:
            session.refresh(row)


def refusal(client: TestClient, response: Any) -> str:
    """The message a refused POST redirected to the list with, as the page shows it."""
    assert response.status_code == 303, response.text
    assert response.headers["location"].split("?")[0].endswith("/list")
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    alert = page.text.split('<div class="alert alert-danger" role="alert">')[1]
    return html.unescape(alert.split("</div>")[0])


def team_alpha(engine: Engine) -> int:
    team = Team(name="Alpha")
    add(engine, team)
    users = [
        User(email=f"u{i}@example.com", full_name=f"U {i}", hashed_password="x")
        for i in range(12)
    ]
    for user in users:
        user.team_id = team.id
    projects = [Project(name=f"P{i}", team_id=team.id) for i in range(3)]
    add(engine, *users, *projects)
    assert team.id is not None
    return team.id


def test_a_row_others_refer_to_is_refused_and_its_children_keep_their_key(
    client: TestClient, engine: Engine
) -> None:
    team_id = team_alpha(engine)

    response = client.post("/admin/team/delete", data={"pks": str(team_id)})

    assert refusal(client, response) == (
        'Cannot delete team "Alpha": 12 users and 3 projects refer to it.'
    )
    assert count(engine, Team) == 1
    assert count(engine, User, User.team_id == team_id) == 12  # not nulled
    assert count(engine, Project, Project.team_id == team_id) == 3


def test_planning_runs_as_many_statements_for_many_referring_rows_as_for_one(
    client: TestClient, engine: Engine, statements: list[str]
) -> None:
    def statements_planning(team_id: int) -> tuple[int, int]:
        """(COUNT statements, all statements) run to plan deleting a team."""
        statements.clear()
        summary = client.get(f"/admin/team/delete?pks={team_id}", headers=JSON)
        assert summary.json()["blocked"] is True
        counts = sum(1 for statement in statements if "count(" in statement.lower())
        return counts, len(statements)

    few = Team(name="Few")
    add(engine, few)
    user = User(email="f@example.com", full_name="F", hashed_password="x")
    user.team_id = few.id
    add(engine, user, Project(name="Lone", team_id=few.id))

    # One COUNT per foreign key that points at teams (users', projects'),
    # however many rows refer.
    counts, total = statements_planning(few.id)  # type: ignore[arg-type]
    assert counts == 2
    assert statements_planning(team_alpha(engine)) == (counts, total)


def test_sqladmins_delete_request_gets_an_error_page_for_a_refusal(
    client: TestClient, engine: Engine
) -> None:
    team_id = team_alpha(engine)

    response = client.delete(f"/admin/team/delete?pks={team_id}")

    assert response.status_code == 409
    assert "12 users and 3 projects refer to it" in html.unescape(response.text)
    assert "DELETE FROM" not in response.text and "IntegrityError" not in response.text
    assert count(engine, User, User.team_id == team_id) == 12


def test_a_row_nothing_refers_to_is_deleted_and_the_list_says_so(
    client: TestClient, engine: Engine
) -> None:
    tag = Tag(label="quiet")
    add(engine, tag)

    response = client.post("/admin/tag/delete", data={"pks": str(tag.id)})

    assert response.status_code == 303
    assert response.headers["location"].endswith("/admin/tag/list")
    assert count(engine, Tag) == 0
    page = client.get(response.headers["location"])
    assert 'Deleted tag "quiet".' in html.unescape(page.text)


def test_sqladmins_delete_request_deletes_and_answers_the_list_url(
    client: TestClient, engine: Engine
) -> None:
    tag = Tag(label="quiet")
    add(engine, tag)

    response = client.delete(
        f"/admin/tag/delete?pks={tag.id}",
        headers={"referer": "http://testserver/admin/tag/list?page=2&error=old"},
    )

    assert response.status_code == 200
    assert response.text == "http://testserver/admin/tag/list?page=2"
    assert count(engine, Tag) == 0


def test_many_to_many_links_are_removed_and_do_not_block(
    client: TestClient, engine: Engine
) -> None:
    club, outdoor, indoor = Club(name="Rowing"), Tag(label="outdoor"), Tag(label="in")
    add(engine, club, outdoor, indoor)
    add(
        engine,
        ClubTagLink(club_id=club.id, tag_id=outdoor.id),
        ClubTagLink(club_id=club.id, tag_id=indoor.id),
    )

    summary = client.get(f"/admin/club/delete?pks={club.id}", headers=JSON).json()
    assert summary["blocked"] is False
    assert [(g["kind"], g["text"]) for g in summary["groups"]] == [
        ("links", "2 club tag links")
    ]

    response = client.post("/admin/club/delete", data={"pks": str(club.id)})
    assert response.status_code == 303
    assert count(engine, Club) == 0
    assert count(engine, ClubTagLink) == 0
    assert count(engine, Tag) == 2  # the tags themselves stay


def test_an_association_object_blocks_unless_its_relationship_cascades(
    client: TestClient, engine: Engine
) -> None:
    club, member = Club(name="Fencing"), Member(email="zoe@example.com")
    add(engine, club, member)
    member_of = Member(email="max@example.com", club_id=club.id)
    add(engine, Membership(club_id=club.id, member_id=member.id), member_of)

    response = client.post("/admin/club/delete", data={"pks": str(club.id)})

    assert refusal(client, response) == (
        'Cannot delete club "Club Fencing": 1 member and 1 membership refer to it.'
    )
    assert count(engine, Membership) == 1
    assert count(engine, Member, Member.club_id == club.id) == 1

    # The association object itself goes by its composite key.
    response = client.post(
        "/admin/membership/delete", data={"pks": f"{club.id};{member.id}"}
    )
    assert response.status_code == 303
    assert count(engine, Membership) == 0

    # Orchard.shifts declares cascade_delete: its association objects go along.
    orchard, picker = cascade.Orchard(name="Low Field"), cascade.Picker(name="Pat")
    add(engine, orchard, picker)
    add(engine, cascade.PickerShift(orchard_id=orchard.id, picker_id=picker.id))
    response = client.post("/admin/orchard/delete", data={"pks": str(orchard.id)})
    assert response.status_code == 303
    assert count(engine, cascade.PickerShift) == 0
    assert count(engine, cascade.Picker) == 1


@pytest.fixture
def orchard(engine: Engine) -> int:
    """An orchard with rows of every kind that goes with it, or stays."""
    return cascade.plant_orchard(engine, harvests=7)


def test_the_confirmation_lists_what_goes_kind_by_kind(
    client: TestClient, orchard: int
) -> None:
    summary = client.get(f"/admin/orchard/delete?pks={orchard}", headers=JSON).json()

    assert summary["blocked"] is False and summary["message"] is None
    assert summary["title"] == 'orchard "Old Hill"'
    assert summary["rows"] == [{"pk": str(orchard), "label": "Old Hill"}]
    groups = {(g["kind"], g["text"]): g["labels"] for g in summary["groups"]}
    assert groups == {
        ("cascade", "2 fruit trees"): ["Apple 1", "Apple 2"],
        ("cascade", "7 harvests"): [f"Crop {i}" for i in range(5)],  # the first few
        ("db_cascade", "1 orchard sign"): ["Welcome"],
        ("unlink", "1 beehive"): ["Hive"],
        ("links", "1 orchard variety link"): [],
    }


def test_the_confirmation_page_shows_the_same_and_a_form_that_deletes(
    client: TestClient, orchard: int
) -> None:
    page = client.get(f"/admin/orchard/delete?pks={orchard}")
    fragment = client.get(
        f"/admin/orchard/delete?pks={orchard}", headers={"X-Admin-Fragment": "1"}
    )

    assert page.status_code == 200 and fragment.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "<html" in page.text and "<html" not in fragment.text
    for body in (page.text, fragment.text):
        assert 'data-blocked="false"' in body
        assert "<strong>7 harvests</strong>" in body
        assert "and 2 more" in body
        assert f'<input type="hidden" name="pks" value="{orchard}">' in body
    assert 'method="post" action="http://testserver/admin/orchard/delete"' in page.text
    assert "Kept, but will be unlinked:" in page.text


def test_the_confirmation_links_the_rows_it_names_to_their_pages(
    client: TestClient, engine: Engine, orchard: int
) -> None:
    with Session(engine) as session:
        trees = session.exec(
            select(cascade.FruitTree).order_by(cascade.FruitTree.id)  # type: ignore[arg-type]
        ).all()
        ids = [tree.id for tree in trees]
    page = client.get(f"/admin/orchard/delete?pks={orchard}").text
    for number, tree_id in zip((1, 2), ids, strict=True):
        assert (
            f'<a href="http://testserver/admin/fruit-tree/details/{tree_id}" '
            f'data-role="delete-label">Apple {number}</a>'
        ) in page


def test_cascades_are_carried_out_after_confirming(
    client: TestClient, engine: Engine, orchard: int
) -> None:
    response = client.post("/admin/orchard/delete", data={"pks": str(orchard)})

    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert (
        'Deleted orchard "Old Hill". With it: 2 fruit trees, 7 harvests and 1 '
        "orchard sign. Unlinked: 1 beehive."
    ) in html.unescape(page.text)
    for model in (
        cascade.Orchard,
        cascade.FruitTree,
        cascade.Harvest,
        cascade.OrchardSign,
        cascade.OrchardVarietyLink,
    ):
        assert count(engine, model) == 0, model
    assert count(engine, cascade.Beehive, cascade.Beehive.orchard_id.is_(None)) == 1  # type: ignore[union-attr]
    assert count(engine, cascade.Variety) == 1


def test_rows_that_would_go_along_block_when_others_refer_to_them(
    client: TestClient, engine: Engine, orchard: int
) -> None:
    with Session(engine) as session:
        tree = session.exec(select(cascade.FruitTree)).first()
        assert tree is not None and tree.id is not None
        session.add(cascade.Inspection(reference="I-1", tree_id=tree.id))
        session.add(cascade.OrchardLedger(orchard_id=orchard))
        session.commit()

    summary = client.get(f"/admin/orchard/delete?pks={orchard}", headers=JSON).json()
    response = client.post("/admin/orchard/delete", data={"pks": str(orchard)})

    message = (
        'Cannot delete orchard "Old Hill": 1 orchard ledger refers to it; '
        "1 inspection refers to fruit trees that would go with it."
    )
    assert summary["blocked"] is True and summary["message"] == message
    assert refusal(client, response) == message
    assert count(engine, cascade.Orchard) == 1
    assert count(engine, cascade.FruitTree) == 2
    assert count(engine, cascade.Harvest) == 7
    assert count(engine, cascade.OrchardSign) == 1
    assert count(engine, cascade.Beehive, cascade.Beehive.orchard_id == orchard) == 1


def test_a_refused_confirmation_disables_its_delete_button(
    client: TestClient, engine: Engine, orchard: int
) -> None:
    add(engine, cascade.OrchardLedger(orchard_id=orchard))

    page = client.get(f"/admin/orchard/delete?pks={orchard}")

    assert 'data-blocked="true"' in page.text
    assert 'data-role="delete-confirm" disabled' in page.text
    assert 'name="pks"' not in page.text  # nothing to post
    assert "1 orchard ledger refers to it" in html.unescape(page.text)


def plots(engine: Engine, depth: int) -> list[int]:
    """A chain of ``depth`` plots, each the child of the one before."""
    with Session(engine) as session:
        chain = [cascade.Plot(name="p0")]
        for level in range(1, depth):
            chain.append(cascade.Plot(name=f"p{level}", parent=chain[-1]))
        session.add_all(chain)
        session.commit()
        return [plot.id for plot in chain]  # type: ignore[misc]


def test_a_self_referencing_tree_goes_whole_within_the_depth_limit(
    client: TestClient, engine: Engine
) -> None:
    cascade.HOOK_CALLS.clear()
    shallow = plots(engine, 4)
    deep = plots(engine, 8)

    refused = client.post("/admin/plot/delete", data={"pks": str(deep[0])})
    assert refusal(client, refused) == (
        'Cannot delete plot "p0": plots below it nest more than 5 levels deep.'
    )
    assert count(engine, cascade.Plot) == 12

    response = client.post("/admin/plot/delete", data={"pks": str(shallow[0])})
    assert response.status_code == 303
    assert count(engine, cascade.Plot) == 8
    # sqladmin's hooks ran for the selected row, before and after.
    assert cascade.HOOK_CALLS == [("on", "p0"), ("after", "p0")]


def test_a_hook_that_raises_stops_the_delete_with_its_message(
    client: TestClient, engine: Engine
) -> None:
    keep = cascade.Plot(name="keep")
    add(engine, keep)

    response = client.post("/admin/plot/delete", data={"pks": str(keep.id)})

    assert refusal(client, response) == 'Cannot delete plot "keep": this plot is kept'
    assert count(engine, cascade.Plot) == 1


def clubs(engine: Engine, *names: str) -> list[int]:
    rows = [Club(name=name) for name in names]
    add(engine, *rows)
    return [row.id for row in rows]  # type: ignore[misc]


def test_bulk_delete_is_all_or_nothing(client: TestClient, engine: Engine) -> None:
    first, busy, last = clubs(engine, "A", "B", "C")
    add(engine, Member(email="m@example.com", club_id=busy))

    summary = client.get(
        f"/admin/club/delete?pks={first},{busy},{last}", headers=JSON
    ).json()
    response = client.post(
        "/admin/club/delete", data={"pks": [str(first), str(busy), str(last)]}
    )

    message = (
        "Cannot delete 1 of the 3 selected clubs, so nothing was deleted: "
        'club "Club B": 1 member refers to it.'
    )
    assert summary["message"] == message
    assert refusal(client, response) == message
    assert count(engine, Club) == 3

    response = client.post("/admin/club/delete", data={"pks": f"{first},{last}"})
    assert response.status_code == 303
    with Session(engine) as session:
        assert session.exec(select(Club.name)).all() == ["B"]
    assert "Deleted 2 clubs." in html.unescape(
        client.get(response.headers["location"]).text
    )


def test_selected_rows_that_refer_to_each_other_go_together(
    client: TestClient, engine: Engine
) -> None:
    mentor = cascade.Picker(name="Mentor")
    add(engine, mentor)
    mentee = cascade.Picker(name="Mentee", mentor_id=mentor.id)
    add(engine, mentee)

    alone = client.post("/admin/picker/delete", data={"pks": str(mentor.id)})
    assert refusal(client, alone) == (
        'Cannot delete picker "Mentor": 1 picker refers to it.'
    )

    both = client.post(
        "/admin/picker/delete", data={"pks": [str(mentor.id), str(mentee.id)]}
    )
    assert both.status_code == 303
    assert count(engine, cascade.Picker) == 0


def test_a_missing_row_in_a_bulk_delete_stops_it_with_a_message(
    client: TestClient, engine: Engine
) -> None:
    (club,) = clubs(engine, "Solo")

    response = client.post("/admin/club/delete", data={"pks": [str(club), "99999"]})

    assert refusal(client, response) == (
        "Cannot delete the 2 selected clubs, so nothing was deleted: "
        "1 of them no longer exists (#99999)."
    )
    assert count(engine, Club) == 1


NOT_FOUND = [
    ("club", "abc"),  # not an integer
    ("club", "99999"),  # no such row
    ("club", "99999999999999999999"),  # past any integer key
    ("member", "not-a-uuid"),
    ("member", str(uuid.uuid4())),  # no such row
    ("membership", "1"),  # a composite key needs both parts
    ("membership", "1;nope"),
]


def test_a_malformed_or_unknown_key_is_not_found(
    client: TestClient, engine: Engine
) -> None:
    clubs(engine, "Kept")

    for identity, pk in NOT_FOUND:
        url = f"/admin/{identity}/delete"
        assert client.get(url, params={"pks": pk}).status_code == 404, pk
        assert client.post(url, data={"pks": pk}).status_code == 404, pk
        assert client.delete(url, params={"pks": pk}).status_code == 404, pk
    assert count(engine, Club) == 1


def test_a_view_that_may_not_delete_refuses_every_method(
    client: TestClient, engine: Engine
) -> None:
    variety = cascade.Variety(name="Gala")
    add(engine, variety)

    for method in ("GET", "POST", "DELETE"):
        response = client.request(
            method, f"/admin/variety/delete?pks={variety.id}", data={"pks": "1"}
        )
        assert response.status_code == 403, method
    assert count(engine, cascade.Variety) == 1


def test_anonymous_users_cannot_delete_or_see_what_would_go(
    anonymous: TestClient, engine: Engine
) -> None:
    (club,) = clubs(engine, "Private")

    for response in (
        anonymous.get(f"/admin/club/delete?pks={club}", headers=JSON),
        anonymous.post("/admin/club/delete", data={"pks": str(club)}),
        anonymous.delete(f"/admin/club/delete?pks={club}"),
    ):
        assert response.status_code == 302
        assert response.headers["location"].split("?")[0].endswith("/admin/login")
    assert count(engine, Club) == 1


def test_a_database_refusal_is_told_in_words_not_sql(
    client: TestClient, engine: Engine
) -> None:
    """A foreign key outside the models' MetaData is unknown to the plan: the
    database refuses, and the user reads why, with nothing deleted."""
    (club,) = clubs(engine, "Hidden")
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE club_note (id INTEGER PRIMARY KEY, "
                "club_id INTEGER NOT NULL REFERENCES club (id))"
            )
        )
        connection.execute(text(f"INSERT INTO club_note VALUES (1, {club})"))

    response = client.post("/admin/club/delete", data={"pks": str(club)})

    message = refusal(client, response)
    assert message == (
        'Cannot delete club "Club Hidden": other rows still refer to it '
        "(the database refused). Nothing was deleted."
    )
    assert count(engine, Club) == 1


@pytest.fixture
def async_client(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> Iterator[TestClient]:
    """The admin on an async engine (aiosqlite, asyncpg, asyncmy) over the same
    database."""
    app = create_app(make_settings(async_url(database_url), tmp_path, models=MODELS))
    with TestClient(app, follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


def test_an_async_engine_plans_and_deletes_the_same(
    async_client: TestClient, engine: Engine, orchard: int
) -> None:
    summary = async_client.get(
        f"/admin/orchard/delete?pks={orchard}", headers=JSON
    ).json()
    assert ("cascade", "7 harvests") in {
        (g["kind"], g["text"]) for g in summary["groups"]
    }

    response = async_client.post("/admin/orchard/delete", data={"pks": str(orchard)})

    assert response.status_code == 303
    assert count(engine, cascade.Harvest) == 0
    assert count(engine, cascade.Beehive, cascade.Beehive.orchard_id.is_(None)) == 1  # type: ignore[union-attr]
