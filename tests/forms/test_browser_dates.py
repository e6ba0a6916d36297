"""In a real browser with JavaScript: a date-time input shows the value the
HTML holds, to the second, and a form saved untouched keeps what is stored."""

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from admin_app.settings import Settings
from tests.conftest import make_settings


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path, models=["tests.form_models"])


def test_with_javascript_a_date_time_saved_untouched_is_unchanged(  # type: ignore[no-untyped-def]
    page, engine: Engine
) -> None:
    from datetime import UTC, datetime

    from tests.form_models import Gadget

    with Session(engine) as session:
        gadget = Gadget(
            name="Clock", seen_at=datetime(2024, 6, 1, 12, 0, 5, 123456, tzinfo=UTC)
        )
        session.add(gadget)
        session.commit()
        key = gadget.id
    page.goto(f"/admin/gadget/edit/{key}")
    assert page.input_value("input[name=seen_at]") == "2024-06-01 12:00:05"
    page.click("input[type=submit][value=Save]")
    page.wait_for_url("**/admin/gadget/list**")
    with Session(engine) as session:
        saved = session.get(Gadget, key)
        assert saved is not None
        # MariaDB's DATETIME keeps whole seconds: the fraction never was.
        kept = 0 if engine.dialect.name in ("mysql", "mariadb") else 123456
        assert saved.seen_at == datetime(2024, 6, 1, 12, 0, 5, kept, tzinfo=UTC)
