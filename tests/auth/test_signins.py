"""A failed sign-in shows who it was for only when it named a user: what was
typed as a username is often a password typed into the wrong box, so the
dashboard, the audit trail's list, detail page, user filter and exports say
"an unknown user" instead."""

import secrets

from sqlalchemy import Engine, select
from sqlmodel import Session, col
from starlette.applications import Starlette
from starlette.testclient import TestClient

from admin_app.audit.entries import AuditEntry
from tests.auth_flow import post_login

UNKNOWN = "an unknown user"


def secret() -> str:
    """Something a person would type as a password."""
    return "Tr0ub4dor&3" + secrets.token_hex(8)


def failed_entries(engine: Engine) -> list[AuditEntry]:
    with Session(engine) as session:
        query = select(AuditEntry).where(col(AuditEntry.action) == "login_failed")
        return list(session.scalars(query.order_by(col(AuditEntry.id))))


def fail_logins(app: Starlette, *usernames: str) -> None:
    with TestClient(app, follow_redirects=False) as stranger:
        for username in usernames:
            assert post_login(stranger, username, "wrong").status_code == 400


def recent_rows(page: str) -> list[str]:
    return page.split('data-role="recent-action"')[1:]


def test_the_dashboard_counts_failed_sign_ins_and_names_nobody(
    app: Starlette, client: TestClient, admin_user: str
) -> None:
    typed = secret()
    fail_logins(app, typed, admin_user)
    widgets = "/admin/dashboard/widgets"
    figure = client.get(f"{widgets}/failed-sign-ins?fragment=1")
    assert figure.status_code == 200
    assert 'data-role="figure-value">2<' in figure.text
    # Sign-ins are not data changes: the recent changes leave them out.
    changes = client.get(f"{widgets}/recent-changes?fragment=1").text
    assert not [row for row in recent_rows(changes) if "login_failed" in row]
    for page in (figure.text, changes, client.get("/admin/").text):
        assert typed not in page


def test_the_audit_trail_shows_no_typed_username(
    app: Starlette, client: TestClient, engine: Engine, admin_user: str
) -> None:
    typed = secret()
    fail_logins(app, typed, admin_user)
    unknown, known = failed_entries(engine)
    assert unknown.username == typed  # recorded, for the database's eyes only
    pages = [
        "/admin/audit-entry/list",
        "/admin/audit-entry/list?action=login_failed",
        f"/admin/audit-entry/details/{unknown.id}",
        "/admin/audit-entry/export/csv",
        "/admin/audit-entry/export/json",
    ]
    for url in pages:
        response = client.get(url)
        assert typed not in response.text, url
    details = client.get(f"/admin/audit-entry/details/{unknown.id}").text
    assert UNKNOWN in details
    known_page = client.get(f"/admin/audit-entry/details/{known.id}").text
    assert admin_user in known_page and UNKNOWN not in known_page
    listed = client.get("/admin/audit-entry/list?action=login_failed").text
    assert UNKNOWN in listed and admin_user in listed
    exported = client.get("/admin/audit-entry/export/csv").text
    assert UNKNOWN in exported
    # The user filter offers the names of users, not what was typed.
    assert f"username={admin_user}" in listed
