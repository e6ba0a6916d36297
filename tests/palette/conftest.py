"""A client signed in as a new user of a given role, some models' view grant
taken away."""

import itertools
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin_app.auth.models import Grant, Role
from admin_app.auth.users import create_user
from tests.conftest import login

PASSWORD = "a long enough password"


@pytest.fixture
def client_for_role(
    app: Starlette, engine: Engine
) -> Iterator[Callable[..., TestClient]]:
    numbers = itertools.count()
    with ExitStack() as stack:

        def make(role: str, no_view: tuple[str, ...] | list[str] = ()) -> TestClient:
            name = f"{role}-{next(numbers)}"
            with Session(engine) as session:
                create_user(session, name, PASSWORD, Role(role))
                for identity in no_view:
                    session.add(Grant(role=Role(role), model=identity, can_view=False))
                session.commit()
            client = stack.enter_context(TestClient(app, follow_redirects=False))
            login(client, name, PASSWORD)
            return client

        yield make
