"""The audit trail: every create, update and delete (one row or several, with
what cascades) writes an entry in the change's own transaction, with the
before/after values of what changed and secrets redacted; a refused change
leaves no entry, and an entry that cannot be written stops the change. On
SQLite and PostgreSQL."""

import html
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqladmin import ModelView, action
from sqladmin.audit import NullAuditBackend
from sqlalchemy import Engine, func, select, text, update
from sqlmodel import Session, SQLModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.testclient import TestClient

import admin_app.audit.entries
from admin_app.app import create_app, mount_admin
from admin_app.audit.entries import (
    REDACTED,
    AuditEntry,
    audited,
    record_action,
    values_of,
)
from admin_app.forms.saving import AUDIT_FAILED
from admin_app.settings import Settings
from tests.cascade_models import (
    Beehive,
    FruitTree,
    Harvest,
    Orchard,
    OrchardSign,
    OrchardVarietyLink,
    Picker,
    PickerShift,
    Variety,
)
from tests.conftest import ADMIN_PASSWORD, login, make_settings
from tests.form_models import Account, Gadget, Locker, Shelf
from tests.html import form_values
from tests.sample_models import Member


def entries(engine: Engine, *actions: str) -> list[AuditEntry]:
    """The trail's entries on rows (not logins), oldest first."""
    with Session(engine) as session:
        query = select(AuditEntry).where(AuditEntry.model.is_not(None))  # type: ignore[union-attr]
        if actions:
            query = query.where(AuditEntry.action.in_(actions))  # type: ignore[attr-defined]
        return list(session.scalars(query.order_by(AuditEntry.id)).all())


def add(engine: Engine, *rows: SQLModel) -> None:
    with Session(engine) as session:
        session.add_all(rows)
        session.commit()
        for row in rows:
            session.refresh(row)
        session.expunge_all()


def count(engine: Engine, model: type[SQLModel]) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def edit(client: TestClient, url: str, **changes: str) -> Any:
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, data={**form_values(page.text), **changes, "save": "Save"})


def the_gadget(engine: Engine) -> Gadget:
    with Session(engine) as session:
        return session.scalars(select(Gadget)).one()


def test_a_create_records_every_field_it_wrote(
    forms: TestClient, engine: Engine
) -> None:
    response = forms.post(
        "/admin/gadget/create",
        data={"name": "Lamp", "count": "3", "price": "9.5", "save": "Save"},
    )
    assert response.status_code == 302
    gadget = the_gadget(engine)
    [entry] = entries(engine)
    assert (entry.action, entry.model, entry.pk) == ("create", "gadget", str(gadget.id))
    assert entry.username == "boss" and entry.user_id is not None
    assert entry.remote_addr == "testclient"
    assert entry.at is not None
    changes = entry.changes or {}
    assert changes["name"] == {"before": None, "after": "Lamp"}
    assert changes["count"] == {"before": None, "after": 3}
    assert changes["colour"] == {"before": None, "after": "R"}
    assert changes["id"]["after"] == str(gadget.id)


def test_an_edit_records_only_what_changed_before_and_after(
    forms: TestClient, engine: Engine
) -> None:
    add(engine, Gadget(name="Lamp", count=1))
    gadget = the_gadget(engine)
    url = f"/admin/gadget/edit/{gadget.id}"
    assert edit(forms, url, count="5", notes="bright").status_code == 302
    [entry] = entries(engine)
    assert (entry.action, entry.model, entry.pk) == ("update", "gadget", str(gadget.id))
    assert entry.changes == {
        "count": {"before": 1, "after": 5},
        "notes": {"before": None, "after": "bright"},
    }
    # Saving without a change is still an action someone took.
    assert edit(forms, url).status_code == 302
    assert entries(engine)[-1].changes == {}


def test_a_version_column_counted_up_is_part_of_the_change(
    forms: TestClient, engine: Engine
) -> None:
    add(engine, Shelf(label="Top"))
    with Session(engine) as session:
        shelf = session.scalars(select(Shelf)).one()
    assert edit(forms, f"/admin/shelf/edit/{shelf.id}", label="High").status_code == 302
    [entry] = entries(engine)
    assert entry.changes == {
        "label": {"before": "Top", "after": "High"},
        "version": {"before": 1, "after": 2},
    }


