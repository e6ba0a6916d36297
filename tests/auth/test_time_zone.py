"""A user's own time zone: chosen on the account page, then every date-time
they read or type is in it (lists, details, forms), while other users keep
``ADMIN_TIMEZONE``. A bad zone is a form error that writes nothing. On SQLite
and PostgreSQL."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, select
from sqlmodel import Session
from starlette.testclient import TestClient

from admin_app.app import create_app
from admin_app.audit.entries import AuditEntry
from admin_app.auth.models import AdminUser, Role
from admin_app.auth.users import create_user
from tests.conftest import ADMIN_PASSWORD, login, make_settings
from tests.html import field_errors, form_values
from tests.sample_models import Member

PAGE = "/admin/account/time-zone"
JOINED = datetime(2026, 11, 26, 18, 18, 41, tzinfo=UTC)


@pytest.fixture
def app(database_url: str, tmp_path: Path, engine: Engine):  # type: ignore[no-untyped-def]
    return create_app(make_settings(database_url, tmp_path, timezone="Europe/Paris"))


@pytest.fixture
def paris(app, admin_user: str) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


@pytest.fixture
def member(engine: Engine) -> int:
    with Session(engine) as session:
        row = Member(email="maya@example.com", joined_at=JOINED)
        session.add(row)
        session.commit()
        assert row.id is not None
        return row.id


def stored_zone(engine: Engine, username: str = "boss") -> str | None:
    with Session(engine) as session:
        user = session.scalars(
            select(AdminUser).where(AdminUser.username == username)
        ).one()
        return user.time_zone


def zone_entries(engine: Engine) -> list[AuditEntry]:
    with Session(engine) as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.model == "admin-user")
        ).all()
        return [e for e in entries if "time_zone" in (e.changes or {})]


def test_the_page_offers_every_zone_and_the_admins(paris: TestClient) -> None:
    page = paris.get(PAGE)
    assert page.status_code == 200
    assert '<option value="" selected>The admin\'s (Europe/Paris)</option>' in page.text
    assert '<option value="Asia/Tokyo">Asia/Tokyo</option>' in page.text
    assert form_values(page.text)["time_zone"] == ""


def test_a_chosen_zone_is_what_lists_details_and_forms_show(
    paris: TestClient,
    app,
    engine: Engine,
    member: int,  # type: ignore[no-untyped-def]
) -> None:
    assert "2026-11-26 19:18:41 CET" in paris.get("/admin/member/list").text
    saved = paris.post(PAGE, data={"time_zone": "Asia/Tokyo"})
    assert saved.status_code == 303
    assert stored_zone(engine) == "Asia/Tokyo"
    [entry] = zone_entries(engine)
    assert entry.changes == {"time_zone": {"before": None, "after": "Asia/Tokyo"}}

    listed = paris.get("/admin/member/list").text
    assert "2026-11-27 03:18:41 JST" in listed and "CET" not in listed
    assert (
        "2026-11-27 03:18:41 JST" in paris.get(f"/admin/member/details/{member}").text
    )
    edit = f"/admin/member/edit/{member}"
    shown = form_values(paris.get(edit).text)
    assert shown["joined_at"] == "2026-11-27 03:18:41"
    # The form posted back unchanged changes nothing; a time typed is Tokyo's.
    assert paris.post(edit, data={**shown, "save": "Save"}).status_code == 302
    with Session(engine) as session:
        row = session.get(Member, member)
        assert row is not None and row.joined_at == JOINED
    changed = {**shown, "joined_at": "2026-11-27 09:00:00", "save": "Save"}
    assert paris.post(edit, data=changed).status_code == 302
    with Session(engine) as session:
        row = session.get(Member, member)
        assert row is not None
        assert row.joined_at == datetime(2026, 11, 27, 0, 0, tzinfo=UTC)

    # Another user still reads the admin's zone.
    with Session(engine) as session:
        create_user(session, "other", ADMIN_PASSWORD, Role.admin)
    with TestClient(app, follow_redirects=False) as other:
        login(other, "other", ADMIN_PASSWORD)
        assert "2026-11-27 01:00:00 CET" in other.get("/admin/member/list").text


def test_an_unknown_zone_is_a_field_error_and_writes_nothing(
    paris: TestClient, engine: Engine
) -> None:
    for bad in ("Mars/Olympus_Mons", "../../etc/passwd", "x" * 5000):
        refused = paris.post(PAGE, data={"time_zone": bad})
        assert refused.status_code == 400
        assert field_errors(refused.text)["time_zone"][0].startswith(
            "Unknown time zone: "
        )
        assert "Traceback" not in refused.text
    assert stored_zone(engine) is None
    assert zone_entries(engine) == []


def test_posted_back_unchanged_changes_nothing_and_blank_is_the_admins(
    paris: TestClient, engine: Engine
) -> None:
    assert paris.post(PAGE, data=form_values(paris.get(PAGE).text)).status_code == 303
    assert zone_entries(engine) == []
    paris.post(PAGE, data={"time_zone": "America/Sao_Paulo"})
    assert paris.post(PAGE, data=form_values(paris.get(PAGE).text)).status_code == 303
    assert len(zone_entries(engine)) == 1
    paris.post(PAGE, data={"time_zone": ""})
    assert stored_zone(engine) is None
    assert len(zone_entries(engine)) == 2


def test_the_model_refuses_an_unknown_zone() -> None:
    with pytest.raises(ValidationError, match="Unknown time zone"):
        AdminUser.model_validate(
            {"username": "x", "password_hash": "h", "time_zone": "Nowhere/Else"}
        )
    valid = AdminUser.model_validate(
        {"username": "x", "password_hash": "h", "time_zone": "Europe/Oslo"}
    )
    assert valid.time_zone == "Europe/Oslo"
