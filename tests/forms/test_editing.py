"""The create and edit pages, over HTTP: errors by field with HTTP 400 and
nothing written, database refusals as form errors, only shown fields written,
passwords hashed, stale edits refused. On SQLite, PostgreSQL and MariaDB."""

import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text, update
from sqlmodel import Session, SQLModel
from starlette.testclient import TestClient

from admin_app.app import create_app
from admin_app.auth.passwords import verify_password
from models.tables import User
from tests.conftest import ADMIN_PASSWORD, login, make_settings
from tests.engines import async_url
from tests.form_models import Account, Box, Gadget, Locker, Shelf
from tests.html import field_errors, form_values, read_form


def count(engine: Engine, model: type[SQLModel]) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def one(engine: Engine, model: type[SQLModel]):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return session.scalars(select(model)).one()


def snapshot_of(html: str) -> str:
    match = re.search(r'name="_row_snapshot" value="([^"]*)"', html)
    assert match, "the edit form carries the row snapshot"
    return match.group(1)


def edit(client: TestClient, url: str, **changes: str):  # type: ignore[no-untyped-def]
    """Open the edit form, change some inputs, save."""
    page = client.get(url)
    assert page.status_code == 200
    data = {**form_values(page.text), **changes, "save": "Save"}
    return client.post(url, data=data)


def test_invalid_create_shows_each_error_by_its_field(
    forms: TestClient, engine: Engine
) -> None:
    response = forms.post(
        "/admin/gadget/create",
        data={
            "name": "SHOUT",
            "count": "-1",
            "code": "lower",
            "notes": "<b>bold</b>",
            "save": "Save",
        },
    )
    assert response.status_code == 400
    errors = field_errors(response.text)
    assert errors["name"] == ["Please don't shout"]
    assert "greater than or equal to 0" in errors["count"][0]
    assert "pattern" in errors["code"][0]
    # What was typed comes back, escaped.
    assert "&lt;b&gt;bold&lt;/b&gt;" in response.text
    assert "<b>bold</b>" not in response.text
    assert count(engine, Gadget) == 0


def test_model_level_error_is_shown_above_the_form(
    forms: TestClient, engine: Engine
) -> None:
    response = forms.post(
        "/admin/gadget/create",
        data={"name": "Lamp", "price": "5", "cost": "7", "save": "Save"},
    )
    assert response.status_code == 400
    assert 'data-admin-app="row-errors"' in response.text
    assert "Cost cannot exceed the price" in response.text
    assert count(engine, Gadget) == 0


def test_unique_violation_names_the_field_and_the_next_save_works(
    forms: TestClient, engine: Engine
) -> None:
    assert (
        forms.post(
            "/admin/gadget/create", data={"name": "Lamp", "save": "Save"}
        ).status_code
        == 302
    )
    again = forms.post("/admin/gadget/create", data={"name": "Lamp", "save": "Save"})
    assert again.status_code == 400
    assert field_errors(again.text)["name"] == [
        "A gadget with this name already exists."
    ]
    assert "INSERT" not in again.text and "UNIQUE" not in again.text
    assert (
        forms.post(
            "/admin/gadget/create", data={"name": "Desk", "save": "Save"}
        ).status_code
        == 302
    )
    assert count(engine, Gadget) == 2


def test_a_missing_related_row_is_an_error_on_its_picker(
    forms: TestClient, engine: Engine
) -> None:
    response = forms.post(
        "/admin/box/create", data={"label": "A", "shelf": "999", "save": "Save"}
    )
    assert response.status_code == 400
    assert "does not exist" in field_errors(response.text)["shelf"][0]
    assert count(engine, Box) == 0


def test_only_shown_fields_are_written(forms: TestClient, engine: Engine) -> None:
    response = forms.post(
        "/admin/gadget/create",
        data={
            "name": "Lamp",
            "id": "00000000-0000-0000-0000-000000000001",
            "created_at": "2000-01-01 00:00:00",
            "audit_tag": "forged",
            "save": "Save",
        },
    )
    assert response.status_code == 302
    gadget = one(engine, Gadget)
    assert str(gadget.id) != "00000000-0000-0000-0000-000000000001"
    assert gadget.created_at.year > 2000
    assert gadget.audit_tag == "auto"


