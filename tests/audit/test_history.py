"""Each row's history page, reverting from it, the dashboard's recent actions
and the read-only, filterable audit trail in the admin. On SQLite and
PostgreSQL."""

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from markupsafe import escape
from sqlalchemy import Engine, func, select
from sqlmodel import Session, SQLModel
from starlette.testclient import TestClient

from admin_app.app import create_app
from admin_app.audit.entries import AuditEntry
from admin_app.auth.models import Role
from admin_app.auth.users import create_user
from tests.conftest import ADMIN_PASSWORD, login, make_settings
from tests.form_models import Account, Gadget, Shelf
from tests.html import form_values
from tests.key_models import Folder
from tests.sample_models import Club, Tag

XSS = '"><svg onload=alert(1)>'


@pytest.fixture
def forms(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> Iterator[TestClient]:
    """A client logged in as an admin to an admin of form and sample models."""
    settings = make_settings(
        database_url, tmp_path, models=["tests.form_models", "tests.sample_models"]
    )
    with TestClient(create_app(settings), follow_redirects=False) as client:
        login(client, admin_user, ADMIN_PASSWORD)
        yield client


def add(engine: Engine, *rows: SQLModel) -> None:
    with Session(engine) as session:
        session.add_all(rows)
        session.commit()
        for row in rows:
            session.refresh(row)
        session.expunge_all()


def one(engine: Engine, model: type[SQLModel]) -> Any:
    with Session(engine) as session:
        return session.scalars(select(model)).one()


def entries(engine: Engine) -> list[AuditEntry]:
    with Session(engine) as session:
        query = select(AuditEntry).where(AuditEntry.model.is_not(None))  # type: ignore[union-attr]
        return list(session.scalars(query.order_by(AuditEntry.id)).all())


def edit(client: TestClient, url: str, **changes: Any) -> Any:
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url, data={**form_values(page.text), **changes, "save": "Save"}
    )
    assert response.status_code == 302, response.text
    return response


def shown_actions(page: str) -> list[str]:
    return re.findall(
        r'data-role="history-entry" data-entry="\d+" data-action="([^"]+)"', page
    )


def revert(client: TestClient, url: str, entry: AuditEntry) -> Any:
    return client.post(url, data={"entry": str(entry.id)})


def error_of(page: str) -> str:
    match = re.search(r'data-role="history-error">([^<]*)</div>', page)
    assert match, "the page says why"
    return html.unescape(match.group(1))


@pytest.fixture
def gadget(forms: TestClient, engine: Engine) -> Gadget:
    created = forms.post(
        "/admin/gadget/create", data={"name": "Lamp", "count": "1", "save": "Save"}
    )
    assert created.status_code == 302
    return one(engine, Gadget)  # type: ignore[no-any-return]


# The history page.


def test_history_lists_the_rows_entries_newest_first(
    forms: TestClient, engine: Engine, gadget: Gadget
) -> None:
    edit(forms, f"/admin/gadget/edit/{gadget.id}", count="2")
    edit(forms, f"/admin/gadget/edit/{gadget.id}", count="3", notes="lit")
    add(engine, Gadget(name="Other"))  # another row's entries stay out

    page = forms.get(f"/admin/gadget/history/{gadget.id}")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert shown_actions(page.text) == ["update", "update", "create"]
    latest = page.text.split('data-role="history-entry"')[1]
    assert 'data-field="count"' in latest and 'data-field="notes"' in latest
    assert re.search(
        r'data-role="before">2</td>\s*<td data-role="after">3</td>', latest
    )
    assert ">boss<" in latest

    # Linked from the detail and the edit page.
    history_url = f"/admin/gadget/history/{gadget.id}"
    assert (
        f'href="http://testserver{history_url}"'
        in forms.get(f"/admin/gadget/details/{gadget.id}").text
    )
    assert (
        f'href="http://testserver{history_url}"'
        in forms.get(f"/admin/gadget/edit/{gadget.id}").text
    )


def test_history_outlives_the_row(
    forms: TestClient, engine: Engine, gadget: Gadget
) -> None:
    assert (
        forms.post("/admin/gadget/delete", data={"pks": str(gadget.id)}).status_code
        == 303
    )
    page = forms.get(f"/admin/gadget/history/{gadget.id}")
    assert page.status_code == 200
    assert shown_actions(page.text) == ["delete", "create"]
    assert 'data-role="row-gone"' in page.text
    assert 'data-role="revert"' not in page.text


def test_history_urls_that_cannot_name_a_row_are_404(forms: TestClient) -> None:
    assert forms.get("/admin/gadget/history/not-a-uuid").status_code == 404
    assert forms.get("/admin/shelf/history/12abc").status_code == 404
    assert forms.get("/admin/nope/history/1").status_code == 404


