"""Saving a view the way the list's form does, and reading what it made."""

import re

from sqlalchemy import Engine, inspect
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from admin_app.audit.entries import AuditEntry
from admin_app.saved_views.models import SavedView


def save(
    client: TestClient,
    query: str,
    name: str,
    shared: bool = False,
    model: str = "member",
) -> tuple[int, str]:
    """POST the list's save form; (status, the new view's URL or the page)."""
    data = {"name": name, "query": query}
    if shared:
        data["shared"] = "y"
    response = client.post(f"/admin/{model}/views", data=data)
    if response.status_code == 303:
        return 303, response.headers["location"]
    return response.status_code, response.text


def view_id(url: str) -> int:
    found = re.search(r"[?&]view=(\d+)", url)
    assert found is not None, url
    return int(found.group(1))


def stored(engine: Engine) -> list[SavedView]:
    with Session(engine) as session:
        return list(session.exec(select(SavedView).order_by(col(SavedView.id))))


def entries(engine: Engine, prefix: str = "view:") -> list[AuditEntry]:
    with Session(engine) as session:
        found = session.exec(
            select(AuditEntry)
            .where(col(AuditEntry.action).startswith(prefix))
            .order_by(col(AuditEntry.id))
        )
        return list(found)


def sidebar_views(page: str) -> dict[str, str]:
    """The saved views the sidebar shows: name → URL."""
    found = re.findall(
        r'<a class="nav-link[^"]*" href="([^"]+)" data-saved-view="\d+"[^>]*>'
        r'<span class="nav-link-title">([^<]+)</span>',
        page,
    )
    return {name: url.replace("&amp;", "&") for url, name in found}


def shared_name_rule(engine: Engine) -> tuple[list[str], bool, bool]:
    """The shared-name index of ``engine``'s saved view table: its columns,
    whether it is unique, and whether the table has a ``shared_name``."""
    found = inspect(engine)
    table = SavedView.__tablename__
    [index] = [
        index
        for index in found.get_indexes(table)
        if index["name"] == "uq_admin_app_saved_view_shared"
    ]
    columns = {column["name"] for column in found.get_columns(table)}
    return list(index["column_names"]), bool(index["unique"]), "shared_name" in columns


def expected_shared_name_rule(engine: Engine) -> tuple[list[str], bool, bool]:
    """MariaDB/MySQL have no partial index: theirs covers a generated column
    holding the name of a shared view only; elsewhere a partial index."""
    if engine.dialect.name in ("mysql", "mariadb"):
        return ["model", "shared_name"], True, True
    return ["model", "name"], True, False
