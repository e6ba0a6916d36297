"""Only the methods the CSRF check covers change anything.

Every route the admin serves is sent HEAD, OPTIONS, TRACE, PUT, PATCH and
DELETE by a logged-in user without a CSRF token, loaded with everything that
makes the route act on a GET or a POST (``pks``, credentials, a revert's entry,
a form's fields, an upload): every table of the database, admin_app's own
(sessions, audit, throttle, users, grants) included, must be as it was, no
answer may be a 500, and the user stays logged in. HEAD answers as GET does
(Starlette answers HEAD on every GET route, and the CSRF check lets it pass).
A last test posts the same requests with the token, to show they are the ones
that act.
"""

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from sqladmin import ModelView
from sqlalchemy import Engine, MetaData, select
from sqlmodel import Session, col
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from admin_app.app import mount_admin
from admin_app.audit.entries import record
from admin_app.auth.models import AdminSession, AdminUser, Grant, Role
from admin_app.forms.planning import plans_forms
from admin_app.settings import Settings
from admin_app.site import AdminSite
from admin_app.views.inferred import AutoModelView
from tests.conftest import ADMIN_PASSWORD, login, make_settings
from tests.html import form_values
from tests.sample_models import Club, ClubTagLink, Member, Membership, Tag

METHODS = ["HEAD", "OPTIONS", "TRACE", "PUT", "PATCH", "DELETE"]
NEW_PASSWORD = "a new password nobody sent"
# A session's last request is recorded now and then: not a change a request makes.
TOUCHED = {("admin_app_session", "last_seen_at")}


class PlainTagAdmin(ModelView, model=Tag):
    """A declared plain sqladmin view: sqladmin's own create, edit and import."""

    can_import: ClassVar[bool] = True


class LinkAdmin(AutoModelView, model=ClubTagLink):
    """Imported through ours (admin_app.imports): its upload is the action."""

    can_import: ClassVar[bool] = True


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # sample_models' tables, a club view with actions and import.
    return make_settings(database_url, tmp_path, models=["tests.action_views"])


@dataclass
class Admin:
    site: AdminSite
    client: TestClient
    engine: Engine
    pks: dict[str, str] = field(default_factory=dict)
    entry: int = 0
    csv: dict[str, str] = field(default_factory=dict)  # what an import would add


@pytest.fixture
def admin(settings: Settings, engine: Engine, admin_user: str) -> Iterator[Admin]:
    app = Starlette()
    site = mount_admin(
        app, engine=engine, settings=settings, views=[PlainTagAdmin, LinkAdmin]
    )
    with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as c:
        login(c, admin_user, ADMIN_PASSWORD)
        yield Admin(site, c, engine, *seed(engine))


def seed(engine: Engine) -> tuple[dict[str, str], int, dict[str, str]]:
    """A row in every table, an update entry a revert could undo; the key of
    the row each view's routes are sent for, that entry's id, and CSV files
    an import would add."""
    with Session(engine) as session:
        tag, indoor = Tag(label="outdoor"), Tag(label="indoor")
        club = Club(name="Chess club", tags=[tag])
        session.add_all([tag, indoor, club])
        session.flush()
        member = Member(email="ann@example.com", club_id=club.id)
        session.add(member)
        session.flush()
        session.add(Membership(club_id=club.id, member_id=member.id))
        other = AdminUser(username="other", password_hash="x", role=Role.editor)
        grant = Grant(role=Role.viewer, model="club")
        session.add_all([other, grant])
        session.flush()
        entry = record(
            session,
            "update",
            model="club",
            pk=str(club.id),
            changes={"name": {"before": "Chess", "after": "Chess club"}},
        )
        session.commit()
        token = session.scalars(select(col(AdminSession.id))).first()
        pks = {
            "club": str(club.id),
            "tag": str(tag.id),
            "member": str(member.id),
            "membership": f"{club.id};{member.id}",
            "club-tag-link": f"{club.id};{tag.id}",
            "admin-user": str(other.id),
            "grant": str(grant.id),
            "audit-entry": str(entry.id),
            "admin-session": str(token),
            "login-throttle": "user:nobody",
        }
        csv = {
            "club-tag-link": f"club_id,tag_id\n{club.id},{indoor.id}\n",
            "tag": "id,label\n77,imported\n",
            "club": "id,name,motto,founded\n77,Imported club,,\n",
        }
        assert entry.id is not None
        return pks, entry.id, csv


