"""Every model shape of the corpus (``tests/shapes/``), served on SQLite and
PostgreSQL, answers every view as a user expects.

For each shape module and database: the module's tables are created from their
own metadata and seeded, the admin serves the module alone, and for each view
of its tables these must answer as said, in this order:

* the list (200, listing every row), each sortable column ascending and
  descending (200), a search for a term taken from a seeded row when the view
  is searchable (200, finding a row);
* each row's detail page and its history (200);
* each picker's lookup for a prefix of a seeded row's label (200, JSON holding
  that row);
* the CSV export (200);
* each row's edit form (200), posted back unchanged (302, and no row of any of
  the module's tables changed);
* the create form (200) and a create with the module's ``CREATE`` inputs (302,
  one row more);
* a delete of the oldest row (303 to the list: a row less, or nothing deleted
  and the list saying why not); a soft-deleting view's list and trash hold the
  rows out of and in the trash, and its delete moves a row to the trash.

No answer may be a 5xx, show a traceback, or hold one of the module's secrets.
A failure names the module, the database, the view and the step, and every
failing step of the module is reported at once.
"""

import html
import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from sqladmin import ModelView
from sqlalchemy import Engine, Table, func, select
from sqlmodel import Session
from starlette.testclient import TestClient

from admin_app.forms.pickers import search_fields
from admin_app.labels import row_label
from tests.html import form_values
from tests.postgres import database as postgres_database
from tests.shape_server import serving
from tests.shapes import shape_dialects

# Whatever a shape says, these never reach a page.
ALWAYS_SECRET = ("SECRET-HASH-VALUE",)
_ROW = re.compile(
    r'<input type="hidden" value="([^"]*)">.*?'
    r'<a href="([^"]*/details/[^"]*)".*?<a href="([^"]*/edit/[^"]*)"',
    re.S,
)
_HISTORY = re.compile(r'<a href="([^"]*)"[^>]*data-role="history"')

SHAPES = [
    pytest.param(name, dialect, id=f"{name}-{dialect}")
    for name, dialects in shape_dialects().items()
    for dialect in dialects
]


@pytest.fixture
def shape_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    dialect = request.node.callspec.params["dialect"]
    if dialect == "sqlite":
        yield f"sqlite:///{tmp_path / 'shape.db'}"
    else:
        yield from postgres_database(request.getfixturevalue("postgres_server"))


@dataclass(frozen=True)
class ListedRow:
    key: str
    details_url: str
    edit_url: str


@dataclass
class Visit:
    """One logged-in client going through a shape's views, noting what fails."""

    client: TestClient
    where: str
    secrets: tuple[str, ...]
    problems: list[str] = field(default_factory=list)

    def fail(self, view: str, step: str, problem: str) -> None:
        self.problems.append(f"{self.where} {view}: {step}: {problem}")

    def request(
        self,
        view: str,
        step: str,
        method: str,
        url: str,
        expect: tuple[int, ...] = (200,),
        **kwargs: Any,
    ) -> httpx.Response | None:
        """The answer, when it is one of ``expect`` and safe to show."""
        try:
            response = self.client.request(method, url, **kwargs)
        except Exception as exc:  # the app raised: the step failed
            self.fail(view, step, f"{method} {url} raised {exc!r}")
            return None
        text = response.text
        shown = [secret for secret in self.secrets if secret in text]
        if response.status_code >= 500 or "Traceback" in text:
            self.fail(view, step, f"{method} {url} -> {response.status_code}")
            return None
        if shown:
            self.fail(view, step, f"{method} {url} shows the secret {shown[0]!r}")
        if response.status_code not in expect:
            detail = _errors_of(text)
            self.fail(
                view,
                step,
                f"{method} {url} -> {response.status_code}, not {expect}{detail}",
            )
            return None
        return response


def _errors_of(page: str) -> str:
    """The messages a refused form or an error page shows, for the report."""
    found = re.findall(
        r'class="[^"]*(?:invalid-feedback|alert)[^"]*"[^>]*>\s*([^<]+)', page
    )
    found += re.findall(r"<h3[^>]*>([^<]+)</h3>", page)
    messages = [html.unescape(m).strip() for m in found if m.strip()]
    return f" ({'; '.join(messages[:5])})" if messages else ""


def _snapshot(engine: Engine, tables: list[Table]) -> dict[str, list[str]]:
    """Every row of ``tables``, as comparable text."""
    with engine.connect() as connection:
        return {
            table.name: sorted(
                repr(tuple(row)) for row in connection.execute(select(table))
            )
            for table in tables
        }