def test_read_only_and_create_only_fields(forms: TestClient, engine: Engine) -> None:
    create_page = forms.get("/admin/gadget/create").text
    assert 'name="serial"' in create_page
    assert (
        'name="audit_tag"' not in create_page and 'name="created_at"' not in create_page
    )
    forms.post(
        "/admin/gadget/create", data={"name": "Lamp", "serial": "S-9", "save": "Save"}
    )
    gadget = one(engine, Gadget)
    assert gadget.serial == "S-9"

    url = f"/admin/gadget/edit/{gadget.id}"
    page = forms.get(url).text
    assert re.search(
        r'<input[^>]*disabled[^>]*name="serial"|<input[^>]*name="serial"[^>]*disabled',
        page,
    )
    response = edit(
        forms,
        url,
        serial="S-0",
        audit_tag="forged",
        created_at="2000-01-01 00:00:00",
        name="Lamp2",
    )
    assert response.status_code == 302
    saved = one(engine, Gadget)
    assert (saved.name, saved.serial, saved.audit_tag) == ("Lamp2", "S-9", "auto")
    assert saved.created_at == gadget.created_at


def test_saving_a_parent_never_touches_its_children(
    forms: TestClient, engine: Engine
) -> None:
    with Session(engine) as session:
        shelf = Shelf(label="Top")
        session.add(shelf)
        session.flush()
        session.add_all(
            [Box(label="a", shelf_id=shelf.id), Box(label="b", shelf_id=shelf.id)]
        )
        session.commit()
        shelf_id = shelf.id
    response = edit(forms, f"/admin/shelf/edit/{shelf_id}", label="Bottom")
    assert response.status_code == 302
    with Session(engine) as session:
        assert session.scalars(select(Box.shelf_id)).all() == [shelf_id, shelf_id]
        assert session.get(Shelf, shelf_id).label == "Bottom"  # type: ignore[union-attr]


def test_a_stale_edit_is_refused_with_what_changed(
    forms: TestClient, engine: Engine
) -> None:
    forms.post(
        "/admin/gadget/create", data={"name": "Lamp", "count": "1", "save": "Save"}
    )
    gadget = one(engine, Gadget)
    url = f"/admin/gadget/edit/{gadget.id}"
    mine = form_values(forms.get(url).text)
    assert edit(forms, url, count="2").status_code == 302  # someone else saves first

    stale = forms.post(url, data={**mine, "name": "Mine", "save": "Save"})
    assert stale.status_code == 409
    assert 'data-admin-app="stale-edit"' in stale.text
    assert re.search(r"<td>Count</td><td>1</td><td>2</td>", stale.text)
    assert one(engine, Gadget).name == "Lamp"
    # The refused form holds the user's edit and the row as it is now: saving
    # it again overwrites knowingly.
    retry = forms.post(url, data={**form_values(stale.text), "save": "Save"})
    assert retry.status_code == 302
    assert (one(engine, Gadget).name, one(engine, Gadget).count) == ("Mine", 1)


def waits_for_a_row_lock(engine: Engine) -> bool:
    """Whether a session of this test's database waits for a row lock."""
    if engine.dialect.name == "postgresql":
        query = (
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND usename = current_user"
        )
    else:
        query = (
            "SELECT count(*) FROM information_schema.innodb_trx t"
            " JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id"
            " WHERE t.trx_state = 'LOCK WAIT' AND p.db = DATABASE()"
        )
    with engine.connect() as connection:
        return bool(connection.execute(text(query)).scalar())


