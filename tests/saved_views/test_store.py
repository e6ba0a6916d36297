"""Names taken at the same moment: two admins sharing one name, or one person
saving one name twice, on two connections at once. The check before saving
cannot see a save not yet committed; the database's unique indexes (on
MariaDB/MySQL the one over the generated ``shared_name``) refuse the second,
and it gets the message the check gives."""

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, event, insert, select
from sqlmodel import Session, col

from admin_app.audit.entries import Actor, AuditEntry
from admin_app.auth.models import AdminUser, Role
from admin_app.auth.users import create_user, find_user
from admin_app.saved_views import store
from admin_app.saved_views.models import SavedView
from tests.conftest import ADMIN_PASSWORD
from tests.saved_views.helpers import stored


def user(engine: Engine, name: str) -> AdminUser:
    with Session(engine) as session:
        found = find_user(session, name)
        assert found is not None
        return found


def create(session: Session, who: AdminUser, shared: bool) -> None:
    actor = Actor(user=who, remote_addr="10.0.0.2")
    store.create(
        session, actor, model="member", name="Team", query="tier=pro", shared=shared
    )


def share_ones_own(session: Session, who: AdminUser, shared: bool) -> None:
    """Share a private view of that name (made before the race)."""
    mine = session.scalars(
        select(col(SavedView.id)).where(col(SavedView.owner_id) == who.id)
    ).one()
    actor = Actor(user=who, remote_addr="10.0.0.2")
    assert store.change(session, actor, mine, shared=shared)


SHARED_TAKEN = "A shared view of this list is called “Team” already."
OWN_TAKEN = "You have a view of this list called “Team” already."


@pytest.mark.parametrize(
    ("second", "who", "shared", "refusal"),
    [
        (create, "ada", True, SHARED_TAKEN),
        (share_ones_own, "ada", True, SHARED_TAKEN),
        (create, "boss", False, OWN_TAKEN),
    ],
    ids=["two-admins-share-one-name", "one-shares-as-another-saves", "one-saves-twice"],
)
def test_a_name_taken_meanwhile_is_refused_by_the_database(
    engine: Engine,
    admin_user: str,
    second: Callable[[Session, AdminUser, bool], None],
    who: str,
    shared: bool,
    refusal: str,
) -> None:
    with Session(engine) as session:
        create_user(session, "ada", ADMIN_PASSWORD, Role.admin)
    boss, other = user(engine, "boss"), user(engine, who)
    if second is share_ones_own:
        with Session(engine) as session:
            create(session, other, shared=False)
    inserting = threading.Event()
    outcome: list[Any] = []

    def save_meanwhile() -> None:
        with Session(engine) as session:

            @event.listens_for(session, "before_flush")
            def writing(*_: Any) -> None:
                inserting.set()

            try:
                second(session, other, shared)
                outcome.append("saved")
            except store.NameRefused as refused:
                outcome.append(refused.args[0])
            except BaseException as error:
                outcome.append(error)
            finally:
                inserting.set()

    # The first save is in its transaction, its row written, not committed.
    with engine.connect() as first:
        first.execute(
            insert(SavedView).values(
                model="member",
                name="Team",
                owner_id=boss.id,
                shared=shared,
                query="tier=free",
            )
        )
        thread = threading.Thread(target=save_meanwhile)
        thread.start()
        # The second has checked the name (free: the first is not committed)
        # and is writing its row: it waits on the first's, or is about to.
        assert inserting.wait(10)
        time.sleep(0.2)
        first.commit()
    thread.join(20)

    assert outcome == [refusal]
    rows = [(row.name, row.owner_id, row.shared, row.query) for row in stored(engine)]
    if second is share_ones_own:
        assert rows == [
            ("Team", other.id, False, "tier=pro"),  # still private
            ("Team", boss.id, True, "tier=free"),
        ]
    else:
        assert rows == [("Team", boss.id, shared, "tier=free")]
    with Session(engine) as session:  # nothing of the refused save is kept
        actions = list(session.scalars(select(col(AuditEntry.action))))
    assert actions == (["view:save"] if second is share_ones_own else [])
