"""The dashboard page and its widgets' own URLs.

``GET /`` draws the frame at once: a box per widget the user may see, each
with a link to ``GET /dashboard/widgets/<slug>``. ``dashboard.js`` fetches
every box's body from there in parallel (``?fragment=1``: the body alone), so
a slow widget holds only its own box; without JavaScript the link opens the
widget as a page of its own. A widget that raises shows its own message (the
error is logged, never shown), and the others are not affected.
"""

import logging
from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING

from sqladmin import ModelView
from sqladmin.authentication import login_required
from sqladmin.i18n import gettext
from starlette import status
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from admin_app.dashboard import charts
from admin_app.dashboard.cache import WidgetCache
from admin_app.dashboard.inferred import ModelCard, Sources, built_in, model_cards
from admin_app.dashboard.snapshots import Kept, Snapshots
from admin_app.dashboard.widget import Viewer, Widget
from admin_app.display import moment_text
from admin_app.references import details_linker
from admin_app.security.permissions import current

if TYPE_CHECKING:
    from admin_app.site import AdminSite

logger = logging.getLogger(__name__)

PAGE = "sqladmin/index.html"
WIDGET_PAGE = "admin_app/dashboard/widget_page.html"
FRAGMENT = "admin_app/dashboard/fragment.html"
DEFAULT_CACHE_SECONDS = 30


class Board:
    """A site's dashboard: the declared widgets, then the inferred ones."""

    def __init__(self, sources: Sources | None = None) -> None:
        self.sources = sources or Sources()
        self.declared: list[Widget] = []
        self.cache = WidgetCache()
        self.snapshots = Snapshots()
        self.cache_seconds = DEFAULT_CACHE_SECONDS

    def configure(
        self,
        declared: Iterable[Widget] = (),
        *,
        cache_seconds: int | None = None,
        sources: Sources | None = None,
    ) -> None:
        self.declared = list(declared)
        if cache_seconds is not None:
            self.cache_seconds = cache_seconds
        if sources is not None:
            self.sources = sources

    def widgets(self, site: "AdminSite") -> list[Widget]:
        views = list(site.views)
        return [*self.declared, *model_cards(views), *built_in(views, self.sources)]

    def find(self, site: "AdminSite", slug: str) -> Widget | None:
        return next((w for w in self.widgets(site) if w.slug == slug), None)

    def key(self, widget: Widget, viewer: Viewer) -> Hashable:
        return (widget.slug, viewer.rights_key, _user_of(widget, viewer))

    async def figures(self, widget: Widget, viewer: Viewer) -> Kept:
        """The widget's figures: kept ahead when it says so, else read now."""
        if widget.refresh_seconds:
            user = _user_of(widget, viewer)
            return await self.snapshots.read(widget, viewer, user)
        return Kept(await widget.load(viewer))

    def seconds(self, widget: Widget) -> int:
        """The widget's own cache time, else the setting's; a setting of 0
        turns every widget's cache off (a benchmark's cold reads)."""
        own = widget.cache_seconds
        if self.cache_seconds == 0 or own is None:
            return self.cache_seconds
        return own


def _user_of(widget: Widget, viewer: Viewer) -> int | None:
    """The user a widget's figures are read for, when they differ per user."""
    permissions = current(viewer.request)
    return permissions.user_id if permissions and widget.per_user() else None


def install(site: "AdminSite") -> None:
    """Add ``admin:dashboard_widget``."""
    site.admin.router.routes.append(
        Route(
            "/dashboard/widgets/{slug}",
            endpoint=site.dashboard_widget,
            name="dashboard_widget",
            methods=["GET"],
        )
    )


def viewer_of(site: "AdminSite", request: Request) -> Viewer:
    views = [view for view in site.views if isinstance(view, ModelView)]
    return Viewer(request, site, details_linker(views, request))


@login_required
async def index_page(site: "AdminSite", request: Request) -> Response:
    viewer = viewer_of(site, request)
    shown = [w for w in site.board.widgets(site) if w.allowed(viewer)]
    context = {
        "title": gettext("Dashboard"),
        "declared": [w for w in shown if w in site.board.declared],
        "cards": [w for w in shown if isinstance(w, ModelCard)],
        "others": [
            w
            for w in shown
            if w not in site.board.declared and not isinstance(w, ModelCard)
        ],
    }
    return await site.templates.TemplateResponse(request, PAGE, context)


@login_required
async def widget_page(site: "AdminSite", request: Request) -> Response:
    board = site.board
    widget = board.find(site, request.path_params["slug"])
    if widget is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    viewer = viewer_of(site, request)
    if not widget.allowed(viewer):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    kept = Kept(None)
    failed = False
    try:
        kept = await board.cache.get(
            board.key(widget, viewer),
            board.seconds(widget),
            lambda: board.figures(widget, viewer),
        )
    except Exception:
        logger.exception("dashboard widget %r failed", widget.slug)
        failed = True
    context = {
        "title": str(widget.title),
        "widget": widget,
        "data": kept.data,
        "kept_at": kept.at,
        "failed": failed,
        "viewer": viewer,
        "charts": charts,
        "moment": lambda value: moment_text(value, site.display_timezone),
    }
    fragment = request.query_params.get("fragment") == "1"
    response = await site.templates.TemplateResponse(
        request,
        FRAGMENT if fragment else WIDGET_PAGE,
        context,
        status_code=status.HTTP_500_INTERNAL_SERVER_ERROR
        if failed
        else status.HTTP_200_OK,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
