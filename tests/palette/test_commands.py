"""The palette's commands and shortcut targets, as every page embeds them:
what the user may open and nothing else; and the no-JS palette page."""

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from admin_app.palette.commands import Command, matches, matching
from admin_app.palette.records import MAX_TERM_LENGTH
from admin_app.views.inferred import AutoModelView
from tests.html import form_values
from tests.sample_models import Club, Tag


def embedded(client: TestClient, path: str) -> dict[str, Any]:
    """The palette's JSON on the page at ``path``."""
    page = client.get(path)
    assert page.status_code == 200, page.text[:300]
    found = re.search(
        r'<script type="application/json" id="palette-data"[^>]*>(.*?)</script>',
        page.text,
        re.S,
    )
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def commands(client: TestClient, path: str) -> dict[str, Any]:
    """Every command the palette offers on the page at ``path``, put together
    as its script does: the places the page's ``g`` targets name (by the
    dialogs' names), then the models' commands the dialogs bring."""
    data = embedded(client, path)
    fetched = client.get("/admin/palette/dialogs")
    assert fetched.status_code == 200
    assert fetched.headers["cache-control"] == "private, max-age=300"
    assert 'id="palette-help"' in fetched.text
    places = data_block(fetched.text, "palette-places")
    targets = data["targets"]
    here = [{**places[key], "url": targets[key]} for key in places if key in targets]
    return {**data, "commands": here + data_block(fetched.text, "palette-models")}


def data_block(html: str, name: str) -> Any:
    found = re.search(
        rf'<script type="application/json" id="{name}">(.*?)</script>', html, re.S
    )
    assert found is not None, name
    return json.loads(found.group(1))


def urls(data: dict[str, Any]) -> set[str]:
    return {c["url"].removeprefix("http://testserver") for c in data["commands"]}


def test_an_admin_gets_every_model_and_place(client: TestClient) -> None:
    found = urls(commands(client, "/admin/"))
    assert {
        "/admin/",
        "/admin/audit-entry/list",
        "/admin/account/password",
        "/admin/tag/list",
        "/admin/tag/create",
        "/admin/club/list",
        "/admin/club/create",
        "/admin/admin-user/list",
    } <= found
    # The audit trail is read-only: no create page.
    assert "/admin/audit-entry/create" not in found


def test_a_viewer_gets_lists_only_and_not_the_models_denied(
    client_for_role: Callable[..., TestClient],
) -> None:
    viewer = client_for_role("viewer", no_view=["tag"])
    found = urls(commands(viewer, "/admin/"))
    assert "/admin/club/list" in found
    assert not any(url.endswith("/create") for url in found)
    assert not any(url.startswith("/admin/tag/") for url in found)
    assert "/admin/audit-entry/list" not in found  # admins only
    assert "/admin/admin-user/list" not in found
    assert {"/admin/", "/admin/account/password"} <= found


def test_a_rows_page_adds_its_history_and_the_shortcut_targets(
    client: TestClient, client_for_role: Callable[..., TestClient], engine: Engine
) -> None:
    with Session(engine) as session:
        club = Club(name="Chess")
        session.add(club)
        session.commit()
        key = club.id
    data = commands(client, f"/admin/club/details/{key}")
    assert f"/admin/club/history/{key}" in urls(data)
    targets = {
        k: v.removeprefix("http://testserver") for k, v in data["targets"].items()
    }
    assert targets == {
        "g d": "/admin/",
        "g u": "/admin/account/password",
        "g a": "/admin/audit-entry/list",
        "g l": "/admin/club/list",
        "g h": f"/admin/club/history/{key}",
        "n": "/admin/club/create",
        "e": f"/admin/club/edit/{key}",
    }
    # A viewer may neither create nor edit: no `n`, no `e`, no trail.
    viewer = embedded(client_for_role("viewer"), f"/admin/club/details/{key}")
    assert set(viewer["targets"]) == {"g d", "g u", "g l", "g h"}
    # A list has no row: no `e`, no history.
    assert set(embedded(client, "/admin/tag/list")["targets"]) == {
        "g d",
        "g u",
        "g a",
        "g l",
        "n",
    }


