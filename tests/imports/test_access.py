"""Who may import, and whose import a URL names: the ``import`` right on the
model (admins have it, editors only by a grant), and only one's own imports;
an import is undone from its audit entry too."""

import re
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin_app.audit.entries import AuditEntry
from admin_app.auth.models import Grant, Role
from admin_app.auth.users import create_user
from admin_app.imports.files import upload_path
from tests.conftest import ADMIN_PASSWORD, login
from tests.imports.helpers import (
    BASE,
    confirm,
    preview,
    settings,  # noqa: F401  (the fixture)
    upload,
)
from tests.imports.models import ImpPerson

CSV = "email,full_name\nann@example.org,Ann\n"


def signed_in(app: Starlette, engine: Engine, name: str, role: Role) -> TestClient:
    with Session(engine) as session:
        create_user(session, name, ADMIN_PASSWORD, role)
    client = TestClient(app, follow_redirects=False)
    login(client, name, ADMIN_PASSWORD)
    return client


def test_editors_import_only_with_a_grant(app: Starlette, engine: Engine) -> None:
    editor = signed_in(app, engine, "ed", Role.editor)
    assert 'id="action-import"' not in editor.get(f"{BASE}/list").text
    assert editor.get(f"{BASE}/import").status_code == 403
    assert upload(editor, "p.csv", CSV).status_code == 403
    with Session(engine) as session:
        session.add(
            Grant(
                role=Role.editor,
                model="imp-person",
                can_add=True,
                can_change=True,
                can_import=True,
            )
        )
        session.commit()
    assert 'id="action-import"' in editor.get(f"{BASE}/list").text
    confirm(editor, preview(editor, "p.csv", CSV))
    with Session(engine) as session:
        assert session.exec(select(ImpPerson.email)).all() == ["ann@example.org"]


def test_anothers_import_is_not_found(
    client: TestClient, app: Starlette, engine: Engine
) -> None:
    found = preview(client, "p.csv", CSV)
    other = signed_in(app, engine, "other", Role.admin)
    for url in ("", "/mapping", "/progress", "/refused.csv"):
        assert other.get(f"{BASE}/import/{found}{url}").status_code == 404, url
    assert other.post(f"{BASE}/import/{found}/confirm").status_code == 404
    assert other.post(f"{BASE}/import/{found}/undo").status_code == 404
    # Nor under another model's URL, nor a made-up id.
    assert client.get(f"/admin/imp-team/import/{found}").status_code == 404
    assert client.get(f"{BASE}/import/{'0' * 32}").status_code == 404
    assert client.get(f"{BASE}/import/../../etc").status_code == 404


def test_progress_and_files_after_the_confirm(
    client: TestClient, engine: Engine, tmp_path: Path
) -> None:
    found = preview(client, "p.csv", CSV)
    assert upload_path(tmp_path / "imports", found).exists()
    progress = client.get(f"{BASE}/import/{found}/progress").json()
    assert progress == {"state": "previewed", "done": 0, "total": 1}
    confirm(client, found)
    assert client.get(f"{BASE}/import/{found}/progress").json()["state"] == "done"
    # The upload is gone once imported; the import's page stays.
    assert not upload_path(tmp_path / "imports", found).exists()
    assert client.get(f"{BASE}/import/{found}").status_code == 200


def test_undone_from_its_audit_entry(client: TestClient, engine: Engine) -> None:
    found = preview(client, "p.csv", CSV)
    confirm(client, found)
    with Session(engine) as session:
        entry = session.exec(
            select(AuditEntry).where(col(AuditEntry.import_id) == found)
        ).one()
    page = client.get(f"/admin/audit-entry/details/{entry.id}").text
    undo = re.search(r'<form method="post" action="([^"]+/undo)"', page)
    assert undo is not None, page
    assert client.post(undo.group(1)).status_code == 303
    with Session(engine) as session:
        assert session.exec(select(ImpPerson)).all() == []


def test_the_grants_page_shows_the_import_right(client: TestClient) -> None:
    page = client.get("/admin/grant/create").text
    assert 'name="can_import"' in page
    assert "May import" in page


def test_a_file_over_the_size_limit(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> None:
    from admin_app.app import create_app
    from tests.imports.helpers import import_settings

    limited = import_settings(database_url, tmp_path, import_max_bytes=2048)
    with TestClient(create_app(limited), follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        rows = "".join(f"p{i}@example.org,P{i}\n" for i in range(200))
        response = upload(client, "p.csv", "email,full_name\n" + rows)
        assert response.status_code == 400
        assert "The file is larger than 2048 bytes." in response.text
        # Past the request limit too (ADMIN_MAX_BODY_BYTES, 5 MB here), the
        # request is refused before it is read.
        huge = upload(client, "p.csv", "x" * (6 * 1024 * 1024))
        assert huge.status_code == 413
    assert list((tmp_path / "imports").iterdir()) == []