def test_password_hashes_never_enter_the_trail(
    forms: TestClient, engine: Engine
) -> None:
    created = forms.post(
        "/admin/account/create",
        data={
            "email": "a@example.com",
            "display_name": "A",
            "password": "sesame-123",
            "save": "Save",
        },
    )
    assert created.status_code == 302
    with Session(engine) as session:
        account = session.scalars(select(Account)).one()
    url = f"/admin/account/edit/{account.id}"
    assert edit(forms, url, password="new-secret-1").status_code == 302
    add(engine, Locker(name="v", secret_hash="hashed:old"))
    with Session(engine) as session:
        locker = session.scalars(select(Locker)).one()
    assert (
        edit(forms, f"/admin/locker/edit/{locker.id}", secret_hash="abcdef").status_code
        == 302
    )

    create, update, locker_update = entries(engine)
    assert create.changes and create.changes["password_hash"] == {
        "before": None,
        "after": REDACTED,
    }
    assert update.changes == {"password_hash": {"before": REDACTED, "after": REDACTED}}
    assert locker_update.changes == {
        "secret_hash": {"before": REDACTED, "after": REDACTED}
    }
    trail = json.dumps([e.changes for e in entries(engine)])
    for secret in ("sesame-123", "new-secret-1", "abcdef", "hashed:"):
        assert secret not in trail
        assert secret[::-1] not in trail


def test_sensitive_columns_are_redacted() -> None:
    member = Member(email="m@example.com", api_token="tok-123", pin_code="4321")
    changes = admin_app.audit.entries.changed_values(
        None, values_of(member), admin_app.audit.entries.secret_columns(Member)
    )
    assert changes["api_token"] == {"before": None, "after": REDACTED}
    assert changes["pin_code"] == {"before": None, "after": REDACTED}
    assert changes["email"] == {"before": None, "after": "m@example.com"}


def test_a_save_the_database_refuses_leaves_no_entry(
    forms: TestClient, engine: Engine
) -> None:
    add(engine, Gadget(name="Lamp"))
    again = forms.post("/admin/gadget/create", data={"name": "Lamp", "save": "Save"})
    assert again.status_code == 400
    assert entries(engine) == []
    assert count(engine, Gadget) == 1


