"""Each role sees and does exactly what its grants allow, on every route kind,
by menu and by URL: list, detail, forms, delete, export, actions, pickers,
import, custom pages; admin_app's own tables are for admins only, and the
audit trail is read-only even for them."""

import itertools
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
from sqladmin import BaseView, action, expose
from sqlalchemy import Engine, func, select
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.testclient import TestClient

from admin_app.app import mount_admin
from admin_app.audit import entries as audit
from admin_app.auth.models import AdminUser, Grant, Role
from admin_app.auth.users import create_user, find_user
from admin_app.settings import Settings
from admin_app.views.inferred import AutoModelView
from tests.conftest import login
from tests.html import form_values
from tests.sample_models import Club, Member, Tag

PASSWORD = "a long enough password"
ADMIN_IDENTITIES = ("admin-user", "grant", "admin-session", "login-throttle")
AUDIT = "audit-entry"

Client = Callable[..., TestClient]


@pytest.fixture
def rows(engine: Engine) -> dict[str, Any]:
    """A club with a tag, a member of it, and an audit entry."""
    with Session(engine) as session:
        tag = Tag(label="alpha")
        club = Club(name="Alpha", tags=[tag])
        session.add_all([club, tag])
        session.commit()
        member = Member(email="ada@example.com", club_id=club.id)
        session.add(member)
        entry = audit.record(session, "update", model="club", pk=str(club.id))
        session.commit()
        return {"club": club.id, "tag": tag.id, "member": member.id, "audit": entry.id}


def add_user(engine: Engine, name: str, role: Role) -> None:
    with Session(engine) as session:
        create_user(session, name, PASSWORD, role)


def grant(engine: Engine, role: Role, model: str, **rights: bool) -> None:
    with Session(engine) as session:
        session.add(Grant(role=role, model=model, **rights))
        session.commit()


@pytest.fixture
def client_for(app: Starlette, engine: Engine) -> Iterator[Client]:
    """A logged-in client of the standard admin for a new user of ``role``."""
    numbers = itertools.count()
    with ExitStack() as stack:

        def make(
            role: Role, name: str | None = None, of: Starlette = app
        ) -> TestClient:
            name = name or f"{role.value}-{next(numbers)}"
            add_user(engine, name, role)
            client = stack.enter_context(TestClient(of, follow_redirects=False))
            login(client, name, PASSWORD)
            return client

        yield make


def menu(client: TestClient) -> set[str]:
    """The identities the side menu links to."""
    page = client.get("/admin/")
    assert page.status_code == 200
    nav = page.text.split('id="navbar-menu"', 1)[1].split("</nav>", 1)[0]
    return set(re.findall(r'href="[^"]*/admin/([\w-]+)/list"', nav))


def save(client: TestClient, url: str, **changes: str) -> httpx.Response:
    """Submit the form at ``url`` as loaded, with ``changes``."""
    page = client.get(url)
    assert page.status_code == 200, page.text
    return client.post(url, data={**form_values(page.text), **changes})


