"""Lists, detail pages and exports show date-times in ADMIN_TIMEZONE to the
second with the zone, JSON laid out on detail pages, and a label beside each
foreign key in exports. On SQLite and PostgreSQL."""

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from admin_app.app import create_app
from admin_app.views.inferred import AutoModelView, view_for
from tests.conftest import ADMIN_PASSWORD, StatementLog, login, make_settings
from tests.sample_models import Club, Member

JOINED = datetime(2026, 11, 26, 18, 18, 41, 488234, tzinfo=UTC)


@pytest.fixture
def paris(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> Iterator[TestClient]:
    settings = make_settings(database_url, tmp_path, timezone="Europe/Paris")
    with TestClient(create_app(settings), follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


@pytest.fixture
def member(engine: Engine) -> Member:
    with Session(engine) as session:
        club = Club(name="Chess")
        session.add(club)
        session.flush()
        row = Member(
            email="maya@example.com",
            joined_at=JOINED,
            club_id=club.id,
            preferences={"theme": "dark", "tags": ["<b>", "x"]},
        )
        session.add(row)
        session.commit()
        session.refresh(row)
        session.expunge(row)
        return row


def test_lists_and_details_show_the_display_zone_to_the_second(
    paris: TestClient, member: Member
) -> None:
    listed = paris.get("/admin/member/list").text
    assert "2026-11-26 19:18:41 CET" in listed
    assert "18:18:41.488234" not in listed and "+00:00" not in listed
    details = paris.get(f"/admin/member/details/{member.id}").text
    assert "<td>2026-11-26 19:18:41 CET</td>" in details


def test_json_on_the_detail_page_is_laid_out_and_collapsible(
    paris: TestClient, member: Member
) -> None:
    details = paris.get(f"/admin/member/details/{member.id}").text
    assert '<details class="admin-app-json" data-role="json" open>' in details
    assert "<summary>2 keys</summary>" in details
    assert "&#34;theme&#34;: &#34;dark&#34;" in details
    assert "&lt;b&gt;" in details and "{'theme'" not in details


def test_csv_exports_read_the_zone_and_label_foreign_keys(
    paris: TestClient, member: Member
) -> None:
    response = paris.get("/admin/member/export/csv")
    assert response.status_code == 200
    reader = csv.reader(io.StringIO(response.text))
    header = next(reader)
    row = dict(zip(header, next(reader), strict=True))
    assert header.index("club") == header.index("club_id") + 1
    assert row["club"] == "Club Chess"
    assert row["joined_at"] == "2026-11-26 19:18:41 CET"


def test_json_exports_keep_the_instant_in_the_zone_and_label_foreign_keys(
    paris: TestClient, member: Member, engine: Engine
) -> None:
    with Session(engine) as session:  # a key whose row is gone
        session.add(Member(email="zoe@example.com", club_id=None))
        session.commit()
    rows = json.loads(paris.get("/admin/member/export/json").text)
    maya = next(row for row in rows if row["email"] == "maya@example.com")
    zoe = next(row for row in rows if row["email"] == "zoe@example.com")
    # MariaDB's DATETIME keeps whole seconds; the others keep microseconds.
    kept = "" if engine.dialect.name in ("mysql", "mariadb") else ".488234"
    assert maya["joined_at"] == f"2026-11-26T19:18:41{kept}+01:00"
    assert maya["club"] == "Club Chess" and isinstance(maya["club_id"], int)
    assert zoe["club"] is None and zoe["club_id"] is None


def test_export_labels_are_read_once_per_batch_and_can_be_turned_off(
    engine: Engine,
    client_with: Callable[..., TestClient],
    statements: StatementLog,
) -> None:
    with Session(engine) as session:
        clubs = [Club(name=f"Club {n:02}") for n in range(30)]
        session.add_all(clubs)
        session.flush()
        session.add_all(
            Member(email=f"m{n}@example.com", club_id=club.id)
            for n, club in enumerate(clubs)
        )
        session.commit()

    class Quiet(AutoModelView, model=Member):
        export_labels = False

    labelled = client_with(view_for(Member), view_for(Club))
    statements.clear()
    text = labelled.get("/admin/member/export/csv").text
    assert "Club Club 29" in text
    assert len([s for s in statements if re.search(r"FROM club\b", s)]) == 1

    quiet = client_with(Quiet, view_for(Club))
    header = quiet.get("/admin/member/export/csv").text.splitlines()[0]
    assert "club_id" in header and ",club," not in header + ","
