"""Restoring a deleted row from its history page: with its key and recorded
values, validated like a create, the rows deleted with it on request, refused
with a message (and nothing written) when its key or a unique value is taken
since or it refers to a row that is gone. On SQLite and PostgreSQL."""

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, SQLModel, select
from starlette.testclient import TestClient

import tests.cascade_models as cascade
from admin_app.app import create_app
from admin_app.audit.entries import AuditEntry
from admin_app.auth.models import Grant, Role
from admin_app.auth.users import create_user
from admin_app.settings import Settings
from tests.conftest import ADMIN_PASSWORD, login, make_settings
from tests.sample_models import Club

MODELS = ["tests.sample_models", "tests.cascade_models"]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(
        database_url, tmp_path, models=MODELS, exclude_models=["OrchardLedger"]
    )


@pytest.fixture
def orchard(engine: Engine) -> int:
    """An orchard with trees (and their harvests), a sign, a beehive and a
    variety: what goes with it, and what its delete unlinks."""
    return cascade.plant_orchard(engine, harvests=3)


def count(engine: Engine, model: type[SQLModel], *where: Any) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))  # type: ignore[no-any-return]


def entries(engine: Engine, *actions: str) -> list[AuditEntry]:
    with Session(engine) as session:
        query = select(AuditEntry).where(AuditEntry.action.in_(actions))  # type: ignore[attr-defined]
        return list(session.exec(query.order_by(AuditEntry.id)).all())  # type: ignore[arg-type]


def delete(client: TestClient, identity: str, pk: Any) -> None:
    response = client.post(f"/admin/{identity}/delete", data={"pks": str(pk)})
    assert response.status_code == 303, response.text


def deleted_club(client: TestClient, engine: Engine, name: str) -> int:
    """A club made, then deleted through the admin: its key."""
    with Session(engine) as session:
        club = Club(name=name)
        session.add(club)
        session.commit()
        pk = club.id
    assert pk is not None
    delete(client, "club", pk)
    return pk


def restore_form(client: TestClient, identity: str, pk: Any) -> dict[str, str]:
    """The restore form's fields, as the history page shows them."""
    page = client.get(f"/admin/{identity}/history/{pk}")
    assert page.status_code == 200
    form = page.text.split('data-role="restore-form"')[1].split("</form>")[0]
    return dict(
        re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
    )


def error_of(page: str) -> str:
    found = re.search(r'data-role="history-error">([^<]*)<', page)
    assert found is not None, page
    return html.unescape(found[1])


def test_a_deleted_row_comes_back_with_its_key_and_values(
    client: TestClient, engine: Engine
) -> None:
    pk = deleted_club(client, engine, "Rowing")
    assert count(engine, Club) == 0

    fields = restore_form(client, "club", pk)
    response = client.post(f"/admin/club/history/{pk}", data=fields)

    assert response.status_code == 303
    assert response.headers["location"].endswith(f"/admin/club/details/{pk}")
    with Session(engine) as session:
        back = session.get(Club, pk)
        assert back is not None and back.name == "Rowing"
    (deleted,) = entries(engine, "delete")
    (restored,) = entries(engine, "restore")
    assert restored.cause_id == deleted.id and restored.pk == str(pk)
    assert restored.changes["name"] == {"before": None, "after": "Rowing"}
    page = client.get(f"/admin/club/history/{pk}")
    assert 'data-role="restore-form"' not in page.text  # it exists again


def test_a_cascade_delete_comes_back_whole_on_request(
    client: TestClient, engine: Engine, orchard: int
) -> None:
    delete(client, "orchard", orchard)
    assert count(engine, cascade.FruitTree) == count(engine, cascade.Harvest) == 0
    page = client.get(f"/admin/orchard/history/{orchard}").text
    # 2 trees, 3 harvests, 1 sign, 1 variety link; 1 beehive unlinked
    assert "Also restore the 8 rows deleted or unlinked with it" in page

    fields = restore_form(client, "orchard", orchard)
    response = client.post(
        f"/admin/orchard/history/{orchard}", data={**fields, "with_it": "1"}
    )

    assert response.status_code == 303, response.text
    assert count(engine, cascade.Orchard) == 1
    assert (
        count(engine, cascade.FruitTree, cascade.FruitTree.orchard_id == orchard) == 2
    )
    assert count(engine, cascade.Harvest) == 3
    assert count(engine, cascade.OrchardSign) == 1
    assert count(engine, cascade.OrchardVarietyLink) == 1
    assert count(engine, cascade.Beehive, cascade.Beehive.orchard_id == orchard) == 1
    restores = entries(engine, "restore")
    assert len(restores) == 9
    undone = {entry.cause_id for entry in restores}
    went = {e.id for e in entries(engine, "delete", "cascade_delete", "unlink")}
    assert undone == went
    message = client.get(response.headers["location"]).text
    assert "With it: 7 rows." in message and "References put back: 1." in message


