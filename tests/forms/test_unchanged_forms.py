"""An edit form posted back as shown changes nothing, even where what it shows
is less precise than what is stored (a datetime to the second, a time to the
minute) or where the browser rewrites it (a textarea's line breaks as CRLF)."""

from datetime import UTC, datetime, time

from sqlalchemy import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from tests.form_models import Gadget
from tests.forms.test_validation import forms, gadgets
from tests.html import field_errors, form_values

__all__ = ["forms"]  # the fixture


def test_values_shown_less_precisely_than_stored_are_kept(
    forms: TestClient, engine: Engine
) -> None:
    with Session(engine) as session:
        gadget = Gadget(
            name="Clock",
            seen_at=datetime(2024, 6, 1, 12, 0, 5, 123456, tzinfo=UTC),
            opens_at=time(8, 30, 15),
            notes="line one\nline two",
        )
        session.add(gadget)
        session.commit()
        session.refresh(gadget)
        before = gadget.model_dump()
    url = f"/admin/gadget/edit/{before['id']}"
    values = form_values(forms.get(url).text)
    assert values["seen_at"] == "2024-06-01 12:00:05"
    # As a browser submits a textarea.
    values["notes"] = str(values["notes"]).replace("\n", "\r\n")
    response = forms.post(url, data={**values, "save": "Save"})
    assert response.status_code == 302, field_errors(response.text)
    [after] = gadgets(engine)
    assert after.model_dump() == before


def test_an_input_changed_is_saved_at_the_precision_typed(
    forms: TestClient, engine: Engine
) -> None:
    with Session(engine) as session:
        gadget = Gadget(
            name="Clock", seen_at=datetime(2024, 6, 1, 12, 0, 5, 123456, tzinfo=UTC)
        )
        session.add(gadget)
        session.commit()
        key = gadget.id
    url = f"/admin/gadget/edit/{key}"
    values = {**form_values(forms.get(url).text), "seen_at": "2024-06-01 12:00:06"}
    response = forms.post(url, data={**values, "save": "Save"})
    assert response.status_code == 302, field_errors(response.text)
    [after] = gadgets(engine)
    assert after.seen_at == datetime(2024, 6, 1, 12, 0, 6, tzinfo=UTC)