def test_history_needs_a_login(
    database_url: str, tmp_path: Path, engine: Engine
) -> None:
    settings = make_settings(database_url, tmp_path, models=["tests.form_models"])
    with TestClient(create_app(settings), follow_redirects=False) as client:
        response = client.get("/admin/shelf/history/1")
        assert response.status_code in (302, 303)
        assert "/login" in response.headers["location"]


def test_values_in_the_history_and_the_dashboard_are_escaped(
    database_url: str, tmp_path: Path, engine: Engine, admin_user: str
) -> None:
    settings = make_settings(
        database_url,
        tmp_path,
        models=["tests.form_models", "tests.sample_models", "tests.key_models"],
    )
    script = "</script><script>alert(1)</script>"
    add(engine, Gadget(name="Lamp"), Club(name=XSS), Folder(path=XSS, title=script))
    gadget, club = one(engine, Gadget), one(engine, Club)
    with TestClient(create_app(settings), follow_redirects=False) as forms:
        login(forms, admin_user, ADMIN_PASSWORD)
        edit(forms, f"/admin/gadget/edit/{gadget.id}", notes=XSS, code="")
        edit(forms, f"/admin/club/edit/{club.id}", motto=script)
        # A string key is shown as it is (TestClient decodes a path twice).
        edit(forms, f"/admin/folder/edit/{quote(quote(XSS, safe=''), safe='')}")

        # Each value is on its page, as text: escaped, never as markup.
        for url, shown in (
            (f"/admin/gadget/history/{gadget.id}", [XSS]),  # a value changed
            (f"/admin/club/history/{club.id}", [script, XSS]),  # the row's label
            (
                "/admin/dashboard/widgets/recent-changes",
                [XSS],
            ),  # among the recent changes
        ):
            page = forms.get(url).text
            assert "<svg" not in page and "<script>alert(1)" not in page, url
            for value in shown:
                assert str(escape(value)) in page, (url, value)


# The dashboard's recent changes (admin_app.dashboard, a widget of its own).

RECENT = "/admin/dashboard/widgets/recent-changes"


def test_the_dashboard_shows_recent_actions_linked_to_their_rows(
    forms: TestClient, engine: Engine, gadget: Gadget
) -> None:
    add(engine, Shelf(label="Gone"))
    shelf = one(engine, Shelf)
    edit(forms, f"/admin/shelf/edit/{shelf.id}", label="Going")
    assert (
        forms.post("/admin/shelf/delete", data={"pks": str(shelf.id)}).status_code
        == 303
    )

    page = forms.get(RECENT).text
    rows = page.split('data-role="recent-action"')[1:]
    assert len(rows) >= 3
    assert "delete" in rows[0] and "update" in rows[1]
    # The deleted shelf: its history, no detail page.
    assert f"/admin/shelf/history/{shelf.id}" in rows[0]
    assert 'data-role="recent-details"' not in rows[0]
    assert 'data-role="recent-gone"' in rows[0]
    # The gadget still exists: both.
    gadget_row = next(r for r in rows if f"/admin/gadget/history/{gadget.id}" in r)
    assert f"/admin/gadget/details/{gadget.id}" in gadget_row


def test_the_dashboard_shows_at_most_twenty_actions(
    forms: TestClient, engine: Engine
) -> None:
    with Session(engine) as session:
        for number in range(25):
            session.add(AuditEntry(action="update", model="shelf", pk=str(number)))
        session.commit()
    page = forms.get(RECENT).text
    assert page.count('data-role="recent-action"') == 20
    assert "/admin/shelf/history/24" in page and '/admin/shelf/history/4"' not in page


def test_the_dashboard_hides_actions_on_models_the_user_may_not_see(
    forms: TestClient, engine: Engine, gadget: Gadget
) -> None:
    with Session(engine) as session:
        create_user(session, "viewer", ADMIN_PASSWORD, Role.viewer)
        session.add(AuditEntry(action="update", model="admin-user", pk="1"))
        session.commit()
    settings_app = forms.app
    with TestClient(settings_app, follow_redirects=False) as viewer:
        login(viewer, "viewer", ADMIN_PASSWORD)
        page = viewer.get(RECENT).text
    assert f"/admin/gadget/history/{gadget.id}" in page
    assert "/admin/admin-user/history/1" not in page
    assert ">login<" not in page  # logins are in the trail, for admins


# The audit trail in the admin.


