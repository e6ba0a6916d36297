"""Renaming, sharing and deleting views: owners their private ones, admins
the shared ones; someone else's private view is a 404, a view one may not
manage a 403; each change audited, a taken name refused by its field."""

from collections.abc import Callable

from sqlalchemy import Engine
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from admin_app.auth.models import AdminUser, Role
from admin_app.auth.users import create_user
from tests.conftest import ADMIN_PASSWORD
from tests.listing_pages import get_page
from tests.saved_views.helpers import entries, save, sidebar_views, stored, view_id


def act(client: TestClient, number: int, do: str, name: str = "") -> int:
    data = {"do": do, **({"name": name} if name else {})}
    response = client.post(f"/admin/member/views/{number}", data=data)
    return response.status_code


def test_an_owner_renames_and_deletes_their_view(
    signed_in: Callable[[str], TestClient], people: Engine
) -> None:
    vera = signed_in("vera")
    number = view_id(save(vera, "tier=pro", "Pro")[1])
    save(vera, "tier=free", "Free")
    page = get_page(vera, "/admin/member/views")
    assert "Pro" in page and "Free" in page and 'name="do" value="share"' not in page
    assert act(vera, number, "rename", "Pro members") == 303
    assert [row.name for row in stored(people)] == ["Pro members", "Free"]
    # A taken name comes back by its field, nothing changed.
    response = vera.post(
        f"/admin/member/views/{number}", data={"do": "rename", "name": "Free"}
    )
    assert response.status_code == 400
    assert "You have a view of this list called “Free” already." in response.text
    assert [row.name for row in stored(people)] == ["Pro members", "Free"]
    assert act(vera, number, "delete") == 303
    assert [row.name for row in stored(people)] == ["Free"]
    assert [e.action for e in entries(people)] == [
        "view:save",
        "view:save",
        "view:rename",
        "view:delete",
    ]
    rename = entries(people)[2]
    assert rename.changes == {"name": {"before": "Pro", "after": "Pro members"}}


def test_others_cannot_touch_a_private_view(
    signed_in: Callable[[str], TestClient], people: Engine
) -> None:
    vera, eddie, boss = signed_in("vera"), signed_in("eddie"), signed_in("boss")
    number = view_id(save(vera, "tier=pro", "Pro")[1])
    for other in (eddie, boss):
        for do in ("rename", "delete", "share"):
            assert act(other, number, do, "Mine now") == 404
    assert [(row.name, row.shared) for row in stored(people)] == [("Pro", False)]


def test_admins_manage_shared_views(
    signed_in: Callable[[str], TestClient], people: Engine
) -> None:
    boss, vera = signed_in("boss"), signed_in("vera")
    number = view_id(save(boss, "tier=pro", "Pro", shared=True)[1])
    # A viewer opens it but manages nothing of it.
    assert "Shared by an admin" in get_page(vera, "/admin/member/views")
    for do in ("rename", "delete", "unshare"):
        assert act(vera, number, do, "Mine") == 403
    # Another admin does.
    other_admin = signed_in("boss")
    assert act(other_admin, number, "unshare") == 303
    assert stored(people)[0].shared is False
    assert "Pro" not in sidebar_views(get_page(vera, "/admin/"))
    assert act(boss, number, "share") == 303
    assert "Pro" in sidebar_views(get_page(vera, "/admin/"))
    assert [e.action for e in entries(people)][-2:] == ["view:unshare", "view:share"]
    # An editor may not share their own either.
    eddie = signed_in("eddie")
    own = view_id(save(eddie, "tier=free", "Free")[1])
    assert act(eddie, own, "share") == 403
    assert act(eddie, own, "explode") == 400


def test_sharing_a_view_under_a_shared_name_is_refused(
    signed_in: Callable[[str], TestClient], people: Engine
) -> None:
    with Session(people) as session:
        create_user(session, "ada", ADMIN_PASSWORD, Role.admin)
    boss, ada = signed_in("boss"), signed_in("ada")
    save(boss, "tier=pro", "Team", shared=True)
    number = view_id(save(ada, "tier=free", "Team")[1])  # private: fine
    response = ada.post(f"/admin/member/views/{number}", data={"do": "share"})
    assert response.status_code == 400
    assert "A shared view of this list is called “Team” already." in response.text
    assert [(row.name, row.shared) for row in stored(people)] == [
        ("Team", True),
        ("Team", False),
    ]
    code, page = save(ada, "tier=pro", "Team", shared=True)
    assert code == 400 and "You have a view of this list called" in page


def test_a_users_views_go_with_the_user(
    signed_in: Callable[[str], TestClient], people: Engine
) -> None:
    vera, boss = signed_in("vera"), signed_in("boss")
    save(vera, "tier=pro", "Pro")
    with Session(people) as session:
        user = session.exec(
            select(AdminUser).where(col(AdminUser.username) == "vera")
        ).one()
    confirm = boss.get(f"/admin/admin-user/delete?pks={user.id}")
    assert confirm.status_code == 200, confirm.text[:300]
    response = boss.post("/admin/admin-user/delete", data={"pks": str(user.id)})
    assert response.status_code in (302, 303), response.text[:300]
    assert stored(people) == []