def count(engine: Engine, model: type[Any]) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def reads(rows: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Every page kind of the club view, by the right it needs."""
    club = rows["club"]
    return {
        "list": ("GET", "/admin/club/list"),
        "details": ("GET", f"/admin/club/details/{club}"),
        "create": ("GET", "/admin/club/create"),
        "edit": ("GET", f"/admin/club/edit/{club}"),
        "delete": ("GET", f"/admin/club/delete?pks={club}"),
        "export": ("GET", "/admin/club/export/csv"),
        "lookup": ("GET", "/admin/club/ajax/lookup?name=tags&term=al"),
    }


def statuses(client: TestClient, rows: dict[str, Any]) -> dict[str, int]:
    return {
        kind: client.request(method, url).status_code
        for kind, (method, url) in reads(rows).items()
    }


ALLOWED = 200
DENIED = 403

DEFAULTS = {
    Role.viewer: {
        "list": ALLOWED,
        "details": ALLOWED,
        "create": DENIED,
        "edit": DENIED,
        "delete": DENIED,
        "export": DENIED,
        "lookup": DENIED,
    },
    Role.editor: {
        "list": ALLOWED,
        "details": ALLOWED,
        "create": ALLOWED,
        "edit": ALLOWED,
        "delete": DENIED,
        "export": ALLOWED,
        "lookup": ALLOWED,
    },
    Role.admin: dict.fromkeys(
        ("list", "details", "create", "edit", "delete", "export", "lookup"), ALLOWED
    ),
}


# Defaults per role


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_exactly_its_default_pages(
    client_for: Client, rows: dict[str, Any], role: Role
) -> None:
    assert statuses(client_for(role), rows) == DEFAULTS[role]


@pytest.mark.parametrize("role", list(Role))
def test_the_menu_shows_what_the_role_may_open(client_for: Client, role: Role) -> None:
    shown = menu(client_for(role))
    assert {"club", "tag", "member"} <= shown
    own = set(ADMIN_IDENTITIES) | {AUDIT}
    assert (shown & own) == (own if role is Role.admin else set())


def test_buttons_are_shown_only_for_what_the_user_may_do(
    client_for: Client, rows: dict[str, Any]
) -> None:
    club = rows["club"]
    viewer, editor = client_for(Role.viewer), client_for(Role.editor)
    edit, delete = f"/admin/club/edit/{club}", "/admin/club/delete"
    create, export = "/admin/club/create", "/admin/club/export/csv"

    seen = (
        viewer.get("/admin/club/list").text
        + viewer.get(f"/admin/club/details/{club}").text
    )
    for url in (edit, create, export):
        assert url not in seen, url
    assert 'data-bs-target="#modal-delete"' not in seen

    seen = (
        editor.get("/admin/club/list").text
        + editor.get(f"/admin/club/details/{club}").text
    )
    for url in (edit, create, export):
        assert url in seen, url
    assert delete not in seen
    dashboard = viewer.get("/admin/").text
    assert "/admin/club/list" in dashboard and create not in dashboard


# Writes are refused on the server, whatever the page showed


def test_a_viewer_writes_nothing(
    client_for: Client, engine: Engine, rows: dict[str, Any]
) -> None:
    viewer = client_for(Role.viewer)
    club = rows["club"]
    assert viewer.post("/admin/club/create", data={"name": "Beta"}).status_code == 403
    response = viewer.post(f"/admin/club/edit/{club}", data={"name": "Renamed"})
    assert response.status_code == 403
    assert viewer.post("/admin/club/delete", data={"pks": club}).status_code == 403
    assert viewer.delete(f"/admin/club/delete?pks={club}").status_code == 403
    with Session(engine) as session:
        assert [c.name for c in session.scalars(select(Club))] == ["Alpha"]


def test_an_editor_adds_and_changes_but_does_not_delete(
    client_for: Client, engine: Engine, rows: dict[str, Any]
) -> None:
    editor = client_for(Role.editor)
    club = rows["club"]
    assert save(editor, "/admin/club/create", name="Beta").status_code == 302
    response = save(editor, f"/admin/club/edit/{club}", name="Renamed")
    assert response.status_code == 302, response.text
    assert editor.post("/admin/club/delete", data={"pks": club}).status_code == 403
    with Session(engine) as session:
        names = {c.name for c in session.scalars(select(Club))}
    assert names == {"Beta", "Renamed"}


def test_an_admin_deletes(
    client_for: Client, engine: Engine, rows: dict[str, Any]
) -> None:
    admin = client_for(Role.admin)
    response = admin.post("/admin/member/delete", data={"pks": str(rows["member"])})
    assert response.status_code == 303
    assert count(engine, Member) == 0


# Grants


def test_a_grant_adds_rights_to_a_role_for_one_view(
    client_for: Client, engine: Engine, rows: dict[str, Any]
) -> None:
    grant(engine, Role.viewer, "club", can_view=True, can_add=True, can_export=True)
    viewer = client_for(Role.viewer)
    got = statuses(viewer, rows)
    assert got == {**DEFAULTS[Role.viewer], "create": 200, "export": 200, "lookup": 200}
    # Other views keep the role's defaults.
    assert viewer.get("/admin/tag/create").status_code == 403
    assert viewer.get("/admin/tag/export/csv").status_code == 403


def test_a_grant_takes_rights_away_even_from_admins(
    client_for: Client, engine: Engine, rows: dict[str, Any]
) -> None:
    grant(engine, Role.admin, "club", can_view=True, can_change=True)
    admin = client_for(Role.admin)
    assert statuses(admin, rows) == {
        **DEFAULTS[Role.viewer],
        "edit": 200,
        "lookup": 200,
    }
    response = admin.post("/admin/club/delete", data={"pks": rows["club"]})
    assert response.status_code == 403
    assert count(engine, Club) == 1


def test_a_model_a_role_may_not_view_is_gone_from_menu_and_urls(
    client_for: Client, engine: Engine, rows: dict[str, Any]
) -> None:
    # Rights without view mean nothing.
    grant(
        engine,
        Role.editor,
        "club",
        can_view=False,
        can_add=True,
        can_change=True,
        can_delete=True,
        can_export=True,
    )
    editor = client_for(Role.editor)
    assert "club" not in menu(editor)
    assert set(statuses(editor, rows).values()) == {403}
    assert editor.post("/admin/club/create", data={"name": "Beta"}).status_code == 403
    assert count(engine, Club) == 1
    assert "/admin/club/list" not in editor.get("/admin/").text
    # The detail page of a member no longer links to its club's view.
    page = editor.get(f"/admin/member/details/{rows['member']}").text
    assert f"/admin/club/details/{rows['club']}" not in page


def test_a_picker_needs_the_form_and_a_target_the_user_may_view(
    client_for: Client, engine: Engine, rows: dict[str, Any]
) -> None:
    editor = client_for(Role.editor)
    member_club = "/admin/member/ajax/lookup?name=club_id&term=al"
    club_tags = "/admin/club/ajax/lookup?name=tags&term=al"
    assert [r["text"] for r in editor.get(club_tags).json()["results"]] == ["alpha"]
    assert editor.get(member_club).status_code == 200

    grant(engine, Role.editor, "tag", can_view=False)
    grant(engine, Role.editor, "club", can_view=True, can_change=True)
    # The form's view may still be edited, but its tags may not be seen...
    assert editor.get(club_tags).status_code == 403
    # ...while clubs may be seen, so members' club pickers still work.
    assert editor.get(member_club).status_code == 200


def test_a_picker_of_an_invisible_target_is_refused(
    client_for: Client, engine: Engine, rows: dict[str, Any]
) -> None:
    grant(engine, Role.editor, "club", can_view=False)
    editor = client_for(Role.editor)
    assert editor.get("/admin/member/create").status_code == 200
    lookup = "/admin/member/ajax/lookup?name=club_id&term=al"
    assert editor.get(lookup).status_code == 403


def test_a_new_role_counts_from_the_next_request(
    client_for: Client, engine: Engine, rows: dict[str, Any]
) -> None:
    viewer = client_for(Role.viewer, "changing")
    assert viewer.get("/admin/club/create").status_code == 403
    with Session(engine) as session:
        user = find_user(session, "changing")
        assert user is not None
        user.role = Role.editor
        session.commit()
    assert viewer.get("/admin/club/create").status_code == 200
    grant(engine, Role.editor, "club", can_view=False)
    assert viewer.get("/admin/club/list").status_code == 403


def test_a_role_set_on_the_admin_page_counts_from_the_next_request(
    client_for: Client, engine: Engine, rows: dict[str, Any]
) -> None:
    admin = client_for(Role.admin, "chief")
    editor = client_for(Role.editor, "writer")
    assert "admin-user" not in menu(editor)
    with Session(engine) as session:
        user = find_user(session, "writer")
        assert user is not None
        writer = user.id
    response = save(admin, f"/admin/admin-user/edit/{writer}", role="admin")
    assert response.status_code == 302, response.text
    assert "admin-user" in menu(editor)
    assert (
        editor.get("/admin/club/delete", params={"pks": rows["club"]}).status_code
        == 200
    )


# admin_app's own tables


@pytest.mark.parametrize("role", [Role.viewer, Role.editor])
def test_only_admins_reach_users_grants_sessions_and_the_audit(
    client_for: Client, engine: Engine, rows: dict[str, Any], role: Role
) -> None:
    # Grants cannot open them: they are not consulted for these tables.
    for identity in (*ADMIN_IDENTITIES, AUDIT):
        grant(
            engine,
            role,
            identity,
            can_view=True,
            can_add=True,
            can_change=True,
            can_delete=True,
            can_export=True,
        )
    client = client_for(role, "me")
    with Session(engine) as session:
        me = find_user(session, "me")
        assert me is not None
    for identity in (*ADMIN_IDENTITIES, AUDIT):
        for url in (
            f"/admin/{identity}/list",
            f"/admin/{identity}/create",
            f"/admin/{identity}/export/csv",
        ):
            assert client.get(url).status_code == 403, url
    assert client.get(f"/admin/admin-user/details/{me.id}").status_code == 403
    assert client.get(f"/admin/admin-user/edit/{me.id}").status_code == 403
    response = client.post(
        f"/admin/admin-user/edit/{me.id}",
        data={"username": me.username, "role": "admin", "is_active": "y"},
    )
    assert response.status_code == 403
    response = client.post(
        "/admin/grant/create",
        data={"role": role.value, "model": "tag", "can_view": "y", "can_delete": "y"},
    )
    assert response.status_code == 403
    with Session(engine) as session:
        refreshed = session.get(AdminUser, me.id)
        assert refreshed is not None and refreshed.role is role
        assert count(engine, Grant) == 5


def test_admins_reach_users_grants_and_sessions(client_for: Client) -> None:
    admin = client_for(Role.admin)
    for identity in (*ADMIN_IDENTITIES, AUDIT):
        assert admin.get(f"/admin/{identity}/list").status_code == 200, identity
    for identity in ("admin-user", "grant"):
        assert admin.get(f"/admin/{identity}/create").status_code == 200, identity
    # Sessions and throttle counters are made by logging in, not by hand.
    for identity in ("admin-session", "login-throttle"):
        assert admin.get(f"/admin/{identity}/create").status_code == 403, identity


def test_the_audit_trail_is_read_only_for_admins(
    client_for: Client, engine: Engine, rows: dict[str, Any]
) -> None:
    admin = client_for(Role.admin)
    entry = rows["audit"]
    assert admin.get(f"/admin/{AUDIT}/list").status_code == 200
    assert admin.get(f"/admin/{AUDIT}/details/{entry}").status_code == 200
    assert admin.get(f"/admin/{AUDIT}/export/csv").status_code == 200
    for method, url, data in (
        ("GET", f"/admin/{AUDIT}/create", None),
        ("POST", f"/admin/{AUDIT}/create", {"action": "login"}),
        ("GET", f"/admin/{AUDIT}/edit/{entry}", None),
        ("POST", f"/admin/{AUDIT}/edit/{entry}", {"action": "forged"}),
        ("GET", f"/admin/{AUDIT}/delete?pks={entry}", None),
        ("POST", f"/admin/{AUDIT}/delete", {"pks": str(entry)}),
        ("DELETE", f"/admin/{AUDIT}/delete?pks={entry}", None),
    ):
        response = admin.request(method, url, data=data)
        assert response.status_code == 403, (method, url)
    with Session(engine) as session:
        found = session.get(audit.AuditEntry, entry)
        assert found is not None and found.action == "update"
    page = admin.get(f"/admin/{AUDIT}/list").text
    assert f"/admin/{AUDIT}/create" not in page
    assert f"/admin/{AUDIT}/edit/{entry}" not in page


# Actions, import and custom pages (an admin with declared views)


@pytest.fixture
def custom_app(settings: Settings, engine: Engine) -> Starlette:
    class ClubAdmin(AutoModelView, model=Club):
        can_import = True
        action_rights = {"preview": "view"}

        @action("publish", "Publish")
        async def publish(self, request: Request) -> Response:
            return PlainTextResponse("published")

        @action("preview", "Preview")
        async def preview(self, request: Request) -> Response:
            return PlainTextResponse("previewed")

    class Reports(BaseView):
        name = "Reports"

        @expose("/reports", identity="reports")
        async def reports(self, request: Request) -> Response:
            return PlainTextResponse("the report")

    class Keys(BaseView):
        name = "Keys"
        admin_only = True

        @expose("/keys", identity="keys")
        async def keys(self, request: Request) -> Response:
            return PlainTextResponse("the keys")

    app = Starlette()
    site = mount_admin(app, engine=engine, views=[ClubAdmin], settings=settings)
    site.add_view(Reports)
    site.add_view(Keys)
    return app


def _action(client: TestClient, slug: str, club: int, method: str) -> httpx.Response:
    return client.request(method, f"/admin/club/action/{slug}?pks={club}")


@pytest.mark.parametrize(
    ("role", "publish", "preview"),
    [(Role.viewer, 403, 200), (Role.editor, 200, 200), (Role.admin, 200, 200)],
)
def test_custom_actions_need_change_unless_declared(
    client_for: Client,
    custom_app: Starlette,
    rows: dict[str, Any],
    role: Role,
    publish: int,
    preview: int,
) -> None:
    client = client_for(role, of=custom_app)
    club = rows["club"]
    for method in ("GET", "POST"):
        assert _action(client, "publish", club, method).status_code == publish
        assert _action(client, "preview", club, method).status_code == preview
    page = client.get("/admin/club/list").text
    assert ("/admin/club/action/publish" in page) is (publish == 200)


def test_a_grant_without_change_refuses_actions(
    client_for: Client, custom_app: Starlette, engine: Engine, rows: dict[str, Any]
) -> None:
    grant(engine, Role.editor, "club", can_view=True, can_add=True)
    editor = client_for(Role.editor, of=custom_app)
    response = _action(editor, "publish", rows["club"], "POST")
    assert response.status_code == 403


CSV = b"name,motto,founded\nImported,,\n"


@pytest.mark.parametrize(
    ("role", "granted", "allowed"),
    [
        (Role.viewer, False, False),
        # Editors add and change, but a file of rows is a right of its own.
        (Role.editor, False, False),
        (Role.editor, True, True),
        (Role.admin, False, True),
    ],
)
def test_import_needs_the_import_right(
    client_for: Client,
    custom_app: Starlette,
    engine: Engine,
    rows: dict[str, Any],
    role: Role,
    granted: bool,
    allowed: bool,
) -> None:
    if granted:
        grant(engine, role, "club", can_add=True, can_change=True, can_import=True)
    client = client_for(role, of=custom_app)
    page = client.get("/admin/club/list").text
    assert ('id="action-import"' in page) is allowed
    assert client.get("/admin/club/import").status_code == (200 if allowed else 403)
    response = client.post(
        "/admin/club/import", files={"file": ("clubs.csv", CSV, "text/csv")}
    )
    if allowed:
        assert response.status_code == 303, response.text
        preview = response.headers["location"]
        assert client.post(f"{preview}/confirm").status_code == 303
        assert count(engine, Club) == 2
    else:
        assert response.status_code == 403
        assert count(engine, Club) == 1


def test_custom_pages_follow_grants_and_admin_only_ones_admins_only(
    client_for: Client,
    custom_app: Starlette,
    engine: Engine,
    settings: Settings,
) -> None:
    viewer = client_for(Role.viewer, of=custom_app)
    admin = client_for(Role.admin, of=custom_app)
    assert viewer.get("/admin/reports").text == "the report"
    assert viewer.get("/admin/keys").status_code == 403
    assert admin.get("/admin/keys").text == "the keys"
    grant(engine, Role.viewer, "reports", can_view=False)
    assert viewer.get("/admin/reports").status_code == 403
    with TestClient(custom_app, follow_redirects=False) as anonymous:
        for url in ("/admin/reports", "/admin/keys"):
            response = anonymous.get(url)
            assert response.status_code == 302
            assert "/admin/login" in response.headers["location"]