def _count(engine: Engine, table: Table) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table)) or 0)


def _live_count(engine: Engine, view: ModelView, trashed: bool = False) -> int:
    """The rows of ``view``'s table its list shows: those out of the trash of a
    soft-deleting view (or, ``trashed``, those in it)."""
    table = view.model.__table__
    name = getattr(view, "soft_delete_column", None)
    if not name:
        return 0 if trashed else _count(engine, table)
    column = table.c[getattr(view.model, name).key]
    where = column.is_not(None) if trashed else column.is_(None)
    with engine.connect() as connection:
        found = connection.scalar(select(func.count()).select_from(table).where(where))
        return int(found or 0)


def _listed(page: str) -> list[ListedRow]:
    return [
        ListedRow(html.unescape(key), html.unescape(details), html.unescape(edit))
        for key, details, edit in _ROW.findall(page)
    ]


def _search_term(engine: Engine, view: ModelView) -> str | None:
    """A searchable column's value in a seeded row."""
    model = view.model
    with Session(engine) as session:
        for row in session.scalars(select(model)):
            for name in view._search_fields:
                value = getattr(row, name, None)
                if isinstance(value, str) and value.strip():
                    return value
    return None


def _lookups(engine: Engine, view: ModelView) -> Iterator[tuple[str, str, str]]:
    """Each picker's name, a term a user would type (a prefix of a row's search
    column) and the label of that row."""
    loaders = {**view._form_ajax_refs, **getattr(view, "_column_ajax_refs", {})}
    for name, loader in loaders.items():
        target = loader.model
        column = search_fields(target)[0]
        with Session(engine) as session:
            row = session.scalars(select(target).limit(1)).first()
            if row is None:
                yield name, "", f"(no {target.__name__} row to look up)"
                continue
            value = getattr(row, column)
            term = value[:3] if isinstance(value, str) else str(value)
            yield name, term, row_label(row)


def _read_only_steps(visit: Visit, engine: Engine, view: ModelView) -> list[ListedRow]:
    identity = view.identity
    base = f"/admin/{identity}"
    listing = visit.request(identity, "list", "GET", f"{base}/list")
    if listing is None:
        return []
    rows = _listed(listing.text)
    expected = _live_count(engine, view)
    if len(rows) != expected:
        visit.fail(
            identity, "list", f"{len(rows)} rows listed, {expected} in the table"
        )
    if getattr(view, "soft_delete_column", None):
        trash = visit.request(
            identity, "trash", "GET", f"{base}/list", params={"trash": "1"}
        )
        trashed = _live_count(engine, view, trashed=True)
        if trash is not None and len(_listed(trash.text)) != trashed:
            visit.fail(identity, "trash", f"not the {trashed} rows in the trash")
    for name in view._sort_fields:
        for order in ("asc", "desc"):
            visit.request(
                identity,
                f"sort by {name} {order}",
                "GET",
                f"{base}/list",
                params={"sortBy": name, "sort": order},
            )
    if view._search_fields:
        term = _search_term(engine, view)
        found = visit.request(
            identity, "search", "GET", f"{base}/list", params={"search": term or ""}
        )
        if term is None:
            visit.fail(identity, "search", "no seeded row has a value to search for")
        elif found is not None and not _listed(found.text):
            visit.fail(identity, "search", f"searching {term!r} found no row")
    for row in rows:
        details = visit.request(
            identity, f"detail of {row.key}", "GET", row.details_url
        )
        history = _HISTORY.search(details.text) if details is not None else None
        if details is not None and history is None:
            visit.fail(identity, f"detail of {row.key}", "no link to its history")
        elif history is not None:
            visit.request(
                identity, f"history of {row.key}", "GET", html.unescape(history[1])
            )
    for name, term, label in _lookups(engine, view):
        step = f"lookup {name}={term!r}"
        if not term:
            visit.fail(identity, step, label)
            continue
        answer = visit.request(
            identity,
            step,
            "GET",
            f"{base}/ajax/lookup",
            params={"name": name, "term": term},
        )
        if answer is not None:
            texts = [result.get("text") for result in answer.json()["results"]]
            if label not in texts:
                visit.fail(identity, step, f"{label!r} not among {texts}")
    visit.request(identity, "CSV export", "GET", f"{base}/export/csv")
    return rows