# What a form of each view needs to be saved (create or edit).
FIELDS: dict[str, dict[str, str]] = {
    "club": {"name": "Forged club"},
    "tag": {"label": "forged"},
    "member": {"email": "forged@example.com", "tier": "free", "balance": "1"},
    "admin-user": {
        "username": "forged",
        "role": "viewer",
        "is_active": "y",
        "password_hash": NEW_PASSWORD,
    },
    "grant": {"role": "editor", "model": "tag", "can_view": "y", "can_add": "y"},
    "login-throttle": {"key": "ip:forged", "failures": "3"},
}
UNIQUE = {"name", "label", "username"}
# A CSV sqladmin's import would read.


def body(admin: Admin, identity: str | None, route: str | None) -> dict[str, str]:
    """Every field that makes a route act when it is posted (an edit saves
    other unique values than a create)."""
    form = FIELDS.get(identity or "", {})
    if route == "edit":
        form = form | {k: f"{v}-edited" for k, v in form.items() if k in UNIQUE}
        form |= {"email": "edited@example.com"} if "email" in form else {}
    fields = {
        "pks": admin.pks.get(identity or "", ""),
        "entry": str(admin.entry),
        "old_password": ADMIN_PASSWORD,
        "new_password": NEW_PASSWORD,
        "new_password_again": NEW_PASSWORD,
        "save": "Save",
    }
    return fields | form


@dataclass(frozen=True)
class Call:
    """One request: a route's URL and what it is sent."""

    url: str
    data: dict[str, str]
    files: dict[str, Any] | None = None
    edit_page: str | None = None  # an edit form: its row snapshot is sent too

    def send(self, client: TestClient, method: str) -> httpx.Response:
        data = dict(self.data)
        if self.edit_page is not None:
            # The edit form as its page holds it (a field it lacks is refused),
            # with this call's values over it.
            data = {**form_values(client.get(self.edit_page).text), **data}
        return client.request(method, self.url, data=data, files=self.files)


def calls(admin: Admin) -> list[Call]:
    """A call of every route of the admin, for every view it serves."""
    prefix = "/admin"
    found: list[Call] = []
    for route in admin.site.admin.router.routes:
        if not isinstance(route, Route):
            continue  # static files
        if route.name == "login":
            creds = {"username": "boss", "password": ADMIN_PASSWORD}
            found.append(Call(prefix + route.path, creds))
            found.append(Call(prefix + route.path, {"username": "", "password": ""}))
            continue
        identities = (
            [view.identity for view in admin.site.views if isinstance(view, ModelView)]
            if "{identity}" in route.path
            else [route.path.split("/")[1] if "/action/" in route.path else None]
        )
        for identity in identities:
            pk = admin.pks.get(identity or "", "1")
            for export_type in (
                ("csv", "json") if "{export_type}" in route.path else ("",)
            ):
                path = (
                    route.path.replace("{identity}", identity or "")
                    .replace("{pk:path}", pk)
                    .replace("{export_type}", export_type)
                    .replace("{column_name}", "name")
                )
                query = httpx.QueryParams(
                    {"pks": pk, "name": "tags", "term": "out", "entry": admin.entry}
                )
                url = f"{prefix}{path}?{query}"
                data = body(admin, identity, route.name)
                files = None
                if route.name == "import":
                    csv = admin.csv.get(identity or "", "name\nx\n").encode()
                    # Ours takes "file"; sqladmin's, kept for plain views, "csvfile".
                    plain = not plans_forms(admin.site._find_model_view(identity))
                    field = "csvfile" if plain else "file"
                    files = {field: ("rows.csv", io.BytesIO(csv), "text/csv")}
                edit_page = url if route.name == "edit" else None
                found.append(Call(url, data, files, edit_page))
    return found


def snapshot(engine: Engine, metadata: MetaData) -> dict[str, list[str]]:
    """Every row of every table, as text, in a stable order."""
    rows: dict[str, list[str]] = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            columns = [c for c in table.c if (table.name, c.name) not in TOUCHED]
            found = connection.execute(select(*columns)).all()
            rows[table.name] = sorted(repr(tuple(row)) for row in found)
    return rows