# SQLite has no row locks: a second writer waits for the whole database, and
# one that read before the first committed is refused (SQLITE_BUSY_SNAPSHOT).
@pytest.mark.parametrize("database_url", ["postgresql", "mariadb"], indirect=True)
def test_a_save_locks_the_row_it_compares(forms: TestClient, engine: Engine) -> None:
    """The save reads the row FOR UPDATE before comparing it with the form's:
    a save that waited on another's lock compares with what that one wrote,
    and is refused, instead of writing over it (MariaDB's plain reads are a
    snapshot from before the other's commit)."""
    forms.post("/admin/gadget/create", data={"name": "Lamp", "save": "Save"})
    gadget = one(engine, Gadget)
    url = f"/admin/gadget/edit/{gadget.id}"
    mine = {**form_values(forms.get(url).text), "name": "Mine", "save": "Save"}
    answers: list[Any] = []
    with engine.connect() as other:  # another worker, part way through a save
        other.execute(select(Gadget).where(Gadget.id == gadget.id).with_for_update())
        theirs = update(Gadget).where(Gadget.id == gadget.id)  # type: ignore[arg-type]
        other.execute(theirs.values(name="Theirs"))
        saving = threading.Thread(
            target=lambda: answers.append(forms.post(url, data=mine))
        )
        saving.start()
        deadline = time.monotonic() + 30
        while not waits_for_a_row_lock(engine) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert waits_for_a_row_lock(engine), "the save waits for the row's lock"
        other.commit()
    saving.join(30)
    assert answers and answers[0].status_code == 409
    assert 'data-admin-app="stale-edit"' in answers[0].text
    assert one(engine, Gadget).name == "Theirs"


def test_a_version_column_is_compared_and_counted(
    forms: TestClient, engine: Engine
) -> None:
    with Session(engine) as session:
        session.add(Shelf(label="Top"))
        session.commit()
    shelf = one(engine, Shelf)
    url = f"/admin/shelf/edit/{shelf.id}"
    old = forms.get(url).text
    # Shown, but not an input the user may change...
    assert read_form(old).values["version"] == ["1"]
    assert "version" in read_form(old).disabled
    # ...nor one a forged POST sets: the save counts it up.
    assert edit(forms, url, label="Middle", version="99").status_code == 302
    assert one(engine, Shelf).version == 2
    stale = forms.post(url, data={**form_values(old), "label": "Mine", "save": "Save"})
    assert stale.status_code == 409
    assert one(engine, Shelf).label == "Middle"


def test_a_row_deleted_meanwhile_is_a_404(forms: TestClient, engine: Engine) -> None:
    with Session(engine) as session:
        session.add(Shelf(label="Top"))
        session.commit()
    shelf = one(engine, Shelf)
    page = forms.get(f"/admin/shelf/edit/{shelf.id}").text
    with Session(engine) as session:
        session.delete(session.get(Shelf, shelf.id))
        session.commit()
    response = forms.post(
        f"/admin/shelf/edit/{shelf.id}", data={**form_values(page), "save": "Save"}
    )
    assert response.status_code == 404
    assert "may have been deleted" in response.text


@pytest.mark.parametrize("identifier", ["abc", "1;2", "", "9" * 40])
def test_malformed_keys_in_urls_are_404(forms: TestClient, identifier: str) -> None:
    assert forms.get(f"/admin/shelf/edit/{identifier}").status_code == 404
    assert forms.get(f"/admin/gadget/edit/{identifier}").status_code == 404
    assert forms.get(f"/admin/gadget/details/{identifier}").status_code == 404


def test_api_models_shape_the_forms_and_hash_the_password(
    forms: TestClient, engine: Engine
) -> None:
    page = forms.get("/admin/account/create").text
    assert 'name="password"' in page and 'name="password_hash"' not in page
    assert 'name="is_admin"' not in page  # not in AccountCreate

    short = forms.post(
        "/admin/account/create",
        data={
            "email": "a@example.com",
            "display_name": "A",
            "password": "short",
            "save": "Save",
        },
    )
    assert short.status_code == 400
    assert "at least 8 characters" in field_errors(short.text)["password"][0]

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
    account = one(engine, Account)
    # The model marks its hasher; it wins over the site's default.
    assert account.password_hash == "hashed:" + "sesame-123"[::-1]

    url = f"/admin/account/edit/{account.id}"
    for page_url in (
        url,
        f"/admin/account/details/{account.id}",
        "/admin/account/list",
    ):
        assert account.password_hash not in forms.get(page_url).text
    # An empty password input keeps the password; only what was sent changes.
    assert edit(forms, url, display_name="Ann", password="").status_code == 302
    kept = one(engine, Account)
    assert (kept.display_name, kept.password_hash, kept.email) == (
        "Ann",
        account.password_hash,
        "a@example.com",
    )
    assert edit(forms, url, password="new-secret-1").status_code == 302
    assert one(engine, Account).password_hash == "hashed:" + "new-secret-1"[::-1]


