"""The admin's route URLs, kept once worked out (admin_app.urls)."""

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from admin_app.urls import cache_url_paths


def make_mount() -> tuple[Mount, list[str]]:
    asked: list[str] = []

    def page(request: object) -> PlainTextResponse:
        return PlainTextResponse("")

    inner = Starlette(
        routes=[
            Route("/{identity}/list", page, name="list"),
            Route("/{identity}/edit/{pk}", page, name="edit"),
        ]
    )
    mount = Mount("/admin", app=inner, name="admin")
    find = mount.url_path_for

    def counted(name: str, /, **params: object) -> object:
        asked.append(name)
        return find(name, **params)

    mount.url_path_for = counted  # type: ignore[method-assign,assignment]
    cache_url_paths(mount)
    return mount, asked


def test_a_url_is_worked_out_once_per_name_and_parameters() -> None:
    mount, asked = make_mount()
    assert mount.url_path_for("admin:list", identity="order") == "/admin/order/list"
    assert mount.url_path_for("admin:list", identity="order") == "/admin/order/list"
    assert mount.url_path_for("admin:list", identity="user") == "/admin/user/list"
    assert asked == ["admin:list", "admin:list"]


def test_equal_parameters_of_other_types_are_not_mixed_up() -> None:
    mount, _ = make_mount()
    assert mount.url_path_for("admin:edit", identity="o", pk=1) == "/admin/o/edit/1"
    assert (
        mount.url_path_for("admin:edit", identity="o", pk=True) == "/admin/o/edit/True"
    )


def test_parameters_that_cannot_be_kept_are_looked_up_each_time() -> None:
    mount, asked = make_mount()
    for _ in range(2):
        assert (
            mount.url_path_for("admin:list", identity=["order"])
            == "/admin/['order']/list"
        )
    assert asked == ["admin:list", "admin:list"]
