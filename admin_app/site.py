"""Our sqladmin ``Admin``: the stock one, with our templates searched first and
our create/edit pages for inferred views."""

from datetime import UTC, tzinfo
from typing import Any

from sqladmin import Admin
from sqladmin.authentication import login_required
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from admin_app import deletion_routes, editing, pickers
from admin_app.concurrency import Snapshots
from admin_app.db import AnyEngine, AnySessionMaker
from admin_app.resources import PACKAGE_DIR, templates_dir
from admin_app.schemas import Hasher
from admin_app.views import AutoModelView


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
        **options: Any,
    ) -> None:
        options.setdefault("templates_dir", str(templates_dir()))
        self.snapshots = Snapshots(secret_key)
        self.display_timezone = display_timezone
        self.password_hasher = password_hasher
        super().__init__(app, engine=engine, session_maker=session_maker, **options)
        # Our own scripts (admin_app/statics/): public, like sqladmin's /statics.
        statics = StaticFiles(directory=PACKAGE_DIR / "statics")
        self.admin.router.routes.insert(
            0, Mount("/app-statics", statics, name="app_statics")
        )
        deletion_routes.install(self)

    async def create(self, request: Request) -> Response:
        view = self._find_model_view(request.path_params["identity"])
        if isinstance(view, AutoModelView):
            return await editing.create_page(self, request)  # type: ignore[no-any-return]
        return await super().create(request)  # type: ignore[no-any-return]

    async def edit(self, request: Request) -> Response:
        view = self._find_model_view(request.path_params["identity"])
        if isinstance(view, AutoModelView):
            return await editing.edit_page(self, request)  # type: ignore[no-any-return]
        return await super().edit(request)  # type: ignore[no-any-return]

    @login_required
    async def ajax_lookup(self, request: Request) -> Response:
        """A picker's search, a page at a time: see :mod:`admin_app.pickers`."""
        return await pickers.lookup(self, request)

    async def delete(self, request: Request) -> Response:
        """Deletes that say first what goes with them, refuse what other rows
        refer to, and run in one transaction: see :mod:`admin_app.deletion`."""
        return await deletion_routes.delete_page(self, request)  # type: ignore[no-any-return]