def test_the_audit_trail_is_read_only(
    forms: TestClient, engine: Engine, gadget: Gadget
) -> None:
    entry = entries(engine)[0]
    assert forms.get("/admin/audit-entry/list").status_code == 200
    assert forms.get(f"/admin/audit-entry/details/{entry.id}").status_code == 200
    assert forms.get("/admin/audit-entry/create").status_code == 403
    assert (
        forms.post("/admin/audit-entry/create", data={"action": "x"}).status_code == 403
    )
    assert forms.get(f"/admin/audit-entry/edit/{entry.id}").status_code == 403
    assert (
        forms.post(
            f"/admin/audit-entry/edit/{entry.id}", data={"action": "x"}
        ).status_code
        == 403
    )
    assert (
        forms.post("/admin/audit-entry/delete", data={"pks": str(entry.id)}).status_code
        == 403
    )
    with Session(engine) as session:
        assert session.get(AuditEntry, entry.id) is not None
        assert session.scalar(select(func.count()).select_from(AuditEntry)) >= 1
    export = forms.get("/admin/audit-entry/export/csv")
    assert export.status_code == 200
    assert "create" in export.text and "gadget" in export.text


def test_the_audit_trail_filters_by_user_model_action_and_date(
    forms: TestClient, engine: Engine, gadget: Gadget
) -> None:
    edit(forms, f"/admin/gadget/edit/{gadget.id}", count="4")
    add(engine, Shelf(label="Top"))
    with Session(engine) as session:
        session.add(AuditEntry(action="update", model="shelf", pk="1", username="ann"))
        session.commit()

    def listed(query: str) -> list[str]:
        page = forms.get(f"/admin/audit-entry/list?{query}")
        assert page.status_code == 200, page.text
        return re.findall(r"/admin/audit-entry/details/(\d+)", page.text)

    everything = set(listed(""))
    by_action = set(listed("action=update"))
    by_model = set(listed("model=shelf"))
    by_user = set(listed("username=ann"))
    assert by_action and by_action < everything
    assert len(by_model) == 1 and by_model == by_user
    assert set(listed("at=2000-01-01&at_op=greater_than")) == everything
    assert listed("at=2000-01-01&at_op=less_than") == []
    with Session(engine) as session:
        today = max(e.at for e in session.scalars(select(AuditEntry))).date()
    assert set(listed(f"at={today.isoformat()}&at_op=equals")) == everything
    assert listed("at=2000-01-01&at_op=equals") == []
    # A date it cannot read: the whole trail, and a message naming the filter.
    assert set(listed("at=soon&at_op=equals")) == everything
    page = forms.get("/admin/audit-entry/list?at=soon&at_op=equals").text
    assert "The filter “When” cannot use “soon”" in page
    assert set(listed("at=today&at_op=within")) == everything


# Reverting.


def test_an_update_is_reverted_as_a_new_audited_change(
    forms: TestClient, engine: Engine, gadget: Gadget
) -> None:
    edit(forms, f"/admin/gadget/edit/{gadget.id}", count="5", notes="lit")
    url = f"/admin/gadget/history/{gadget.id}"
    update = entries(engine)[-1]
    assert 'data-role="revert"' in forms.get(url).text

    response = revert(forms, url, update)
    assert response.status_code == 303
    assert response.headers["location"].endswith(url)
    reverted = one(engine, Gadget)
    assert (reverted.count, reverted.notes) == (1, None)
    last = entries(engine)[-1]
    assert (last.action, last.pk, last.username) == ("revert", str(gadget.id), "boss")
    assert last.changes == {
        "count": {"before": 5, "after": 1},
        "notes": {"before": "lit", "after": None},
    }
    assert shown_actions(forms.get(url).text)[:2] == ["revert", "update"]
    # The revert is itself a change: reverting it puts the edit back.
    assert revert(forms, url, last).status_code == 303
    assert one(engine, Gadget).count == 5


def test_a_revert_is_refused_when_the_row_changed_since(
    forms: TestClient, engine: Engine, gadget: Gadget
) -> None:
    edit(forms, f"/admin/gadget/edit/{gadget.id}", count="5")
    first = entries(engine)[-1]
    edit(forms, f"/admin/gadget/edit/{gadget.id}", count="7")
    before = len(entries(engine))

    response = revert(forms, f"/admin/gadget/history/{gadget.id}", first)
    assert response.status_code == 409
    assert "Count changed since this entry" in error_of(response.text)
    assert one(engine, Gadget).count == 7
    assert len(entries(engine)) == before


def test_a_revert_is_refused_when_the_row_is_gone(
    forms: TestClient, engine: Engine, gadget: Gadget
) -> None:
    edit(forms, f"/admin/gadget/edit/{gadget.id}", count="5")
    update = entries(engine)[-1]
    assert (
        forms.post("/admin/gadget/delete", data={"pks": str(gadget.id)}).status_code
        == 303
    )

    response = revert(forms, f"/admin/gadget/history/{gadget.id}", update)
    assert response.status_code == 409
    assert "no longer exists" in error_of(response.text)


