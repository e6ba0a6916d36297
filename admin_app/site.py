"""Our sqladmin ``Admin``: the stock one, with our templates searched first and
our create/edit pages for inferred views."""

from collections.abc import Sequence
from datetime import UTC, tzinfo
from functools import partial
from types import MethodType
from typing import Any

from sqladmin import Admin, BaseView, ModelView
from sqladmin.authentication import login_required
from sqladmin.flash import FlashLevel
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from admin_app.audit import entries as audit
from admin_app.audit import history
from admin_app.auth import account, theme, time_zone
from admin_app.auth import routes as auth_routes
from admin_app.dashboard import routes as dashboard
from admin_app.dashboard.inferred import Sources
from admin_app.db import AnyEngine, AnySessionMaker
from admin_app.deletion import routes as deletion_routes
from admin_app.exports import routes as exports
from admin_app.forms import editing, pickers
from admin_app.forms.concurrency import Snapshots
from admin_app.imports import routes as imports
from admin_app.imports.files import Limits as ImportLimits
from admin_app.lists import editable, listing, related
from admin_app.lists.pagination import NOT_THE_ROWS, PAGING_PARAMS
from admin_app.messages import flash
from admin_app.navigation import install as navigation
from admin_app.palette import routes as palette
from admin_app.resources import PACKAGE_DIR, templates_dir
from admin_app.saved_views import opening as saved_views
from admin_app.saved_views import routes as saved_view_routes
from admin_app.schemas import Hasher
from admin_app.security import actions
from admin_app.security.csrf import CSRFMiddleware, csrf_token
from admin_app.security.headers import SecurityHeadersMiddleware
from admin_app.security.hosts import AllowedHostsMiddleware
from admin_app.security.limits import RequestLimitsMiddleware
from admin_app.security.permissions import RoleAuthorization
from admin_app.security.proxies import trusted_networks
from admin_app.settings import DEVELOPMENT_HOSTS
from admin_app.templating import COMPILED
from admin_app.urls import cache_url_paths
from admin_app.views.inferred import AutoModelView
from admin_app.zones import shown_zone


