"""Yes/no fields take only the values their form renders: a checkbox its
``value="y"`` (ticked) or nothing (unticked), a yes/no select (a nullable
bool) its options. Anything else, ``maybe`` included, is an error by the
field (400) and nothing is written; a form posted back unchanged changes
nothing."""

import re
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin_app.app import mount_admin
from admin_app.settings import Settings
from tests.checkbox_models import Switch, SwitchBase
from tests.conftest import ADMIN_PASSWORD, login
from tests.html import field_errors, form_values

CREATE = "/admin/switch/create"
NOT_CHECKBOX_VALUES = ["maybe", "true", "on", "1", "yes", "Y", "y ", "false", ""]
NOT_SELECT_VALUES = ["maybe", "true", "yes", "1", "", "None"]


@pytest.fixture
def client(settings: Settings, engine: Engine, admin_user: str) -> Iterator[TestClient]:
    SwitchBase.metadata.create_all(engine)
    app = Starlette()
    mount_admin(app, engine=engine, models=[Switch], settings=settings)
    with TestClient(app, follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


def rows(engine: Engine) -> list[tuple[str, bool, bool | None]]:
    with Session(engine) as session:
        found = session.exec(select(Switch).order_by(Switch.id)).all()  # type: ignore[arg-type]
        return [(row.name, row.enabled, row.verified) for row in found]


def create(client: TestClient, **fields: str) -> httpx.Response:
    return client.post(CREATE, data={"name": "Lamp", "save": "Save", **fields})


def test_the_checkbox_renders_y_and_the_select_its_options(client: TestClient) -> None:
    page = client.get(CREATE).text
    (checkbox,) = re.findall(r'<input[^>]*name="enabled"[^>]*>', page)
    assert 'type="checkbox"' in checkbox and 'value="y"' in checkbox
    select_html = page.split('name="verified"')[1].split("</select>")[0]
    options = re.findall(r'<option[^>]*value="([^"]*)"', select_html)
    assert options == ["__None", "True", "False"]


def test_what_the_form_renders_is_saved(client: TestClient, engine: Engine) -> None:
    assert create(client, name="A", enabled="y", verified="True").status_code == 302
    assert create(client, name="B", verified="False").status_code == 302
    assert create(client, name="C", verified="__None").status_code == 302
    assert rows(engine) == [("A", True, True), ("B", False, False), ("C", False, None)]


@pytest.mark.parametrize("value", NOT_CHECKBOX_VALUES)
def test_a_checkbox_value_it_does_not_render_is_refused(
    client: TestClient, engine: Engine, value: str
) -> None:
    response = create(client, enabled=value, verified="True")
    assert response.status_code == 400
    assert field_errors(response.text) == {"enabled": ["Not a valid choice."]}
    assert rows(engine) == []
    # The form comes back with the value it renders, not the one sent.
    assert re.search(r'name="enabled"[^>]*value="y"', response.text)


@pytest.mark.parametrize("value", NOT_SELECT_VALUES)
def test_a_select_value_it_does_not_offer_is_refused(
    client: TestClient, engine: Engine, value: str
) -> None:
    response = create(client, enabled="y", verified=value)
    assert response.status_code == 400
    assert list(field_errors(response.text)) == ["verified"]
    assert rows(engine) == []


def test_an_edit_refuses_maybe_and_keeps_the_row(
    client: TestClient, engine: Engine
) -> None:
    assert create(client, enabled="y", verified="True").status_code == 302
    page = client.get("/admin/switch/edit/1").text
    for field, value in [("enabled", "maybe"), ("verified", "maybe")]:
        response = client.post(
            "/admin/switch/edit/1", data={**form_values(page), field: value}
        )
        assert response.status_code == 400
        assert list(field_errors(response.text)) == [field]
    assert rows(engine) == [("Lamp", True, True)]


@pytest.mark.parametrize(
    "fields",
    [
        {"enabled": "y", "verified": "True"},
        {"verified": "False"},
        {"enabled": "y", "verified": "__None"},
        {"verified": "__None"},
    ],
)
def test_a_form_posted_back_unchanged_changes_nothing(
    client: TestClient, engine: Engine, fields: dict[str, str]
) -> None:
    assert create(client, **fields).status_code == 302
    before = rows(engine)
    page = client.get("/admin/switch/edit/1").text
    response = client.post("/admin/switch/edit/1", data=form_values(page))
    assert response.status_code == 302, field_errors(response.text)
    assert rows(engine) == before
    # Unticking (the checkbox absent) still clears it.
    page = client.get("/admin/switch/edit/1").text
    unticked = {k: v for k, v in form_values(page).items() if k != "enabled"}
    assert client.post("/admin/switch/edit/1", data=unticked).status_code == 302
    assert rows(engine) == [(before[0][0], False, before[0][2])]
