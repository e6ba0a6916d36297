"""Row snapshots: signed, compared column by column, secrets only as digests."""

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from admin_app.app import create_app
from admin_app.forms.concurrency import Snapshots, StaleEdit, version_column
from tests.conftest import ADMIN_PASSWORD, login, make_settings
from tests.form_models import Box, Gadget, Shelf
from tests.html import form_values
from tests.sample_models import Member

SNAPSHOTS = Snapshots("k" * 40)


def payload(token: str) -> str:
    """What anyone holding the form can read, without the key."""
    _, data = URLSafeSerializer("not the key").loads_unsafe(token)
    return json.dumps(data)


def test_an_unchanged_row_passes() -> None:
    gadget = Gadget(name="Lamp", count=1)
    SNAPSHOTS.check(SNAPSHOTS.token(gadget), gadget)


def test_a_changed_column_is_reported_with_both_values() -> None:
    gadget = Gadget(name="Lamp", count=1)
    token = SNAPSHOTS.token(gadget)
    gadget.count = 2
    with pytest.raises(StaleEdit) as stale:
        SNAPSHOTS.check(token, gadget)
    assert [(c.title, c.loaded, c.now) for c in stale.value.changes] == [
        ("Count", "1", "2")
    ]
    SNAPSHOTS.check(stale.value.token, gadget)  # the new token is the row as it is now


@pytest.mark.parametrize(
    "token", [None, "", "forged", SNAPSHOTS.token(Gadget(name="x"))[:-2] + "zz"]
)
def test_a_missing_or_forged_token_is_stale(token: str | None) -> None:
    with pytest.raises(StaleEdit):
        SNAPSHOTS.check(token, Gadget(name="x"))


def test_another_key_cannot_sign_snapshots() -> None:
    gadget = Gadget(name="Lamp")
    with pytest.raises(StaleEdit):
        Snapshots("other" * 10).check(SNAPSHOTS.token(gadget), gadget)


def test_sensitive_columns_travel_only_as_digests() -> None:
    member = Member(email="m@example.com", pin_code="4321", api_token="tok-secret")
    text = payload(SNAPSHOTS.token(member))
    assert "4321" not in text and "tok-secret" not in text
    assert "m@example.com" in text
    token = SNAPSHOTS.token(member)
    member.pin_code = "9999"
    with pytest.raises(StaleEdit) as stale:
        SNAPSHOTS.check(token, member)
    [change] = stale.value.changes
    assert (change.name, change.loaded, change.now) == (
        "pin_code",
        "(hidden)",
        "(changed)",
    )


def test_a_version_column_alone_decides() -> None:
    assert version_column(Shelf) == "version"
    assert version_column(Gadget) is None
    shelf = Shelf(label="Top", version=3)
    token = SNAPSHOTS.token(shelf)
    assert json.loads(payload(token)) == {"version": "3"}
    shelf.label = "changed without a version bump"
    SNAPSHOTS.check(token, shelf)
    shelf.version = 4
    with pytest.raises(StaleEdit):
        SNAPSHOTS.check(token, shelf)


# The 409 page: a foreign key someone else changed reads as its rows' labels.


def test_a_stale_foreign_key_shows_both_rows_by_label(
    forms: TestClient, engine: Engine
) -> None:
    with Session(engine) as session:
        top, bottom, gone = Shelf(label="Top"), Shelf(label="Bottom"), Shelf(label="X")
        session.add_all([top, bottom, gone])
        session.flush()
        box = Box(label="a", shelf_id=top.id)
        session.add(box)
        session.commit()
        ids = (box.id, top.id, bottom.id, gone.id)
    box_id, top_id, bottom_id, gone_id = ids
    url = f"/admin/box/edit/{box_id}"
    mine = form_values(forms.get(url).text)
    with Session(engine) as session:  # someone else moves it, twice
        moved = session.get(Box, box_id)
        assert moved is not None
        moved.shelf_id = bottom_id
        session.commit()

    stale = forms.post(url, data={**mine, "label": "b", "save": "Save"})
    assert stale.status_code == 409
    row = re.search(r"<tr><td>Shelf</td>(.*?)</tr>", stale.text, re.S)
    assert row, stale.text
    loaded, now = row.group(1).split("</td><td>")
    assert f'/admin/shelf/details/{top_id}" data-role="reference">Top</a>' in loaded
    assert f'/admin/shelf/details/{bottom_id}" data-role="reference">Bottom</a>' in now

    with Session(engine) as session:  # the row it now names is deleted
        moved = session.get(Box, box_id)
        assert moved is not None
        moved.shelf_id = gone_id
        session.commit()
        session.delete(session.get(Shelf, top_id))
        session.commit()
    stale = forms.post(url, data={**mine, "label": "b", "save": "Save"})
    assert stale.status_code == 409
    assert f"#{top_id} (deleted)" in stale.text


def test_a_stale_date_time_reads_in_the_display_zone(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> None:
    settings = make_settings(
        database_url, tmp_path, models=["tests.form_models"], timezone="Europe/Paris"
    )
    with Session(engine) as session:
        gadget = Gadget(name="Lamp", count=1)
        session.add(gadget)
        session.commit()
        gadget_id = gadget.id
    with TestClient(create_app(settings), follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        url = f"/admin/gadget/edit/{gadget_id}"
        mine = form_values(client.get(url).text)
        with Session(engine) as session:
            row = session.get(Gadget, gadget_id)
            assert row is not None
            row.seen_at = datetime(2026, 11, 26, 18, 18, 41, 488234, tzinfo=UTC)
            session.commit()
        stale = client.post(url, data={**mine, "save": "Save"})
    assert stale.status_code == 409
    assert re.search(
        r"<tr><td>[^<]*</td><td></td><td>2026-11-26 19:18:41 CET</td></tr>", stale.text
    ), stale.text
