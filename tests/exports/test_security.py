"""Exports: no CSV cell runs as a spreadsheet formula, file names are plain
ASCII, and an export of many rows needs a POST."""

import csv
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin_app.app import mount_admin
from admin_app.exports.routes import neutralise
from admin_app.settings import Settings
from admin_app.views.inferred import AutoModelView
from tests.conftest import ADMIN_PASSWORD, login, make_settings
from tests.csrf_helper import token_in
from tests.sample_models import Club, Member, Tag

FORMULAS = [
    "=HYPERLINK('http://evil.example','x')",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
SAFE_NAME = re.compile(r'attachment; ?filename="?[A-Za-z0-9_.-]+"?')


class PrettyTagAdmin(AutoModelView, model=Tag):
    use_pretty_export: ClassVar[bool] = True


class HostileNameAdmin(AutoModelView, model=Club):
    name_plural = 'Evil"; filename=x.exe\r\n../../Clübs 名前'


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path, export_get_max_rows=20)


@pytest.fixture
def client(settings: Settings, engine: Engine, admin_user: str) -> Iterator[TestClient]:
    app = Starlette()
    mount_admin(app, settings=settings, views=[PrettyTagAdmin, HostileNameAdmin])
    with TestClient(app, follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


def rows_of(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text, newline="")))


def test_formula_cells_are_neutralised(client: TestClient, engine: Engine) -> None:
    with Session(engine) as session:
        session.add_all(
            Club(name=f"club {i}", motto=text) for i, text in enumerate(FORMULAS)
        )
        session.add(Club(name="=1+1", motto="plain words"))
        session.commit()
    rows = rows_of(client.get("/admin/club/export/csv"))
    mottos = {row["motto"] for row in rows}
    assert mottos == {"'" + text for text in FORMULAS} | {"plain words"}
    assert "'=1+1" in {row["name"] for row in rows}


def test_numbers_stay_numbers(client: TestClient, engine: Engine) -> None:
    with Session(engine) as session:
        session.add(
            Member(email="a@example.com", nickname="-dash", balance=Decimal("-5.25"))
        )
        session.commit()
    (row,) = rows_of(client.get("/admin/member/export/csv"))
    assert row["balance"] == "-5.25"
    assert row["nickname"] == "'-dash"
    assert "pin_code" not in row  # secrets stay out of exports


def test_the_pretty_export_is_neutralised_too(
    client: TestClient, engine: Engine
) -> None:
    with Session(engine) as session:
        session.add(Tag(label="@evil"))
        session.commit()
    (row,) = rows_of(client.get("/admin/tag/export/csv"))
    assert row["Label"] == "'@evil"


def test_file_names_are_plain_ascii(client: TestClient, engine: Engine) -> None:
    with Session(engine) as session:
        session.add(Tag(label="chess"))
        session.commit()
    for url in ["/admin/tag/export/csv", "/admin/tag/export/json"]:
        response = client.get(url)
        assert response.status_code == 200
        disposition = response.headers["content-disposition"]
        assert SAFE_NAME.fullmatch(disposition), disposition
        assert "tags_" in disposition


def test_a_hostile_view_name_makes_a_plain_file_name(
    client: TestClient, engine: Engine
) -> None:
    with Session(engine) as session:
        session.add(Club(name="Chess"))
        session.commit()
    response = client.get("/admin/club/export/csv")
    disposition = response.headers["content-disposition"]
    name = r"evil_filename_x_exe_clubs_\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d\.csv"
    assert re.fullmatch(f'attachment; filename="{name}"', disposition), disposition


def test_a_large_export_needs_a_post(client: TestClient, engine: Engine) -> None:
    with Session(engine) as session:
        session.add_all(Tag(label=f"tag {i}") for i in range(21))
        session.commit()
    page = client.get("/admin/tag/export/csv")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Export 21 tags as CSV?" in page.text
    assert 'method="post"' in page.text and token_in(page.text)
    client.csrf.enabled = False  # type: ignore[attr-defined]
    assert client.post("/admin/tag/export/csv").status_code == 403
    client.csrf.enabled = True  # type: ignore[attr-defined]
    assert len(rows_of(client.post("/admin/tag/export/csv"))) == 21


def test_unknown_export_types_are_404(client: TestClient) -> None:
    assert client.get("/admin/tag/export/xlsx").status_code == 404
    assert client.post("/admin/tag/export/xlsx").status_code == 404


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1", "'=1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@a", "'@a"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=1", "a=1"),
        ("", ""),
        (-1, -1),
        (Decimal("-2.5"), Decimal("-2.5")),
        (None, None),
    ],
)
def test_neutralise(value: object, cell: object) -> None:
    assert neutralise(value) == cell
