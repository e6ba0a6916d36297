"""In a real browser: a user reaches their account from the header, picks
their time zone, and from then on a date-time reads and saves in it."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from admin_app.settings import Settings
from tests.conftest import make_settings
from tests.form_models import Gadget

SEEN = datetime(2024, 6, 1, 12, 0, 5, tzinfo=UTC)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path, models=["tests.form_models"])


def test_pick_a_time_zone_then_read_and_save_in_it(  # type: ignore[no-untyped-def]
    page, engine: Engine
) -> None:
    with Session(engine) as session:
        gadget = Gadget(name="Clock", seen_at=SEEN)
        session.add(gadget)
        session.commit()
        key = gadget.id
    page.goto(f"/admin/gadget/edit/{key}")
    assert page.input_value("input[name=seen_at]") == "2024-06-01 12:00:05"

    page.click("[data-admin-app=account-link]")
    page.click("[data-admin-app=account-tabs] >> text=Time zone")
    page.select_option("#time_zone", "Asia/Kolkata")
    page.click("[data-admin-app=account-time-zone] button[type=submit]")
    page.wait_for_url("**/admin/")
    assert "Your time zone was saved." in page.content()

    page.goto(f"/admin/gadget/edit/{key}")
    assert page.input_value("input[name=seen_at]") == "2024-06-01 17:30:05"
    page.click("input[type=submit][value=Save]")
    page.wait_for_url("**/admin/gadget/list**")
    assert "2024-06-01 17:30:05 IST" in page.content()
    with Session(engine) as session:
        saved = session.get(Gadget, key)
        assert saved is not None and saved.seen_at == SEEN
