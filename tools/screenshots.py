"""Screenshots of every page kind of the demo, light and dark, wide and narrow,
into ``docs/screenshots/`` (``make screenshots``). Run it after any change to
templates or styles, and look at every picture. Page kinds named as arguments
(``python tools/screenshots.py list-filters``) are taken alone.

The demo is seeded into a throwaway SQLite database and served by uvicorn on a
free 127.0.0.1 port; Debian's chromium, driven by Playwright, takes the pictures.
``python tools/screenshots.py inlines edit`` takes only those page kinds.
"""

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
SIZES = {"wide": (1400, 900), "narrow": (390, 844)}
SCHEMES = ("light", "dark")


def _prepare(env: dict[str, str]) -> str:
    """Migrate and seed the demo; return the demo login's password."""
    cli = [sys.executable, "-m", "admin_app"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, cwd=REPO)
    shown = subprocess.run(
        [*cli, "demo"], env=env, check=True, cwd=REPO, capture_output=True, text=True
    ).stdout
    match = re.search(r"with password '([^']+)'", shown)
    assert match, shown
    return match.group(1)


def _pages(page: object) -> dict[str, str]:
    """Page kind → path, for the demo's rows."""
    return {
        "dashboard": "/admin/",
        "dashboard-widget": "/admin/dashboard/widgets/orders-per-day",
        "list": "/admin/order/list",
        "list-search": "/admin/user/list?search=ma",
        "list-editable": "/admin/order-item/list",
        "list-filters": (
            "/admin/order/list?status=submitted&created_at=this_year"
            "&created_at_op=within&total_from=100"
        ),
        "details": "/admin/order/details/10",
        "create": "/admin/order/create",
        "edit": "/admin/project/edit/3",
        "inlines": "/admin/order/edit/10",
        "delete": "/admin/order-item/delete?pks=1",
        "history": "/admin/order/history/10",
        "export": "/admin/order/export/csv",
        "account": "/admin/account/password",
        "account-time-zone": "/admin/account/time-zone",
        "admin-users": "/admin/admin-user/list",
        "grants": "/admin/grant/list",
        "audit": "/admin/audit-entry/list",
        "palette": "/admin/user/list",
        "trash": "/admin/project/list?trash=1",
        "trash-details": "/admin/project/details/6",
        "restore": "/admin/order-item/history/2",
        "audit-deleted": "/admin/audit-entry/list?deleted=not_restored",
        "list-columns": "/admin/order/list",
        "save-view": "/admin/order/list?status=submitted&sortBy=total&sort=desc",
        "saved-view": "/admin/order/list?status=submitted&sortBy=total&sort=desc",
        "saved-views": "/admin/order/views",
        "import": "/admin/user/import",
        "import-mapping": "/admin/user/import",
        "import-preview": "/admin/user/import",
        "import-result": "/admin/user/import",
    }


def _open_palette(page: object) -> None:
    """The command palette opened with Ctrl+K, a term typed, its records shown."""
    page.keyboard.press("Control+k")  # type: ignore[attr-defined]
    page.keyboard.type("ma")  # type: ignore[attr-defined]
    page.wait_for_selector("#palette-list [data-kind=record]")  # type: ignore[attr-defined]


def _deleted_first(page: object) -> None:
    """The order item of this history page deleted (once) by its confirmation
    page, so that the page offers to restore it."""
    if page.locator("[data-role=restore-form]").count():  # type: ignore[attr-defined]
        return
    history = page.url  # type: ignore[attr-defined]
    page.goto("/admin/order-item/delete?pks=2")  # type: ignore[attr-defined]
    page.click("[data-role=delete-confirm]")  # type: ignore[attr-defined]
    page.wait_for_url("**/admin/order-item/list**")  # type: ignore[attr-defined]
    page.goto(history)  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]


def _open_columns(page: object) -> None:
    """The list's column chooser opened."""
    page.click("#column-chooser > summary")  # type: ignore[attr-defined]


def _open_save_view(page: object) -> None:
    """The list's "Save view" menu opened, a name typed."""
    page.click("#save-view > summary")  # type: ignore[attr-defined]
    page.fill("#save-view-name", "Big submitted orders")  # type: ignore[attr-defined]