def test_without_asking_only_the_row_comes_back(
    client: TestClient, engine: Engine, orchard: int
) -> None:
    delete(client, "orchard", orchard)
    fields = restore_form(client, "orchard", orchard)

    response = client.post(f"/admin/orchard/history/{orchard}", data=fields)

    assert response.status_code == 303
    assert count(engine, cascade.Orchard) == 1
    assert count(engine, cascade.FruitTree) == 0
    assert count(engine, cascade.Beehive, cascade.Beehive.orchard_id.is_(None)) == 1  # type: ignore[union-attr]


def test_a_unique_value_taken_since_is_a_message_and_nothing_is_written(
    client: TestClient, engine: Engine, orchard: int
) -> None:
    delete(client, "orchard", orchard)
    with Session(engine) as session:
        session.add(cascade.Orchard(id=orchard + 100, name="Old Hill"))
        session.commit()
    fields = restore_form(client, "orchard", orchard)

    response = client.post(
        f"/admin/orchard/history/{orchard}", data={**fields, "with_it": "1"}
    )

    assert response.status_code == 409
    assert "“Old Hill”" in error_of(response.text)
    assert "taken by another row since" in error_of(response.text)
    assert count(engine, cascade.Orchard) == 1
    assert count(engine, cascade.FruitTree) == 0
    assert entries(engine, "restore") == []


def test_a_reference_to_a_row_gone_since_is_a_message_naming_it(
    client: TestClient, engine: Engine, orchard: int
) -> None:
    with Session(engine) as session:
        tree = session.exec(select(cascade.FruitTree)).first()
        assert tree is not None
        tree_id = tree.id
        session.delete(tree)
        for harvest in session.exec(select(cascade.Harvest)).all():
            session.delete(harvest)
        session.commit()
    # A tree deleted alone; then its orchard goes, and stays gone.
    with Session(engine) as session:
        session.add(cascade.FruitTree(id=tree_id, name="Pear", orchard_id=orchard))
        session.commit()
    delete(client, "fruit-tree", tree_id)
    delete(client, "orchard", orchard)
    fields = restore_form(client, "fruit-tree", tree_id)

    response = client.post(f"/admin/fruit-tree/history/{tree_id}", data=fields)

    assert response.status_code == 409
    message = error_of(response.text)
    assert "Orchard" in message and f"orchard #{orchard}" in message
    assert "no longer exists" in message
    assert count(engine, cascade.FruitTree) == 0


def test_a_row_that_exists_again_is_not_restored(
    client: TestClient, engine: Engine
) -> None:
    pk = deleted_club(client, engine, "Chess")
    fields = restore_form(client, "club", pk)
    with Session(engine) as session:
        session.add(Club(id=pk, name="Go"))
        session.commit()

    response = client.post(f"/admin/club/history/{pk}", data=fields)

    assert response.status_code == 409
    assert "exists again" in error_of(response.text)
    assert entries(engine, "restore") == []


def test_an_entry_of_another_row_or_no_entry_is_refused(
    client: TestClient, engine: Engine
) -> None:
    with Session(engine) as session:
        clubs = [Club(name="A"), Club(name="B")]
        session.add_all(clubs)
        session.commit()
        first, second = (club.id for club in clubs)
    delete(client, "club", first)
    fields = restore_form(client, "club", first)

    other = client.post(f"/admin/club/history/{second}", data=fields)
    garbage = client.post(f"/admin/club/history/{first}", data={"restore": "x"})

    assert other.status_code == 409
    assert garbage.status_code == 400
    assert count(engine, Club) == 1


def test_restoring_needs_the_add_right(
    app: Any, engine: Engine, database_url: str
) -> None:
    with Session(engine) as session:
        create_user(session, "viewer", ADMIN_PASSWORD, Role.viewer)
        club = Club(name="Rowing")
        session.add(club)
        session.commit()
        pk = club.id
    with TestClient(app, follow_redirects=False) as boss:
        create_user_boss(engine)
        login(boss, "boss2", ADMIN_PASSWORD)
        delete(boss, "club", pk)
        fields = restore_form(boss, "club", pk)
    with TestClient(app, follow_redirects=False) as viewer:
        login(viewer, "viewer", ADMIN_PASSWORD)
        page = viewer.get(f"/admin/club/history/{pk}")
        refused = viewer.post(f"/admin/club/history/{pk}", data=fields)

    assert page.status_code == 200 and 'data-role="restore-form"' not in page.text
    assert refused.status_code == 403
    assert count(engine, Club) == 0


def create_user_boss(engine: Engine) -> None:
    with Session(engine) as session:
        create_user(session, "boss2", ADMIN_PASSWORD, Role.admin)


