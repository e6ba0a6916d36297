"""How rights are resolved: role defaults, grant rows, admin_app's own tables,
the action names sqladmin asks about, and one query per request."""

from typing import Any

import pytest
from sqladmin.authorization import Action
from sqlalchemy import Engine, Pool, event
from sqlmodel import Session
from starlette.testclient import TestClient

from admin_app.audit.entries import AuditEntry
from admin_app.auth.models import AdminSession, AdminUser, Grant, LoginThrottle, Role
from admin_app.auth.users import create_user
from admin_app.security.permissions import (
    ADMIN_ONLY,
    EVERYTHING,
    NOTHING,
    ROLE_DEFAULTS,
    Permissions,
    Right,
    Rights,
    admin_only_rights,
    read_grants,
    right_for,
)
from tests.conftest import StatementLog, login

PASSWORD = "a long enough password"


def test_role_defaults() -> None:
    viewer, editor, admin = (ROLE_DEFAULTS[r] for r in Role)
    assert viewer == Rights(view=True)
    assert editor == Rights(view=True, add=True, change=True, export=True)
    assert admin == EVERYTHING
    assert not editor.allows(Right.delete)
    assert not viewer.allows(Right.export)


def test_every_right_needs_view() -> None:
    blind = Rights(view=False, add=True, change=True, delete=True, export=True)
    assert not any(blind.allows(right) for right in Right)
    assert str(Rights(view=True, export=True)) == "view, export"


def test_a_grant_row_replaces_the_defaults_of_its_role_and_view_only() -> None:
    granted = {"club": Rights(view=True, delete=True)}
    viewer = Permissions(1, Role.viewer, granted)
    assert viewer.rights("club") == Rights(view=True, delete=True)
    assert viewer.rights("tag") == ROLE_DEFAULTS[Role.viewer]
    admin = Permissions(2, Role.admin, {"club": Rights(view=True)})
    assert not admin.rights("club").allows(Right.change)
    assert admin.rights("tag") == EVERYTHING


def test_admin_only_views_ignore_grants() -> None:
    fixed = Rights(view=True, delete=True)
    editor = Permissions(1, Role.editor, {"admin-session": EVERYTHING})
    assert editor.rights("admin-session", fixed) == NOTHING
    assert Permissions(2, Role.admin, {}).rights("admin-session", fixed) == fixed


def test_an_unknown_stored_role_gets_nothing() -> None:
    assert Permissions(1, "superuser", {}).rights("club") == NOTHING


def test_admin_app_tables_are_admin_only_and_the_audit_read_only() -> None:
    assert set(ADMIN_ONLY) == {
        AdminUser,
        Grant,
        AdminSession,
        LoginThrottle,
        AuditEntry,
    }
    audit = ADMIN_ONLY[AuditEntry]
    assert audit.allows(Right.view) and audit.allows(Right.export)
    assert not any(audit.allows(r) for r in (Right.add, Right.change, Right.delete))
    assert not ADMIN_ONLY[AdminSession].allows(Right.add)

    class Page:
        admin_only = True

    class Model:
        model = AdminUser

    assert admin_only_rights(Page()) == EVERYTHING
    assert admin_only_rights(Model()) == EVERYTHING
    assert admin_only_rights(object()) is None


@pytest.mark.parametrize(
    ("action", "right"),
    [
        (Action.LIST, Right.view),
        (Action.DETAILS, Right.view),
        (Action.CREATE, Right.add),
        (Action.EDIT, Right.change),
        (Action.DELETE, Right.delete),
        (Action.EXPORT, Right.export),
        (Action.IMPORT, Right.import_),
        ("view", Right.view),
        ("action:publish", Right.change),
        ("action:preview", Right.view),
        ("action:broken", None),
        ("history", None),
    ],
)
def test_the_right_each_action_needs(action: str, right: Right | None) -> None:
    class View:
        action_rights = {"preview": "view", "broken": "fly"}

    assert right_for(View(), action) == right


def test_grants_are_read_for_one_role(engine: Engine) -> None:
    with Session(engine) as session:
        session.add_all(
            [
                Grant(role=Role.viewer, model="club", can_view=True, can_export=True),
                Grant(role=Role.editor, model="club", can_view=False),
            ]
        )
        session.commit()
        assert read_grants(session, Role.viewer) == {
            "club": Rights(view=True, export=True)
        }
        assert read_grants(session, Role.admin) == {}


def _grant_queries(log: StatementLog) -> list[str]:
    return [sql for sql in log if "admin_app_grant" in sql]


@pytest.mark.parametrize("role", [Role.viewer, Role.editor])
def test_one_query_for_the_rights_of_a_request(
    app: Any, engine: Engine, statements: StatementLog, role: Role
) -> None:
    """However many rows and buttons ask, the grants are read once."""
    from tests.sample_models import Club

    with Session(engine) as session:
        create_user(session, "someone", PASSWORD, role)
        session.add_all([Club(name=f"Club {n}") for n in range(30)])
        session.add(Grant(role=role, model="tag", can_view=False))
        session.commit()
    with TestClient(app, follow_redirects=False) as client:
        login(client, "someone", PASSWORD)
        for url in ("/admin/", "/admin/club/list", "/admin/club/details/1"):
            statements.clear()
            assert client.get(url).status_code == 200, url
            assert len(_grant_queries(statements)) == 1, url
        statements.clear()
        client.get("/admin/club/delete", params={"pks": "1,2"})
        assert len(_grant_queries(statements)) == 1


def test_anonymous_requests_read_no_grants(
    anonymous: TestClient, statements: StatementLog
) -> None:
    statements.clear()
    assert anonymous.get("/admin/club/list").status_code == 302
    assert _grant_queries(statements) == []


def test_the_user_and_their_grants_are_read_in_one_round_trip(
    client: TestClient,
) -> None:
    """Every request reads its user; their role's grants come in the same
    connection checkout, not a second one."""
    events: list[str] = []

    def on_checkout(*_: Any) -> None:
        events.append("checkout")

    def on_sql(conn: Any, cursor: Any, sql: str, *_: Any) -> None:
        for table in ("admin_app_session", "admin_app_grant"):
            if f"FROM {table}" in sql:
                events.append(table)

    event.listen(Pool, "checkout", on_checkout)
    event.listen(Engine, "before_cursor_execute", on_sql)
    try:
        assert client.get("/admin/tag/list").status_code == 200
    finally:
        event.remove(Pool, "checkout", on_checkout)
        event.remove(Engine, "before_cursor_execute", on_sql)
    first = events.index("admin_app_session")
    assert events[first : first + 2] == ["admin_app_session", "admin_app_grant"]
    assert events.count("admin_app_grant") == 1, events
