"""The demo's own forms posted back as a browser without JavaScript does: the
three saves that once cleared relations (a project's team and members, a user's
team, an order's requester) change nothing they did not show changed."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from admin_app.app import create_app
from admin_app.settings import Settings
from models.tables import Order, Project, ProjectMember, Team, User
from tests.conftest import ADMIN_PASSWORD, login, make_settings
from tests.html import field_errors, form_values


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path, models=["models"])


@pytest.fixture
def demo(engine: Engine) -> dict[str, Any]:
    with Session(engine) as session:
        team = Team(name="Platform")
        session.add(team)
        session.flush()
        users = [
            User(
                email=f"u{i}@example.com",
                full_name=f"User {i}",
                hashed_password="x",
                team_id=team.id,
            )
            for i in range(3)
        ]
        project = Project(name="Apollo", team_id=team.id)
        session.add_all([*users, project])
        session.flush()
        session.add_all(
            [ProjectMember(project_id=project.id, user_id=u.id) for u in users]
        )
        order = Order(reference="PO-1", requester_id=users[0].id, project_id=project.id)
        session.add(order)
        session.commit()
        return {
            "team": team.id,
            "users": [u.id for u in users],
            "project": project.id,
            "order": order.id,
        }


@pytest.fixture
def client(settings: Settings, engine: Engine, admin_user: str) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


def resubmit(client: TestClient, url: str, **changes: str) -> None:
    data = {**form_values(client.get(url).text), **changes, "save": "Save"}
    response = client.post(url, data=data)
    assert response.status_code == 302, field_errors(response.text)


def test_a_project_keeps_its_team_and_members(
    client: TestClient, engine: Engine, demo: dict[str, Any]
) -> None:
    resubmit(client, f"/admin/project/edit/{demo['project']}")
    with Session(engine) as session:
        project = session.get(Project, demo["project"])
        assert project is not None and project.team_id == demo["team"]
        members = session.scalars(
            select(ProjectMember.user_id).where(
                ProjectMember.project_id == demo["project"]
            )
        ).all()
        assert sorted(members) == sorted(demo["users"])


def test_a_user_renamed_keeps_their_team(
    client: TestClient, engine: Engine, demo: dict[str, Any]
) -> None:
    user_id = demo["users"][1]
    resubmit(client, f"/admin/user/edit/{user_id}", full_name="Renamed")
    with Session(engine) as session:
        user = session.get(User, user_id)
        assert user is not None
        assert (user.full_name, user.team_id) == ("Renamed", demo["team"])


def test_an_order_posted_unchanged_is_saved_unchanged(
    client: TestClient, engine: Engine, demo: dict[str, Any]
) -> None:
    with Session(engine) as session:
        before = session.get(Order, demo["order"])
        assert before is not None
        before_values = before.model_dump()
    resubmit(client, f"/admin/order/edit/{demo['order']}")
    with Session(engine) as session:
        after = session.get(Order, demo["order"])
        assert after is not None
        assert after.model_dump() == before_values
