"""CSV cells a spreadsheet could run as a formula get a leading ``'``: those
starting with ``=``, ``+``, ``-`` or ``@``, also after leading whitespace
(spaces, line breaks, tabs, CR, Unicode and zero-width spaces), which
spreadsheets skip, and those starting with a tab or CR."""

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin_app.app import mount_admin
from admin_app.exports.formats import CsvFormat, Layout, neutralise
from admin_app.settings import Settings
from admin_app.views.inferred import AutoModelView
from tests.conftest import ADMIN_PASSWORD, login, make_settings
from tests.sample_models import Club, Tag

LEADING = {
    "space": " ",
    "spaces": "   ",
    "line break": "\n",
    "CRLF": "\r\n",
    "tab": "\t",
    "CR": "\r",
    "vertical tab": "\v",
    "form feed": "\f",
    "no-break space": "\u00a0",
    "em space": "\u2003",
    "ideographic space": "\u3000",
    "zero-width space": "\u200b",
    "byte order mark": "\ufeff",
    "mixed": " \t\n ",
}
STARTS = ["=", "+", "-", "@"]
FORMULAS = {
    f"{name} then {start}": f"{lead}{start}1+cmd|' /C calc'!A0"
    for name, lead in LEADING.items()
    for start in STARTS
}
HARMLESS = ["  hello", " 1-2", "a=1", "\u00a0x", "plain", "x\n=1", ""]


def csv_cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("text", FORMULAS.values(), ids=list(FORMULAS))
def test_a_formula_after_whitespace_is_neutralised(text: str) -> None:
    assert neutralise(text) == "'" + text
    writer = CsvFormat(Layout(["a"], ["a"], ["a"], [], False))
    assert csv_cells(writer.rows([[text]])) == [["'" + text]]


@pytest.mark.parametrize("text", HARMLESS)
def test_text_that_is_no_formula_is_left_alone(text: str) -> None:
    assert neutralise(text) == text
    writer = CsvFormat(Layout(["a"], ["a"], ["a"], [], False))
    assert csv_cells(writer.rows([[text]])) == [[text]]


class PrettyTagAdmin(AutoModelView, model=Tag):
    use_pretty_export: ClassVar[bool] = True


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path)


@pytest.fixture
def client(settings: Settings, engine: Engine, admin_user: str) -> Iterator[TestClient]:
    app = Starlette()
    mount_admin(app, settings=settings, views=[PrettyTagAdmin])
    with TestClient(app, follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


def test_exports_neutralise_every_variant(client: TestClient, engine: Engine) -> None:
    texts = list(FORMULAS.values())
    with Session(engine) as session:
        session.add_all(Club(name=f"club {i}", motto=t) for i, t in enumerate(texts))
        session.add_all(Tag(label=t) for t in texts)
        session.commit()
    # Plain columns, streamed as tuples.
    response = client.get("/admin/club/export/csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text, newline="")))
    assert sorted(row["motto"] for row in rows) == sorted("'" + t for t in texts)
    # sqladmin's pretty export, from objects.
    response = client.get("/admin/tag/export/csv")
    assert response.status_code == 200
    labels = [
        row["Label"] for row in csv.DictReader(io.StringIO(response.text, newline=""))
    ]
    assert sorted(labels) == sorted("'" + t for t in texts)