def _edit_steps(
    visit: Visit,
    engine: Engine,
    view: ModelView,
    rows: list[ListedRow],
    tables: list[Table],
) -> None:
    identity = view.identity
    for row in rows:
        step = f"edit of {row.key}"
        page = visit.request(identity, step, "GET", row.edit_url)
        if page is None:
            continue
        before = _snapshot(engine, tables)
        data = {**form_values(page.text), "save": "Save"}
        visit.request(
            identity,
            f"{step} posted back unchanged",
            "POST",
            row.edit_url,
            (302,),
            data=data,
        )
        after = _snapshot(engine, tables)
        changed = {
            name: (
                sorted(set(before[name]) - set(after[name])),
                "->",
                sorted(set(after[name]) - set(before[name])),
            )
            for name in before
            if before[name] != after[name]
        }
        if changed:
            visit.fail(identity, f"{step} posted back unchanged", f"changed {changed}")


def _create_steps(
    visit: Visit, engine: Engine, view: ModelView, inputs: dict[str, Any] | None
) -> None:
    identity = view.identity
    if not view.can_create:
        return
    if inputs is None:
        visit.fail(identity, "create", "the module's CREATE has no inputs for it")
        return
    url = f"/admin/{identity}/create"
    page = visit.request(identity, "create form", "GET", url)
    if page is None:
        return
    table = view.model.__table__
    before = _count(engine, table)
    data = {**form_values(page.text), **inputs, "save": "Save"}
    visit.request(identity, "create", "POST", url, (302,), data=data)
    if _count(engine, table) != before + 1:
        visit.fail(
            identity, "create", f"{before} rows before, {_count(engine, table)} after"
        )


def _delete_step(visit: Visit, engine: Engine, view: ModelView) -> None:
    """Delete the oldest row still listed (a delete in another view may have
    taken some along): gone (and what goes with it), or refused with a reason
    the list shows (from the session, never the URL) and nothing deleted."""
    identity = view.identity
    listing = visit.request(
        identity, "list before a delete", "GET", f"/admin/{identity}/list"
    )
    rows = _listed(listing.text) if listing is not None else []
    if not rows or not view.can_delete:
        return
    oldest = rows[-1]
    before = _live_count(engine, view)
    step = f"delete of {oldest.key}"
    answer = visit.request(
        identity,
        step,
        "POST",
        f"/admin/{identity}/delete",
        (303,),
        data={"pks": oldest.key},
    )
    if answer is None:
        return
    after = _live_count(engine, view)
    location = answer.headers["location"]
    if "error=" in location:
        visit.fail(identity, step, "a message in the URL")
    shown = visit.request(identity, f"{step}: the list after it", "GET", location)
    if shown is None:
        return
    # A refusal's reason comes in the session, shown in the list's red box.
    reason = re.search(
        r'<div class="alert alert-danger" role="alert">([^<]*)<', shown.text
    )
    if reason is not None and after != before:
        visit.fail(identity, step, f"refused, yet {before - after} rows went")
    elif reason is not None and not reason[1].strip():
        visit.fail(identity, step, "refused, and the list does not say why")
    elif reason is None and after >= before:
        visit.fail(identity, step, f"neither done nor refused: still {after} rows")


@pytest.mark.parametrize(("name", "dialect"), SHAPES)
def test_every_view_of_every_shape_answers(
    name: str, dialect: str, shape_database: str, tmp_path: Path
) -> None:
    module: ModuleType = importlib.import_module(f"tests.shapes.{name}")
    secrets = (*ALWAYS_SECRET, *getattr(module, "SECRETS", ()))
    creates: dict[str, dict[str, Any]] = getattr(module, "CREATE", {})
    with serving(module, shape_database, tmp_path) as served:
        visit = Visit(served.client, f"[{name} on {dialect}]", secrets)
        engine, tables, views = served.engine, served.tables, served.views()
        if {view.model for view in views} != set(served.models):
            visit.fail("-", "views", "not every table of the module has a view")
        unknown = set(creates) - {view.identity for view in views}
        if unknown:
            visit.fail("-", "CREATE", f"names no view: {sorted(unknown)}")
        listed = {
            view.identity: _read_only_steps(visit, engine, view) for view in views
        }
        for view in views:
            _edit_steps(visit, engine, view, listed[view.identity], tables)
        for view in views:
            _create_steps(visit, engine, view, creates.get(view.identity))
        for view in views:
            _delete_step(visit, engine, view)
    assert not visit.problems, "\n".join(visit.problems)
