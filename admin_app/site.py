"""Our sqladmin ``Admin``: the stock one, with our templates searched first."""

from typing import Any

from sqladmin import Admin
from starlette.applications import Starlette

from admin_app.db import AnyEngine, AnySessionMaker
from admin_app.resources import templates_dir


class AdminSite(Admin):
    """The admin mounted into a Starlette (or FastAPI) app at ``base_url``."""

    def __init__(
        self,
        app: Starlette,
        engine: AnyEngine,
        session_maker: AnySessionMaker,
        **options: Any,
    ) -> None:
        options.setdefault("templates_dir", str(templates_dir()))
        super().__init__(app, engine=engine, session_maker=session_maker, **options)