def test_an_entry_that_cannot_be_written_stops_the_save(
    forms: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(engine, Gadget(name="Lamp", count=1))
    gadget = the_gadget(engine)
    url = f"/admin/gadget/edit/{gadget.id}"
    page = form_values(forms.get(url).text)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the trail is full")

    monkeypatch.setattr(admin_app.audit.entries, "record", broken)
    created = forms.post("/admin/gadget/create", data={"name": "Desk", "save": "Save"})
    assert created.status_code == 400
    assert AUDIT_FAILED in created.text
    edited = forms.post(url, data={**page, "count": "9", "save": "Save"})
    assert edited.status_code == 400
    assert AUDIT_FAILED in edited.text
    deleted = forms.post("/admin/gadget/delete", data={"pks": str(gadget.id)})
    assert deleted.status_code == 303
    listing = forms.get(deleted.headers["location"])
    alert = listing.text.split('<div class="alert alert-danger" role="alert">')[1]
    assert html.unescape(alert.split("</div>")[0]).strip() == (
        'Cannot delete gadget "Lamp": the audit trail could not record it. '
        "Nothing was deleted."
    )
    monkeypatch.undo()

    assert count(engine, Gadget) == 1
    assert the_gadget(engine).count == 1
    assert entries(engine) == []


def test_a_missing_audit_table_stops_every_change(
    forms: TestClient, engine: Engine
) -> None:
    add(engine, Gadget(name="Lamp", count=1))
    gadget = the_gadget(engine)
    url = f"/admin/gadget/edit/{gadget.id}"
    page = form_values(forms.get(url).text)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE admin_app_audit"))

    created = forms.post("/admin/gadget/create", data={"name": "Desk", "save": "Save"})
    assert created.status_code == 400 and AUDIT_FAILED in created.text
    edited = forms.post(url, data={**page, "count": "9", "save": "Save"})
    assert edited.status_code == 400 and AUDIT_FAILED in edited.text
    deleted = forms.post("/admin/gadget/delete", data={"pks": str(gadget.id)})
    assert deleted.status_code == 303
    assert count(engine, Gadget) == 1
    assert the_gadget(engine).count == 1


def test_deleting_several_rows_records_each(forms: TestClient, engine: Engine) -> None:
    add(engine, Gadget(name="Lamp"), Gadget(name="Desk", notes="oak"))
    with Session(engine) as session:
        ids = {g.name: str(g.id) for g in session.scalars(select(Gadget))}
    response = forms.post(
        "/admin/gadget/delete", data={"pks": [ids["Lamp"], ids["Desk"]]}
    )
    assert response.status_code == 303
    found = {e.pk: e for e in entries(engine)}
    assert set(found) == set(ids.values())
    desk = found[ids["Desk"]]
    assert desk.action == "delete" and desk.model == "gadget"
    assert desk.changes and desk.changes["notes"] == {"before": "oak", "after": None}
    assert desk.changes["name"] == {"before": "Desk", "after": None}


# Deletes that take other rows along.


@pytest.fixture
def orchards(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> Iterator[TestClient]:
    settings = make_settings(
        database_url,
        tmp_path,
        models=["tests.cascade_models"],
        exclude_models=["OrchardLedger"],
    )
    with TestClient(create_app(settings), follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


def test_a_delete_records_what_cascades_and_what_it_unlinks(
    orchards: TestClient, engine: Engine
) -> None:
    orchard, variety, picker = (
        Orchard(name="North"),
        Variety(name="Gala"),
        Picker(name="Pat"),
    )
    add(engine, orchard, variety, picker)
    tree = FruitTree(name="Old oak", orchard_id=orchard.id)
    add(engine, tree)
    add(
        engine,
        Harvest(name="2024", tree_id=tree.id),
        OrchardSign(name="Gate", orchard_id=orchard.id),
        Beehive(name="Hive", orchard_id=orchard.id),
        PickerShift(orchard_id=orchard.id, picker_id=picker.id, hours=6),
        OrchardVarietyLink(orchard_id=orchard.id, variety_id=variety.id),
    )
    response = orchards.post("/admin/orchard/delete", data={"pks": str(orchard.id)})
    assert response.status_code == 303
    assert count(engine, Orchard) == 0

    by_model = {(e.model, e.action): e for e in entries(engine)}
    assert set(by_model) == {
        ("orchard", "delete"),
        ("fruit-tree", "cascade_delete"),
        ("harvest", "cascade_delete"),
        ("orchard-sign", "cascade_delete"),
        ("picker-shift", "cascade_delete"),
        ("orchard-variety-link", "cascade_delete"),
        ("beehive", "unlink"),
    }
    assert by_model["orchard", "delete"].pk == str(orchard.id)
    assert by_model["orchard", "delete"].changes == {
        "id": {"before": orchard.id, "after": None},
        "name": {"before": "North", "after": None},
    }
    shift = by_model["picker-shift", "cascade_delete"]
    assert shift.pk == f"{orchard.id};{picker.id}"
    assert shift.changes and shift.changes["hours"] == {"before": 6, "after": None}
    assert by_model["harvest", "cascade_delete"].changes == {
        "id": {"before": 1, "after": None},
        "name": {"before": "2024", "after": None},
        "tree_id": {"before": tree.id, "after": None},
    }
    hive = by_model["beehive", "unlink"]
    assert hive.changes == {"orchard_id": {"before": orchard.id, "after": None}}


# What sqladmin writes itself, and custom actions.


class PlainShelfAdmin(ModelView, model=Shelf):
    """A declared plain ModelView: sqladmin's own create and edit pages."""

    form_columns = ["label"]
    column_list = ["id", "label"]


class PlainShiftAdmin(ModelView, model=PickerShift):
    """sqladmin's CSV import (its coercion fails on sqlmodel's string type,
    so a table of integers)."""

    column_list = ["orchard_id", "picker_id", "hours"]
    can_import = True
    column_import_list = ["orchard", "picker", "hours"]


@pytest.fixture
def plain(settings: Settings, engine: Engine, admin_user: str) -> Iterator[TestClient]:
    app = Starlette()
    site = mount_admin(
        app,
        models=[Shelf, PickerShift, Orchard, Picker],
        views=[PlainShelfAdmin, PlainShiftAdmin],
        settings=settings,
    )
    # Ours replaces sqladmin's audit hook: it must not log a second time.
    assert isinstance(site.audit_backend, NullAuditBackend)
    with TestClient(app, follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


def test_sqladmins_own_create_and_edit_are_audited(
    plain: TestClient, engine: Engine
) -> None:
    created = plain.post("/admin/shelf/create", data={"label": "Top"})
    assert created.status_code == 302, created.text
    with Session(engine) as session:
        shelf = session.scalars(select(Shelf)).one()
    edited = plain.post(f"/admin/shelf/edit/{shelf.id}", data={"label": "High"})
    assert edited.status_code == 302, edited.text
    create, update = entries(engine)
    assert (create.action, create.model, create.pk) == (
        "create",
        "shelf",
        str(shelf.id),
    )
    assert create.changes and create.changes["label"] == {
        "before": None,
        "after": "Top",
    }
    assert create.username == "boss"
    assert (update.action, update.pk) == ("update", str(shelf.id))
    assert update.changes == {"label": {"before": "Top", "after": "High"}}


def test_an_import_records_each_row_in_its_transaction(
    plain: TestClient, engine: Engine
) -> None:
    orchard, picker, other = (
        Orchard(name="North"),
        Picker(name="Pat"),
        Picker(name="Sam"),
    )
    add(engine, orchard, picker, other)

    def upload(*lines: str) -> Any:
        csv = "orchard,picker,hours\n" + "".join(line + "\n" for line in lines)
        return plain.post(
            "/admin/picker-shift/import",
            files={"csvfile": ("shifts.csv", csv.encode(), "text/csv")},
        )

    response = upload(f"{orchard.id},{picker.id},6", f"{orchard.id},{other.id},4")
    assert response.status_code == 200, response.text
    assert '"ok": true' in response.text
    imported = entries(engine)
    assert [e.action for e in imported] == ["import", "import"]
    assert {e.pk for e in imported} == {
        f"{orchard.id};{picker.id}",
        f"{orchard.id};{other.id}",
    }
    assert sorted((e.changes or {})["hours"]["after"] for e in imported) == [4, 6]
    assert imported[0].username == "boss"
    # A refused import (a duplicate key) is rolled back, its entries with it.
    # (On SQLite, pysqlite's savepoints let sqladmin's import keep the rows
    # before the refused one; their entries stay with them.)
    third = Picker(name="Kim")
    add(engine, third)
    refused = upload(f"{orchard.id},{third.id},2", f"{orchard.id},{picker.id},1")
    assert '"ok": false' in refused.text
    assert len(entries(engine)) == count(engine, PickerShift)
    if engine.dialect.name == "postgresql":
        assert count(engine, PickerShift) == 2


class ArchivingShelfAdmin(ModelView, model=Shelf):
    """Custom actions: one through the ORM (audited by itself), one with a SQL
    statement (recording its entry with the helper)."""

    column_list = ["id", "label"]

    @action("archive", "Archive")
    async def archive(self, request: Request) -> Response:
        pks = [int(pk) for pk in request.query_params["pks"].split(",")]
        with self.session_maker() as session:
            for shelf in session.scalars(select(Shelf).where(Shelf.id.in_(pks))):  # type: ignore[union-attr]
                shelf.label = f"Archived {shelf.label}"
            session.commit()
        return PlainTextResponse("archived")

    @action("rename", "Rename")
    async def rename(self, request: Request) -> Response:
        pk = int(request.query_params["pks"])
        with self.session_maker() as session:
            shelf = session.get(Shelf, pk)
            assert shelf is not None
            before = values_of(shelf)
            session.execute(
                update(Shelf).where(Shelf.id == pk).values(label="Renamed")  # type: ignore[arg-type]
            )
            session.refresh(shelf)
            record_action(
                session, request, self, "rename", shelf, before, values_of(shelf)
            )
            session.commit()
        return PlainTextResponse("renamed")


@pytest.fixture
def actions(
    settings: Settings, engine: Engine, admin_user: str
) -> Iterator[TestClient]:
    app = Starlette()
    mount_admin(app, models=[Shelf], views=[ArchivingShelfAdmin], settings=settings)
    with TestClient(app, follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


def test_custom_actions_are_audited(actions: TestClient, engine: Engine) -> None:
    add(engine, Shelf(label="Top"), Shelf(label="Low"))
    with Session(engine) as session:
        ids = {s.label: s.id for s in session.scalars(select(Shelf))}
    response = actions.post(
        f"/admin/shelf/action/archive?pks={ids['Top']},{ids['Low']}"
    )
    assert response.status_code == 200, response.text
    archived = entries(engine)
    assert [e.action for e in archived] == ["action:archive", "action:archive"]
    assert {e.pk: e.changes for e in archived} == {
        str(ids["Top"]): {"label": {"before": "Top", "after": "Archived Top"}},
        str(ids["Low"]): {"label": {"before": "Low", "after": "Archived Low"}},
    }
    assert archived[0].username == "boss"

    assert (
        actions.post(f"/admin/shelf/action/rename?pks={ids['Top']}").status_code == 200
    )
    renamed = entries(engine)[-1]
    assert (renamed.action, renamed.pk) == ("action:rename", str(ids["Top"]))
    assert renamed.changes == {"label": {"before": "Archived Top", "after": "Renamed"}}
    assert len(entries(engine)) == 3  # the helper's entry only, not a second


class _Request:
    """Just what the trail reads from a request."""

    class state:
        admin_user = None

    client = None


def test_custom_actions_record_through_the_helper(engine: Engine) -> None:
    class ShelfView(ModelView, model=Shelf):
        pass

    add(engine, Shelf(label="Top"))
    with Session(engine) as session:
        shelf = session.scalars(select(Shelf)).one()
        before = values_of(shelf)
        shelf.label = "Archived"
        record_action(
            session, _Request(), ShelfView(), "archive", shelf, before, values_of(shelf)
        )  # type: ignore[arg-type]
        session.rollback()  # the action fails: its entry goes with it
    assert entries(engine) == []
    with Session(engine) as session:
        shelf = session.scalars(select(Shelf)).one()
        with audited(_Request(), ShelfView(), "action:archive"):  # type: ignore[arg-type]
            shelf.label = "Archived"
            session.commit()
    [entry] = entries(engine)
    assert (entry.action, entry.model) == ("action:archive", "shelf")
    assert entry.changes == {"label": {"before": "Top", "after": "Archived"}}
