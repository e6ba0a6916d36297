"""Our sqladmin ``Admin``: the stock one, with our templates searched first and
our create/edit pages for inferred views."""

from datetime import UTC, tzinfo
from typing import Any

from sqladmin import Admin
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from admin_app import editing
from admin_app.concurrency import Snapshots
from admin_app.db import AnyEngine, AnySessionMaker
from admin_app.resources import templates_dir
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
