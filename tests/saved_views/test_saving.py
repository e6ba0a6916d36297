"""Saving a list as a view: private for anyone who may see the model, shared
by admins; names unique per owner and model, and among a model's shared
views; a query the list would refuse is refused; each save audited."""

from collections.abc import Callable

from sqlalchemy import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from admin_app.auth.models import Grant, Role
from admin_app.views.inferred import AutoModelView
from tests.listing_pages import column_headings, get_page, row_keys
from tests.sample_models import Member
from tests.saved_views.helpers import entries, save, sidebar_views, stored, view_id

QUERY = "tier=pro&sortBy=email&sort=desc&pageSize=25&columns=email,tier"


def test_a_viewer_saves_a_private_view_and_opens_it(
    signed_in: Callable[[str], TestClient], people: Engine
) -> None:
    vera = signed_in("vera")
    code, url = save(vera, QUERY + "&page=2&list=abcd1234", "Pro members")
    assert code == 303
    [row] = stored(people)
    assert (row.name, row.model, row.shared) == ("Pro members", "member", False)
    # Kept: what selects, orders and shows the rows; not where one was.
    assert row.query == (
        "columns=email%2Ctier&pageSize=25&sort=desc&sortBy=email&tier=pro"
    )
    page = get_page(vera, url)
    assert len(row_keys(page)) == 3  # the pro members only
    assert "Saved the view “Pro members”." in page
    assert column_headings(page) == ["Email", "Tier"]
    assert sidebar_views(page) == {
        "Pro members": f"http://testserver/admin/member/list?view={row.id}"
    }
    assert f'data-saved-view="{row.id}" aria-current="page"' in page
    [entry] = entries(people)
    assert (entry.action, entry.model, entry.pk) == (
        "view:save",
        "saved-view",
        str(row.id),
    )
    assert entry.changes is not None and entry.changes["name"]["after"] == "Pro members"


def test_others_do_not_see_a_private_view(
    signed_in: Callable[[str], TestClient], people: Engine
) -> None:
    vera, eddie, boss = signed_in("vera"), signed_in("eddie"), signed_in("boss")
    code, url = save(vera, QUERY, "Mine")
    assert code == 303
    for other in (eddie, boss):
        assert other.get(url).status_code == 404
        assert sidebar_views(get_page(other, "/admin/member/list")) == {}


def test_an_admin_shares_a_view_with_everyone_who_may_see_the_model(
    signed_in: Callable[[str], TestClient], people: Engine
) -> None:
    boss, vera = signed_in("boss"), signed_in("vera")
    code, url = save(boss, QUERY, "Pro members", shared=True)
    assert code == 303
    page = get_page(vera, url)
    assert len(row_keys(page)) == 3
    assert "Pro members" in sidebar_views(get_page(vera, "/admin/"))
    # Not for a role that may not see members.
    with Session(people) as session:
        session.add(Grant(role=Role.viewer, model="member", can_view=False))
        session.commit()
    vera = signed_in("vera")
    assert vera.get(url).status_code == 403
    assert sidebar_views(get_page(vera, "/admin/")) == {}


def test_only_admins_share(
    signed_in: Callable[[str], TestClient], people: Engine
) -> None:
    eddie = signed_in("eddie")
    assert 'name="shared"' not in get_page(eddie, "/admin/member/list")
    code, _ = save(eddie, QUERY, "Everyone's", shared=True)
    assert code == 403
    assert stored(people) == []
    assert 'name="shared"' in get_page(signed_in("boss"), "/admin/member/list")


def test_names_are_unique_per_owner_and_among_shared_views(
    signed_in: Callable[[str], TestClient], people: Engine
) -> None:
    vera, eddie, boss = signed_in("vera"), signed_in("eddie"), signed_in("boss")
    assert save(vera, QUERY, "Pro")[0] == 303
    code, page = save(vera, "tier=free", "  Pro ")
    assert code == 400
    assert "You have a view of this list called “Pro” already." in page
    assert 'value="tier=free"' in page  # the form again, with what was sent
    # Another user's private name is theirs.
    assert save(eddie, QUERY, "Pro")[0] == 303
    # Shared names are unique among the model's shared views.
    assert save(boss, QUERY, "Team", shared=True)[0] == 303
    # (Another of boss's sessions: the same owner, so his own name first.)
    code, page = save(signed_in("boss"), "tier=free", "Team", shared=True)
    assert code == 400 and "You have a view of this list called “Team”" in page
    # Another model may have the same name.
    assert save(vera, "", "Pro", model="club")[0] == 303
    assert [row.name for row in stored(people)] == ["Pro", "Pro", "Team", "Pro"]


