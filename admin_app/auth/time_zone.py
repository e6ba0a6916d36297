"""The logged-in user's own time zone: ``/account/time-zone``.

A select of the zones this machine knows, and "the admin's" (``ADMIN_TIMEZONE``,
stored as none). Saved with its audit entry in one transaction; from the next
request on, every date-time the user reads or types is in that zone
(:mod:`admin_app.zones`).
"""

from typing import TYPE_CHECKING, Any

from sqladmin.authentication import login_required
from sqladmin.flash import FlashLevel
from sqladmin.i18n import gettext
from starlette import status
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from admin_app.auth.account import add_page, save_own_setting
from admin_app.auth.models import AdminUser
from admin_app.messages import flash
from admin_app.zones import known_zones, zone_named

if TYPE_CHECKING:
    from admin_app.site import AdminSite

PAGE_TEMPLATE = "admin_app/auth/account_time_zone.html"
FIELD = "time_zone"


def install(site: "AdminSite") -> None:
    """Add ``/account/time-zone`` (``admin:account_time_zone``) to ``site``."""
    add_page(site, "/account/time-zone", time_zone_page, "account_time_zone")


@login_required
async def time_zone_page(site: "AdminSite", request: Request) -> Response:
    user = request.state.admin_user
    assert isinstance(user, AdminUser)
    # Only a POST (CSRF-checked) changes it; GET and HEAD show the form.
    if request.method != "POST":
        return await _render(site, request, user.time_zone or "", [])
    posted = (await request.form()).get(FIELD)
    chosen = posted.strip() if isinstance(posted, str) else ""
    if chosen and zone_named(chosen) is None:
        message = gettext("Unknown time zone: %(name)s") % {"name": chosen[:64]}
        return await _render(site, request, "", [message], status.HTTP_400_BAD_REQUEST)
    await save_own_setting(site, request, user, FIELD, chosen or None)
    flash(request, gettext("Your time zone was saved."), FlashLevel.success)
    return RedirectResponse(
        request.url_for("admin:index"), status_code=status.HTTP_303_SEE_OTHER
    )


async def _render(
    site: "AdminSite",
    request: Request,
    chosen: str,
    errors: list[str],
    status_code: int = status.HTTP_200_OK,
) -> Response:
    context: dict[str, Any] = {
        "title": gettext("Time zone"),
        "chosen": chosen,
        "errors": errors,
        "zones": known_zones(),
        "admin_zone": str(site.configured_timezone),
    }
    response: Response = await site.templates.TemplateResponse(
        request, PAGE_TEMPLATE, context, status_code=status_code
    )
    return response