class AdminSite(Admin):
    """The admin mounted into a Starlette (or FastAPI) app at ``base_url``."""

    def __init__(
        self,
        app: Starlette,
        engine: AnyEngine,
        session_maker: AnySessionMaker,
        *,
        secret_key: str,
        display_timezone: tzinfo = UTC,
        password_hasher: Hasher | None = None,
        max_body_bytes: int = 5 * 1024 * 1024,
        max_form_fields: int = 1000,
        csrf_trusted_origins: Sequence[str] = (),
        export_get_max_rows: int | None = 1000,
        allowed_hosts: Sequence[str] = DEVELOPMENT_HOSTS,
        trusted_proxies: Sequence[str] = (),
        hsts: bool = False,
        environment: str = "",
        import_limits: ImportLimits | None = None,
        **options: Any,
    ) -> None:
        options.setdefault("templates_dir", str(templates_dir()))
        # Roles and grants decide what each user sees and does
        # (admin_app.security.permissions).
        options.setdefault("authorization_backend", RoleAuthorization())
        self.snapshots = Snapshots(secret_key)
        self.configured_timezone = display_timezone
        self.password_hasher = password_hasher
        self.export_get_max_rows = export_get_max_rows
        self.import_settings = import_limits or ImportLimits()
        super().__init__(app, engine=engine, session_maker=session_maker, **options)
        for route in self.app.routes:
            if isinstance(route, Mount) and route.app is self.admin:
                cache_url_paths(route)
        # Our own scripts (admin_app/statics/): public, like sqladmin's /statics.
        statics = StaticFiles(directory=PACKAGE_DIR / "statics")
        self.admin.router.routes.insert(
            0, Mount("/app-statics", statics, name="app_statics")
        )
        deletion_routes.install(self)
        # An editable list posts its page to the list's own URL.
        editable.install(self)
        # The foreign-key filters' pickers (admin_app.lists.related).
        related.install(self)
        # Each row's history (its audit entries) and reverting from it.
        history.install(self)
        # The dashboard's widgets, each at its own URL; the recent changes are
        # the audit trail's (app.py adds the declared widgets and migrations).
        recent = partial(history.recent_actions, data_only=True)
        self.board = dashboard.Board(Sources(recent_actions=recent))
        dashboard.install(self)
        # Request hygiene: headers, the host check and limits around everything,
        # the CSRF check inside the session middleware (the token lives in the
        # session). Only the admin's sub-app: the app it is mounted in is left alone.
        proxies = trusted_networks(trusted_proxies)
        self.admin.user_middleware[:0] = [
            Middleware(SecurityHeadersMiddleware, hsts=hsts, trusted_proxies=proxies),
            Middleware(
                AllowedHostsMiddleware,
                allowed_hosts=allowed_hosts,
                trusted_proxies=proxies,
            ),
            Middleware(
                RequestLimitsMiddleware,
                max_body_bytes=max_body_bytes,
                max_form_fields=max_form_fields,
                # An import's upload may be bigger (admin_app.imports).
                larger_bodies=(imports.UPLOAD_PATH, self.import_settings.max_bytes),
            ),
        ]
        self.admin.user_middleware.append(
            Middleware(CSRFMiddleware, trusted_origins=csrf_trusted_origins)
        )
        # Compiled once per process, whatever number of admins (admin_app.templating).
        COMPILED.attach(self.templates.env)
        self.templates.env.globals["csrf_token"] = csrf_token
        # What list links drop: one definition for templates and code.
        self.templates.env.globals["paging_params"] = list(PAGING_PARAMS)
        self.templates.env.globals["not_the_rows"] = list(NOT_THE_ROWS)
        exports.install(self)
        # Throttled login with a safe `next`; logout by POST only.
        auth_routes.install(self)
        # The logged-in user's own password page.
        account.install(self)
        # Their own time zone.
        time_zone.install(self)
        # The grouped sidebar, breadcrumbs and environment label (layout.html).
        navigation.install(self, environment)
        # Their own light/dark choice (the sidebar's toggle).
        theme.install(self)
        # The command palette (Ctrl/Cmd+K) and its search page, with the
        # user's saved views among its commands.
        palette.install(self, saved_views.palette_commands)
        # Saved views: read with the user, saved and managed (routes), opened
        # by the list route below.
        saved_view_routes.install(self)
        # Imports: upload, preview, confirm, undo (replaces sqladmin's CSV import).
        imports.install(self)

    @property
    def display_timezone(self) -> tzinfo:
        """The zone of this request's date-times: the signed-in user's own,
        else ``ADMIN_TIMEZONE`` (:mod:`admin_app.zones`)."""
        return shown_zone(self.configured_timezone)

    @login_required
    async def list(self, request: Request) -> Response:
        """Lists that stay fast on big tables: see :mod:`admin_app.lists.listing`;
        a POST saves an editable list's page (:mod:`admin_app.lists.editable`)."""
        if request.method == "POST":
            return await editable.save_page(self, request, listing.list_page_response)
        # ``?view=<id>``: the saved view's parameters, in this same request.
        view = self._find_model_view(request.path_params["identity"])
        request, lost = await saved_views.opened_request(view, request)
        for message in lost:
            flash(request, message, FlashLevel.error)
        return await listing.list_page_response(self, request)

    async def create(self, request: Request) -> Response:
        request = _saving_on_post_only(request)
        view = self._find_model_view(request.path_params["identity"])
        if isinstance(view, AutoModelView):
            return await editing.create_page(self, request)  # type: ignore[no-any-return]
        # sqladmin's own save: audited as the ORM flushes it (admin_app.audit.entries).
        with audit.audited(request, view):
            return await super().create(request)  # type: ignore[no-any-return]

    async def edit(self, request: Request) -> Response:
        request = _saving_on_post_only(request)
        view = self._find_model_view(request.path_params["identity"])
        if isinstance(view, AutoModelView):
            return await editing.edit_page(self, request)  # type: ignore[no-any-return]
        with audit.audited(request, view):
            return await super().edit(request)  # type: ignore[no-any-return]

    async def import_endpoint(self, request: Request) -> Response:
        """sqladmin's CSV import, for a plain ``ModelView`` only (it has no
        form plan for ours, :mod:`admin_app.imports`), each imported row
        audited as ``import`` in the import's transaction."""
        view = self._find_model_view(request.path_params["identity"])
        with audit.audited(request, view, "import"):
            response = await super().import_endpoint(request)
        # The rows are written while the response streams the progress.
        return audit.audited_response(response, request, view, "import")

    async def history(self, request: Request) -> Response:
        """A row's audit entries; POST reverts one (:mod:`admin_app.audit.history`)."""
        return await history.history_page(self, request)  # type: ignore[no-any-return]

    async def index(self, request: Request) -> Response:
        """The dashboard's frame: :mod:`admin_app.dashboard.routes`."""
        return await dashboard.index_page(self, request)  # type: ignore[no-any-return]

    async def dashboard_widget(self, request: Request) -> Response:
        """One dashboard widget, as a page or (``?fragment=1``) its body."""
        return await dashboard.widget_page(self, request)  # type: ignore[no-any-return]

    @login_required
    async def ajax_lookup(self, request: Request) -> Response:
        """A picker's search, a page at a time: see :mod:`admin_app.forms.pickers`."""
        return await pickers.lookup(self, request)

    async def delete(self, request: Request) -> Response:
        """Deletes that say first what goes with them, refuse what other rows
        refer to, and run in one transaction: see :mod:`admin_app.deletion.plans`."""
        return await deletion_routes.delete_page(self, request)  # type: ignore[no-any-return]

    def _handle_action_decorated_func(
        self,
        func: MethodType,
        view: type[BaseView | ModelView],
        view_instance: BaseView | ModelView,
    ) -> None:
        """sqladmin's, but the action runs on POST only (GET confirms): see
        :mod:`admin_app.security.actions`."""
        super()._handle_action_decorated_func(func, view, view_instance)
        if hasattr(func, "_action") and isinstance(view_instance, ModelView):
            actions.install(self, func, view_instance)

    async def export(self, request: Request) -> Response:
        """sqladmin's export; a large one needs a POST.

        See :mod:`admin_app.exports.routes`.
        """
        return await exports.export_page(self, request)  # type: ignore[no-any-return]


def _saving_on_post_only(request: Request) -> Request:
    """``request`` as a GET unless it is a POST.

    sqladmin's create and edit pages (and ours, :mod:`admin_app.forms.editing`)
    show the form on a GET and save on any other method, and Starlette routes
    HEAD to every GET route: a HEAD, which no CSRF check covers, would save.
    Only a POST, which carries the token, may.
    """
    if request.method == "POST":
        return request
    return Request({**request.scope, "method": "GET"}, request.receive)
