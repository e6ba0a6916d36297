"""The logged-in user's light/dark choice: the sidebar's toggle posts to
``/account/theme``.

The choice is stored with the user (not only in the browser), so it follows
them to any browser they sign in from; ``templates/sqladmin/base.html`` draws
every page with it. "auto" follows the browser's ``prefers-color-scheme``
(``statics/js/theme.js``). Saved with its audit entry in one transaction, then
back to the page the toggle was on, through :func:`redirects.safe_next` (or,
asked for JSON by the toggle's script, the choice as JSON).
"""

from typing import TYPE_CHECKING

from sqladmin.authentication import login_required
from sqladmin.i18n import gettext
from starlette import status
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from admin_app.auth.account import save_own_setting
from admin_app.auth.models import AdminUser, Theme
from admin_app.auth.redirects import admin_base_path, safe_next

if TYPE_CHECKING:
    from admin_app.site import AdminSite

FIELD = "theme"


def install(site: "AdminSite") -> None:
    """Add ``POST /account/theme`` (``admin:account_theme``) to ``site``."""

    async def endpoint(request: Request) -> Response:
        response: Response = await theme_toggle(site, request)
        return response

    site.admin.router.routes.append(
        Route("/account/theme", endpoint, name="account_theme", methods=["POST"])
    )


def chosen_theme(value: object) -> Theme | None:
    """The theme a posted value names, or None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        return Theme(value.strip())
    except ValueError:
        return None


@login_required
async def theme_toggle(site: "AdminSite", request: Request) -> Response:
    user = request.state.admin_user
    assert isinstance(user, AdminUser)
    form = await request.form()
    chosen = chosen_theme(form.get(FIELD))
    if chosen is None:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            gettext("Choose a theme: auto, light or dark."),
        )
    await save_own_setting(site, request, user, FIELD, chosen)
    # theme.js posts in the background and switches the page itself.
    if request.headers.get("accept", "").startswith("application/json"):
        return JSONResponse({FIELD: chosen.value})
    posted_next = form.get("next")
    back = safe_next(
        posted_next if isinstance(posted_next, str) else None,
        admin_base_path(request),
    )
    return RedirectResponse(
        back or str(request.url_for("admin:index")),
        status_code=status.HTTP_303_SEE_OTHER,
    )
