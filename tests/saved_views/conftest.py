"""Clients of one admin for three people: an admin (``boss``), an editor
(``eddie``) and a viewer (``vera``); members to list."""

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin_app.auth.models import Role
from admin_app.auth.users import create_user
from tests.conftest import ADMIN_PASSWORD, login
from tests.sample_models import Club, Member, Tier


@pytest.fixture
def people(engine: Engine, admin_user: str) -> Engine:
    with Session(engine) as session:
        create_user(session, "eddie", ADMIN_PASSWORD, Role.editor)
        create_user(session, "vera", ADMIN_PASSWORD, Role.viewer)
        club = Club(name="Chess")
        session.add(club)
        session.flush()
        for n in range(6):
            tier = Tier.pro if n % 2 else Tier.free
            session.add(
                Member(
                    email=f"m{n}@example.com",
                    nickname=f"nick{n}",
                    tier=tier,
                    club_id=club.id,
                )
            )
        session.commit()
    return engine


@pytest.fixture
def signed_in(app: Starlette, people: Engine) -> Iterator[Callable[[str], TestClient]]:
    """``signed_in("vera")``: a client logged in as her."""
    with ExitStack() as stack:

        def make(username: str) -> TestClient:
            client = stack.enter_context(TestClient(app, follow_redirects=False))
            login(client, username, ADMIN_PASSWORD)
            return client

        yield make