def test_a_name_is_required_and_short(
    signed_in: Callable[[str], TestClient], people: Engine
) -> None:
    vera = signed_in("vera")
    for name, message in [
        ("   ", "Give the view a name."),
        ("x" * 101, "A name has at most 100 characters."),
        ("bad\x07name", "A name cannot hold control characters."),
    ]:
        code, page = save(vera, QUERY, name)
        assert code == 400 and message in page, name
        assert 'class="invalid-feedback d-block mb-2" id="save-name-error"' in page
    assert stored(people) == []


def test_a_query_the_list_would_refuse_is_not_saved(
    signed_in: Callable[[str], TestClient], people: Engine
) -> None:
    vera = signed_in("vera")
    for query in [
        "nope=1",
        "columns=email,nope",
        "sortBy=pin_code",
        "tier=platinum",
        "pageSize=x",
        "search=" + "x" * 1001,
        "tier=pro&tier=free",
    ]:
        code, page = save(vera, query, "Broken")
        assert code == 400, query
        assert 'class="alert alert-danger"' in page, query
        assert "Traceback" not in page
    assert stored(people) == []
    assert entries(people) == []


def test_saving_needs_the_models_view_right(
    signed_in: Callable[[str], TestClient], people: Engine
) -> None:
    with Session(people) as session:
        session.add(Grant(role=Role.viewer, model="member", can_view=False))
        session.commit()
    vera = signed_in("vera")
    assert save(vera, QUERY, "Nope")[0] == 403
    assert vera.get("/admin/member/views").status_code == 403
    assert stored(people) == []


class FixedMemberAdmin(AutoModelView, model=Member):
    can_save_views = False
    can_choose_columns = False


def test_a_view_may_turn_saving_and_choosing_off(
    client_with: Callable[..., TestClient], people: Engine
) -> None:
    fixed = client_with(FixedMemberAdmin)
    page = get_page(fixed, "/admin/member/list")
    assert 'id="save-view"' not in page and 'id="column-chooser"' not in page
    assert fixed.get("/admin/member/list?columns=email").status_code == 400
    assert save(fixed, "", "Nope")[0] == 403
    # Other lists keep both.
    page = get_page(fixed, "/admin/club/list")
    assert 'id="save-view"' in page and 'id="column-chooser"' in page


def test_view_key_in_the_url(
    signed_in: Callable[[str], TestClient], people: Engine
) -> None:
    vera = signed_in("vera")
    _, url = save(vera, QUERY, "Pro")
    number = view_id(url)
    for other in ("abc", f"0{number}", f"+{number}", "\u0661", ""):
        assert vera.get(f"/admin/member/list?view={other}").status_code == 404
    assert vera.get("/admin/member/list?view=99999").status_code == 404
    assert vera.get(f"/admin/club/list?view={number}").status_code == 404
    both = vera.get(f"/admin/member/list?view={number}&tier=free")
    assert both.status_code == 400
    twice = vera.get(f"/admin/member/list?view={number}&view={number}")
    assert twice.status_code == 400


def test_a_save_needs_the_csrf_token_and_shows_in_the_audit_trail(
    signed_in: Callable[[str], TestClient], people: Engine
) -> None:
    boss = signed_in("boss")
    boss.csrf.enabled = False  # type: ignore[attr-defined]
    assert save(boss, QUERY, "Forged")[0] == 403
    assert stored(people) == []
    boss.csrf.enabled = True  # type: ignore[attr-defined]
    assert save(boss, QUERY, "Pro")[0] == 303
    trail = get_page(boss, "/admin/audit-entry/list")
    assert "view:save" in trail and "saved-view" in trail