def test_a_page_carries_its_own_commands_and_the_models_come_when_asked(
    client_with: Callable[..., TestClient],
) -> None:
    class OddTagAdmin(AutoModelView, model=Tag):
        name_plural = "</script><i>Tags"

    client = client_with(OddTagAdmin)
    page = client.get("/admin/")
    block = page.text.split('id="palette-data"', 1)[1].split("</script>", 1)[0]
    # Two links per model, and the dialogs, would weigh on every page.
    assert "/admin/tag/" not in block and "Tags" not in block
    assert "<dialog" not in page.text
    fetched = client.get("/admin/palette/dialogs").text
    models = fetched.split('id="palette-models">', 1)[1].split("</script>", 1)[0]
    assert "<" not in models  # the odd name cannot close its script
    labels = [command["label"] for command in json.loads(models)]
    assert "</script><i>Tags" in labels


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("", True),
        ("new", True),
        ("new ord", True),
        ("ORD", True),
        ("order-item", False),
        ("rder", False),
        ("new tag", False),
    ],
)
def test_commands_match_words_by_their_start(term: str, expected: bool) -> None:
    command = Command("New Order", "New", "/admin/order/create", "create add order")
    assert matches(command, term) is expected


def test_labels_starting_with_the_term_come_first() -> None:
    tags = Command("Tags", "Go to", "/t")
    new_tag = Command("New Tag", "New", "/n", "create add tag")
    assert matching([new_tag, tags], "tag") == [tags, new_tag]
    club, link = (
        Command("New Club", "New", "/c"),
        Command("New Club Tag Link", "New", "/l"),
    )
    assert matching([link, club], "new clu") == [club, link]
    assert matching([link, club], "") == [link, club]


# The page without JavaScript


def test_the_page_lists_commands_and_records(
    client: TestClient, engine: Engine
) -> None:
    with Session(engine) as session:
        session.add_all([Tag(label="tagliatelle"), Club(name="Tagus")])
        session.commit()
    page = client.get("/admin/palette", params={"q": "tag"})
    assert page.status_code == 200
    commands = page.text.split('data-role="palette-commands"', 1)[1].split("</ul>")[0]
    assert "/admin/tag/list" in commands and "/admin/tag/create" in commands
    assert "tagliatelle" in page.text and "Club Tagus" in page.text
    assert 'data-identity="tag"' in page.text and 'data-identity="club"' in page.text
    # The trigger on every page leads here.
    assert 'href="http://testserver/admin/palette"' in client.get("/admin/").text


def test_the_page_says_when_nothing_matches(client: TestClient) -> None:
    page = client.get("/admin/palette", params={"q": "zzzz"})
    assert page.status_code == 200
    assert 'data-role="palette-empty"' in page.text


def test_the_page_refuses_a_term_too_long_with_a_message(client: TestClient) -> None:
    page = client.get("/admin/palette", params={"q": "x" * (MAX_TERM_LENGTH + 1)})
    assert page.status_code == 400
    assert 'data-role="palette-error"' in page.text
    assert "too long" in page.text


def test_the_page_needs_a_sign_in(anonymous: TestClient) -> None:
    response = anonymous.get("/admin/palette", params={"q": "a"})
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["location"]


def test_the_palette_adds_no_field_to_a_pages_forms(client: TestClient) -> None:
    page = client.get("/admin/tag/create").text
    assert "q" not in form_values(page)
    # Nor once its dialogs are in the page: the box has no name.
    dialogs = client.get("/admin/palette/dialogs").text
    box = re.search(r'<input[^>]*id="palette-input"[^>]*>', dialogs)
    assert box is not None and "name=" not in box.group(0)