def test_set_new_password_input_for_a_marked_hash_column(
    forms: TestClient, engine: Engine
) -> None:
    with Session(engine) as session:
        session.add(Locker(name="v", secret_hash="hashed:old"))
        session.commit()
    locker = one(engine, Locker)
    url = f"/admin/locker/edit/{locker.id}"
    page = forms.get(url).text
    assert 'type="password"' in page and "hashed:old" not in page
    assert edit(forms, url, name="w").status_code == 302
    assert one(engine, Locker).secret_hash == "hashed:old"
    weak = edit(forms, url, secret_hash="abc")
    assert weak.status_code == 400
    assert field_errors(weak.text)["secret_hash"] == ["Use at least 6 characters"]
    assert edit(forms, url, secret_hash="abcdef").status_code == 302
    assert one(engine, Locker).secret_hash == "hashed:fedcba"


def test_demo_users_get_argon2_hashes_from_the_configured_hasher(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> None:
    settings = make_settings(database_url, tmp_path, models=["models"])
    with TestClient(create_app(settings), follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        page = form_values(client.get("/admin/user/create").text)
        response = client.post(
            "/admin/user/create",
            data={
                **page,
                "email": "neo@example.com",
                "full_name": "Neo",
                "password": "follow-the-rabbit",
                "is_active": "y",
                "save": "Save",
            },
        )
        assert response.status_code == 302, re.findall(
            r"alert[^>]*>[^<]*<", response.text
        )
        user = one(engine, User)
        assert verify_password(user.hashed_password, "follow-the-rabbit")
        assert (
            user.hashed_password not in client.get(f"/admin/user/edit/{user.id}").text
        )


def test_async_engines_validate_and_save_the_same_way(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> None:
    settings = make_settings(
        async_url(database_url), tmp_path, models=["tests.form_models"]
    )
    with TestClient(create_app(settings), follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        created = client.post(
            "/admin/gadget/create", data={"name": "Lamp", "save": "Save"}
        )
        assert created.status_code == 302
        duplicate = client.post(
            "/admin/gadget/create", data={"name": "Lamp", "save": "Save"}
        )
        assert duplicate.status_code == 400
        assert "already exists" in field_errors(duplicate.text)["name"][0]
        gadget = one(engine, Gadget)
        response = edit(client, f"/admin/gadget/edit/{gadget.id}", count="5")
        assert response.status_code == 302
        assert one(engine, Gadget).count == 5


def test_the_edit_page_reads_the_row_once_and_each_picked_label_once(
    forms: TestClient, engine: Engine, statements: list[str]
) -> None:
    with Session(engine) as session:
        shelf = Shelf(label="Top")
        session.add(shelf)
        session.flush()
        box = Box(label="a", shelf_id=shelf.id)
        session.add(box)
        session.commit()
        box_id = box.id
    statements.clear()
    page = forms.get(f"/admin/box/edit/{box_id}")
    assert page.status_code == 200 and "Top" in page.text
    reads = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
    from_box = [sql for sql in reads if "FROM box" in sql]
    from_shelf = [sql for sql in reads if "FROM shelf" in sql]
    from_grants = [sql for sql in reads if "FROM admin_app_grant" in sql]
    # The login check, the user's grants and saved views, and the box with its
    # picked shelf in one statement: nothing twice, no query for the picker's label.
    assert (len(reads), len(from_box), len(from_shelf)) == (4, 1, 0), reads
    assert "JOIN shelf" in from_box[0]
    assert len(from_grants) == 1, reads