def _open_saved_view(page: object) -> None:
    """A list saved as a shared view (once: the first picture saves it) and
    a private one, then opened from the sidebar."""
    sidebar = page.locator("a[data-saved-view]", has_text="Big submitted orders")  # type: ignore[attr-defined]
    if sidebar.count() == 0:
        shown = "columns=reference,status,total,requester,created_at"
        page.goto(page.url + "&" + shown)  # type: ignore[attr-defined]
        _open_save_view(page)
        page.check("#save-view-shared")  # type: ignore[attr-defined]
        page.click("#save-view-form button[type=submit]")  # type: ignore[attr-defined]
        page.wait_for_url("**view=**")  # type: ignore[attr-defined]
        page.goto("/admin/order/list?status=draft")  # type: ignore[attr-defined]
        page.click("#save-view > summary")  # type: ignore[attr-defined]
        page.fill("#save-view-name", "My drafts")  # type: ignore[attr-defined]
        page.click("#save-view-form button[type=submit]")  # type: ignore[attr-defined]
        page.wait_for_url("**view=**")  # type: ignore[attr-defined]
        sidebar = page.locator("a[data-saved-view]", has_text="Big submitted orders")  # type: ignore[attr-defined]
    # Its link (in the folded menu on a phone).
    page.goto(sidebar.get_attribute("href"))  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]


def _delete_saved_views(page: object) -> None:
    """The views the pictures above saved, deleted: the next scheme's and
    size's pictures start without them, as the first ones did."""
    delete = page.locator("button[name=do][value=delete]")  # type: ignore[attr-defined]
    while delete.count():
        delete.first.click()
        page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]


# Page kind → what is done on the page after its picture.
AFTER = {"saved-views": _delete_saved_views}

_uploads = iter(range(1_000_000))


def _upload(page: object, text: str) -> None:
    """An import's upload form given a CSV of ``text`` (a file per picture:
    each one's rows are new)."""
    run = next(_uploads)
    path = Path(tempfile.gettempdir()) / f"shots-users-{run}.csv"
    path.write_text(text.replace("{run}", str(run)), encoding="utf-8")
    page.set_input_files("#import-file", str(path))  # type: ignore[attr-defined]
    page.click("#import-upload")  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]


USERS = (
    "email,full_name,password,team\n"
    "new{run}@example.org,Noor Haddad,a long password,Payments\n"
    "lee{run}@example.org,Lee Park,a long password,Data\n"
)
FLAWED = USERS + (
    "not-an-email,Sam Ortiz,a long password,Data\n"
    "kim{run}@example.org,Kim Ito,short,Marketing\n"
    "ana{run}@example.org,Ana Ruiz,a long password,Astronomy\n"
)


def _import_preview(page: object) -> None:
    _upload(page, FLAWED)


def _import_mapping(page: object) -> None:
    _upload(
        page, "Mail,Name,Secret,Group\nnew{run}@example.org,Noor,a long password,Data\n"
    )


def _import_result(page: object) -> None:
    _upload(page, USERS)
    page.click("form[data-role=import-confirm] button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_selector("[data-admin-app=import-result]")  # type: ignore[attr-defined]


# Page kind → what is done on the page before its picture.
ACTIONS = {
    "palette": _open_palette,
    "restore": _deleted_first,
    "list-columns": _open_columns,
    "save-view": _open_save_view,
    "saved-view": _open_saved_view,
    "import-preview": _import_preview,
    "import-mapping": _import_mapping,
    "import-result": _import_result,
}


def main(only: set[str] | None = None) -> None:
    import uvicorn
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "ADMIN_DATABASE_URL": f"sqlite:///{tmp}/shots.db",
            "ADMIN_SECRET_KEY_FILE": f"{tmp}/secret",
            "ADMIN_MODELS": "models",
        }
        password = _prepare(env)
        os.environ.update(env)
        sys.path.insert(0, str(REPO))
        from admin_app.app import create_app
        from admin_app.settings import get_settings

        get_settings.cache_clear()
        config = uvicorn.Config(create_app(), host="127.0.0.1", port=0)
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            for scheme in SCHEMES:
                for size_name, (width, height) in SIZES.items():
                    context = browser.new_context(
                        base_url=base,
                        viewport={"width": width, "height": height},
                        color_scheme=scheme,  # type: ignore[arg-type]
                    )
                    page = context.new_page()
                    page.goto("/admin/login")
                    if not only or "login" in only:
                        shot = OUT / f"login-{scheme}-{size_name}.png"
                        page.screenshot(path=str(shot))
                    page.fill("input[name=username]", "admin")
                    page.fill("input[name=password]", password)
                    page.click("button[type=submit]")
                    page.wait_for_url("**/admin/")
                    for kind, path in _pages(page).items():
                        if only and kind not in only:
                            continue
                        page.goto(path)
                        page.wait_for_load_state("networkidle")
                        if kind in ACTIONS:
                            ACTIONS[kind](page)
                        name = f"{kind}-{scheme}-{size_name}.png"
                        page.screenshot(path=str(OUT / name), full_page=True)
                        if kind in AFTER:
                            AFTER[kind](page)
                    context.close()
            browser.close()
        server.should_exit = True
        thread.join(timeout=10)
    print(f"screenshots in {OUT.relative_to(REPO)}/")


if __name__ == "__main__":
    main(set(sys.argv[1:]) or None)