def test_only_updates_of_this_row_can_be_reverted(
    forms: TestClient, engine: Engine, gadget: Gadget
) -> None:
    [create] = entries(engine)
    url = f"/admin/gadget/history/{gadget.id}"
    assert revert(forms, url, create).status_code == 409
    add(engine, Shelf(label="Top"))
    shelf = one(engine, Shelf)
    edit(forms, f"/admin/shelf/edit/{shelf.id}", label="High")
    shelf_update = entries(engine)[-1]
    refused = revert(forms, url, shelf_update)
    assert refused.status_code == 409
    assert "not one of this row's" in error_of(refused.text)
    assert forms.post(url, data={"entry": "x"}).status_code == 400


def test_a_redacted_field_is_left_as_it_is_and_named(
    forms: TestClient, engine: Engine
) -> None:
    created = forms.post(
        "/admin/account/create",
        data={
            "email": "a@example.com",
            "display_name": "Ann",
            "password": "sesame-123",
            "save": "Save",
        },
    )
    assert created.status_code == 302
    account = one(engine, Account)
    url = f"/admin/account/history/{account.id}"
    edit(
        forms,
        f"/admin/account/edit/{account.id}",
        display_name="Bea",
        password="new-secret-1",
    )
    both = entries(engine)[-1]
    edit(forms, f"/admin/account/edit/{account.id}", password="third-secret")
    only_password = entries(engine)[-1]

    refused = revert(forms, url, only_password)
    assert refused.status_code == 409
    assert "hidden in the trail" in error_of(refused.text)
    assert "Password hash" in error_of(refused.text)

    # The password changed since "both", but it is not compared or put back.
    response = revert(forms, url, both)
    assert response.status_code == 303
    reverted = one(engine, Account)
    assert reverted.display_name == "Ann"
    assert reverted.password_hash == "hashed:" + "third-secret"[::-1]
    page = forms.get(url).text
    assert "Left as they are (hidden in the trail): Password hash" in html.unescape(
        page
    )


def test_a_revert_goes_through_the_models_validation(
    forms: TestClient, engine: Engine, gadget: Gadget
) -> None:
    # An entry whose old values the model refuses (written by hand here; an
    # old version of the model might have allowed them).
    with Session(engine) as session:
        session.add(
            AuditEntry(
                action="update",
                model="gadget",
                pk=str(gadget.id),
                changes={"name": {"before": "SHOUT", "after": "Lamp"}},
            )
        )
        session.commit()
    bad = entries(engine)[-1]
    response = revert(forms, f"/admin/gadget/history/{gadget.id}", bad)
    assert response.status_code == 409
    assert "Please don't shout" in error_of(response.text)
    assert one(engine, Gadget).name == "Lamp"


def test_reverting_counts_a_version_column_up_and_restores_picks(
    forms: TestClient, engine: Engine
) -> None:
    add(engine, Shelf(label="Top"))
    shelf = one(engine, Shelf)
    edit(forms, f"/admin/shelf/edit/{shelf.id}", label="High")
    assert (
        revert(
            forms, f"/admin/shelf/history/{shelf.id}", entries(engine)[-1]
        ).status_code
        == 303
    )
    reverted = one(engine, Shelf)
    assert (reverted.label, reverted.version) == ("Top", 3)

    add(engine, Club(name="Rowing"), Tag(label="a"), Tag(label="b"))
    club = one(engine, Club)
    with Session(engine) as session:
        tags = {t.label: str(t.id) for t in session.scalars(select(Tag))}
    edit(forms, f"/admin/club/edit/{club.id}", tags=[tags["a"]])
    edit(forms, f"/admin/club/edit/{club.id}", tags=[tags["a"], tags["b"]])
    picked = entries(engine)[-1]
    assert picked.changes == {
        "tags": {"before": [tags["a"]], "after": sorted([tags["a"], tags["b"]])}
    }
    assert revert(forms, f"/admin/club/history/{club.id}", picked).status_code == 303
    with Session(engine) as session:
        club_now = session.get(Club, club.id)
        assert club_now is not None
        assert [t.label for t in club_now.tags] == ["a"]


def test_a_viewer_sees_history_but_cannot_revert(
    forms: TestClient, engine: Engine, gadget: Gadget
) -> None:
    edit(forms, f"/admin/gadget/edit/{gadget.id}", count="5")
    update = entries(engine)[-1]
    with Session(engine) as session:
        create_user(session, "viewer", ADMIN_PASSWORD, Role.viewer)
    with TestClient(forms.app, follow_redirects=False) as viewer:
        login(viewer, "viewer", ADMIN_PASSWORD)
        url = f"/admin/gadget/history/{gadget.id}"
        page = viewer.get(url)
        assert page.status_code == 200
        assert 'data-role="revert"' not in page.text
        assert revert(viewer, url, update).status_code == 403
    assert one(engine, Gadget).count == 5