@pytest.fixture
def forms_client(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> Iterator[TestClient]:
    values = make_settings(database_url, tmp_path, models=MODELS)
    with TestClient(create_app(values), follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


def trail_rows(client: TestClient, deleted: str) -> list[str]:
    """The (model, row) pairs the audit trail lists with its Deleted rows filter."""
    page = client.get("/admin/audit-entry/list", params={"deleted": deleted})
    assert page.status_code == 200
    return re.findall(
        r'href="http://testserver/admin/(\w[\w-]*)/history/(\d+)"', page.text
    )


def test_the_trail_lists_deleted_rows_linked_to_their_restore(
    client: TestClient, engine: Engine, orchard: int
) -> None:
    pk = deleted_club(client, engine, "Rowing")
    delete(client, "orchard", orchard)
    assert ("club", str(pk)) in trail_rows(client, "not_restored")
    assert ("orchard", str(orchard)) in trail_rows(client, "not_restored")
    page = client.get("/admin/audit-entry/list", params={"deleted": "not_restored"})
    assert "Deleted rows: Not restored" in html.unescape(page.text)  # its chip

    client.post(f"/admin/club/history/{pk}", data=restore_form(client, "club", pk))

    assert ("club", str(pk)) not in trail_rows(client, "not_restored")
    assert ("orchard", str(orchard)) in trail_rows(client, "not_restored")
    with Session(engine) as session:
        deletions = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action.in_(("delete", "cascade_delete")))  # type: ignore[attr-defined]
        )
    rows = client.get(
        "/admin/audit-entry/list", params={"deleted": "any", "pageSize": 100}
    ).text
    assert rows.count('<input type="hidden" value=') == deletions


def test_an_unknown_deleted_rows_value_is_refused(client: TestClient) -> None:
    page = client.get("/admin/audit-entry/list", params={"deleted": "maybe"})
    assert page.status_code == 200
    assert "cannot use" in html.unescape(page.text)


def test_a_reference_changed_since_the_delete_is_left_as_it_is(
    client: TestClient, engine: Engine, orchard: int
) -> None:
    delete(client, "orchard", orchard)
    with Session(engine) as session:
        other = cascade.Orchard(id=orchard + 50, name="New Hill")
        session.add(other)
        hive = session.exec(select(cascade.Beehive)).one()
        hive.orchard_id = other.id
        session.commit()
    fields = restore_form(client, "orchard", orchard)

    response = client.post(
        f"/admin/orchard/history/{orchard}", data={**fields, "with_it": "1"}
    )

    assert response.status_code == 303
    assert (
        count(engine, cascade.Beehive, cascade.Beehive.orchard_id == orchard + 50) == 1
    )
    message = html.unescape(client.get(response.headers["location"]).text)
    assert "References left as they are (changed since): 1." in message
    assert (
        count(engine, cascade.FruitTree, cascade.FruitTree.orchard_id == orchard) == 2
    )


def test_only_the_latest_deletion_of_a_row_is_restored(
    client: TestClient, engine: Engine
) -> None:
    pk = deleted_club(client, engine, "Rowing")
    first = restore_form(client, "club", pk)
    client.post(f"/admin/club/history/{pk}", data=first)
    delete(client, "club", pk)

    stale = client.post(f"/admin/club/history/{pk}", data=first)

    assert stale.status_code == 409
    assert "Only the latest deletion" in error_of(stale.text)
    assert restore_form(client, "club", pk) != first
    assert count(engine, Club) == 0


def test_rows_with_it_need_the_add_right_on_their_models(
    app: Any, client: TestClient, engine: Engine, orchard: int
) -> None:
    delete(client, "orchard", orchard)
    fields = restore_form(client, "orchard", orchard)
    with Session(engine) as session:
        create_user(session, "ed", ADMIN_PASSWORD, Role.editor)
        session.add(Grant(role=Role.editor, model="fruit-tree", can_add=False))
        session.commit()
    with TestClient(app, follow_redirects=False) as editor:
        login(editor, "ed", ADMIN_PASSWORD)
        refused = editor.post(
            f"/admin/orchard/history/{orchard}", data={**fields, "with_it": "1"}
        )
        alone = editor.post(f"/admin/orchard/history/{orchard}", data=fields)

    assert refused.status_code == 409
    assert "you may not add fruit trees" in error_of(refused.text)
    assert alone.status_code == 303  # the orchard alone: the right it has
    assert count(engine, cascade.FruitTree) == 0
    assert count(engine, cascade.Orchard) == 1


def test_the_message_names_the_field_by_its_title(
    client: TestClient, engine: Engine
) -> None:
    pk = deleted_club(client, engine, "Rowing")
    with Session(engine) as session:
        session.add(Club(id=pk + 10, name="Rowing"))
        session.commit()

    response = client.post(
        f"/admin/club/history/{pk}", data=restore_form(client, "club", pk)
    )

    assert response.status_code == 409
    assert error_of(response.text) == (
        f"Not restored: Club name “Rowing” of club #{pk} is taken by another row since."
    )