def difference(before: dict[str, list[str]], after: dict[str, list[str]]) -> str:
    changed = []
    for name in before:
        gone = sorted(set(before[name]) - set(after[name]))
        new = sorted(set(after[name]) - set(before[name]))
        if gone or new:
            changed.append(f"{name}: -{gone} +{new}")
    return "; ".join(changed)


def reflected(engine: Engine) -> MetaData:
    metadata = MetaData()
    metadata.reflect(engine)
    return metadata


def logged_in(client: TestClient) -> bool:
    return client.get("/admin/").status_code == 200


def test_no_other_method_changes_anything(admin: Admin) -> None:
    """Every call sent by each method in turn; the database read after the
    call's six requests (a read of every table per request made this test the
    suite's slowest), and after each one that signs in or out."""
    client, engine = admin.client, admin.engine
    metadata = reflected(engine)
    client.csrf.enabled = False  # type: ignore[attr-defined]
    before = snapshot(engine, metadata)
    problems: list[str] = []
    answered: dict[str, set[int]] = {method: set() for method in METHODS}
    for call in calls(admin):
        for method in METHODS:
            response = call.send(client, method)
            answered[method].add(response.status_code)
            if response.status_code >= 500:
                problems.append(f"{method} {call.url}: {response.status_code}")
            session_route = "/logout" in call.url or "/login" in call.url
            if session_route and not logged_in(client):
                problems.append(f"{method} {call.url} logged the user out")
                login(client, "boss", ADMIN_PASSWORD)
                client.csrf.enabled = False  # type: ignore[attr-defined]
        after = snapshot(engine, metadata)
        if after != before:
            sent = ", ".join(METHODS)
            problems.append(f"{sent} {call.url} changed {difference(before, after)}")
            before = after
    assert not problems, "\n".join(problems)
    assert logged_in(client)
    for method in ("PUT", "PATCH", "DELETE"):
        assert answered[method] <= {403, 405}, (method, answered[method])
    for method in ("OPTIONS", "TRACE"):
        assert answered[method] == {405}, (method, answered[method])


def test_head_answers_as_get(admin: Admin) -> None:
    pk = admin.pks["club"]
    for url in [
        "/admin/",
        "/admin/club/list",
        f"/admin/club/details/{pk}",
        "/admin/club/create",
        f"/admin/club/edit/{pk}",
        f"/admin/club/delete?pks={pk}",
        f"/admin/club/action/shout?pks={pk}",
        f"/admin/club/history/{pk}",
        "/admin/tag/create",
        f"/admin/tag/edit/{admin.pks['tag']}",
        "/admin/account/password",
    ]:
        head, get = admin.client.head(url), admin.client.get(url)
        assert (head.status_code, url) == (get.status_code, url)
        assert head.headers["content-type"] == get.headers["content-type"]
    with TestClient(admin.client.app) as anonymous:
        assert anonymous.head("/admin/login").status_code == 200


def test_the_same_requests_posted_with_the_token_act(admin: Admin) -> None:
    """The calls above carry what acts: posted with the token, each changes
    the database (so their refusal above is the method's doing)."""
    client, engine = admin.client, admin.engine
    metadata = reflected(engine)
    by_route: dict[str, Call] = {}
    for call in calls(admin):  # the first of a route's calls: login's right one
        by_route.setdefault(call.url.split("?")[0].removeprefix("/admin"), call)
    club, tag, user = admin.pks["club"], admin.pks["tag"], admin.pks["admin-user"]
    acting = [
        f"/club/history/{club}",  # revert: the name goes back to "Chess"
        "/club/create",
        f"/club/edit/{club}",
        "/tag/create",  # sqladmin's own create and edit (a plain ModelView)
        f"/tag/edit/{tag}",
        "/club-tag-link/import",
        "/club/action/shout",
        f"/admin-user/edit/{user}",
        "/grant/create",
        "/tag/delete",
        "/login",  # a new session
        "/account/password",
        "/logout",
    ]
    for path in acting:
        call = by_route[path]
        before = snapshot(engine, metadata)
        response = call.send(client, "POST")
        assert response.status_code in (200, 302, 303), (path, response.text)
        assert snapshot(engine, metadata) != before, path
    assert not logged_in(client)
