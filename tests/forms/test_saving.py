"""Saving a validated form: one transaction, picked collections replaced, a
refusal anywhere leaves nothing behind, sqladmin's hooks still called."""

from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin_app.app import mount_admin
from admin_app.keys import RowNotFound, row_clauses
from admin_app.settings import Settings
from tests.conftest import ADMIN_PASSWORD, login
from tests.html import field_errors, form_values
from tests.sample_models import Club, ClubTagLink, Membership, Tag


def tags_of(engine: Engine, club_id: int) -> list[str]:
    with Session(engine) as session:
        return sorted(
            session.scalars(
                select(Tag.label)
                .join(ClubTagLink)
                .where(ClubTagLink.club_id == club_id)
            ).all()
        )


def make(engine: Engine, *rows: Any) -> list[Any]:
    with Session(engine) as session:
        session.add_all(rows)
        session.commit()
        for row in rows:
            session.refresh(row)
        session.expunge_all()
    return list(rows)


def test_picked_collections_replace_the_old_ones(
    client: TestClient, engine: Engine
) -> None:
    club, a, b = make(engine, Club(name="Rowing"), Tag(label="a"), Tag(label="b"))
    url = f"/admin/club/edit/{club.id}"
    values = form_values(client.get(url).text)
    assert (
        client.post(
            url, data={**values, "tags": [str(a.id), str(b.id)], "save": "Save"}
        ).status_code
        == 302
    )
    assert tags_of(engine, club.id) == ["a", "b"]
    values = form_values(client.get(url).text)
    assert (
        client.post(
            url, data={**values, "tags": [str(b.id)], "save": "Save"}
        ).status_code
        == 302
    )
    assert tags_of(engine, club.id) == ["b"]


def test_a_picked_row_deleted_meanwhile_refuses_the_whole_save(
    client: TestClient, engine: Engine
) -> None:
    club, a = make(engine, Club(name="Rowing"), Tag(label="a"))
    url = f"/admin/club/edit/{club.id}"
    values = form_values(client.get(url).text)
    response = client.post(
        url,
        data={**values, "name": "Renamed", "tags": [str(a.id), "999"], "save": "Save"},
    )
    assert response.status_code == 400
    assert "does not exist" in field_errors(response.text)["tags"][0]
    with Session(engine) as session:
        assert session.get(Club, club.id).name == "Rowing"  # type: ignore[union-attr]
    assert tags_of(engine, club.id) == []


def test_one_to_many_children_are_never_touched(
    client: TestClient, engine: Engine
) -> None:
    from tests.sample_models import Member

    club, member = make(engine, Club(name="Rowing"), Member(email="m@example.com"))
    make(engine, Membership(club_id=club.id, member_id=member.id, is_training=True))
    url = f"/admin/club/edit/{club.id}"
    values = form_values(client.get(url).text)
    assert (
        client.post(url, data={**values, "motto": "Row!", "save": "Save"}).status_code
        == 302
    )
    with Session(engine) as session:
        [kept] = session.scalars(select(Membership)).all()
    assert (kept.club_id, kept.is_training) == (club.id, True)


def test_the_change_hook_runs_before_the_commit(
    settings: Settings, engine: Engine, admin_user: str
) -> None:
    app = Starlette()
    site = mount_admin(app, settings=settings)
    [club_view] = [v for v in site.views if getattr(v, "model", None) is Club]
    seen: list[tuple[str, bool]] = []

    async def on_change(
        data: dict[str, Any], model: Any, created: bool, request: Any
    ) -> None:
        seen.append((model.name, created))
        model.motto = "set by the hook"

    club_view.on_model_change = on_change  # type: ignore[method-assign]
    with TestClient(app, follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        page = form_values(client.get("/admin/club/create").text)
        response = client.post(
            "/admin/club/create", data={**page, "name": "Chess", "save": "Save"}
        )
        assert response.status_code == 302
    assert seen == [("Chess", True)]
    with Session(engine) as session:
        assert session.scalars(select(Club.motto)).one() == "set by the hook"


def test_key_clauses_refuse_what_cannot_be_a_key() -> None:
    for identifier in ("abc", "1;2", str(2**64)):
        try:
            row_clauses(Club, identifier)
        except RowNotFound:
            continue
        raise AssertionError(f"{identifier!r} accepted")
    assert len(row_clauses(Membership, "1;5b6a6c3e-8f0b-4a1e-9d59-2f7a1b9c1d2e")) == 2
