"""Saving a view the way the list's form does, and reading what it made."""

import re

from sqlalchemy import Engine
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
