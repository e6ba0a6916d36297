"""Entry points: :func:`create_app` (the standalone admin) and :func:`mount_admin`
(the admin inside an existing FastAPI or Starlette app)."""

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from functools import partial
from types import ModuleType
from zoneinfo import ZoneInfo

from sqladmin import ModelView
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from admin_app import migrate
from admin_app.auth.backend import AdminAuthBackend
from admin_app.dashboard import Dashboard
from admin_app.db import (
    AnyEngine,
    make_engine,
    make_session_maker,
    warn_unless_strict,
)
from admin_app.imports.files import Limits as ImportLimits
from admin_app.registry import ModelsSpec, build_views, declared_views, resolve_models
from admin_app.schemas import configured_hasher
from admin_app.settings import Settings, get_settings
from admin_app.site import AdminSite
from admin_app.tables import SERVED_TABLES
from admin_app.views import audit as audit_views
from admin_app.views import users as admin_views


def mount_admin(
    app: Starlette,
    *,
    engine: AnyEngine | None = None,
    models: ModelsSpec | Sequence[ModelsSpec] | None = None,
    path: str | None = None,
    views: Iterable[type[ModelView]] = (),
    exclude: Iterable[str] | None = None,
    settings: Settings | None = None,
    dashboard: Dashboard | None = None,
) -> AdminSite:
    """Mount the admin for ``models`` at ``path`` of ``app``.

    ``models`` is a module (or its dotted name), a table class, or a list of
    these; default: ``ADMIN_MODELS``. ``views`` are ModelView classes that replace
    the inferred view of their model. ``dashboard`` holds the home page's
    declared widgets (default: a ``dashboard`` the models module defines).
    The app's own routes, middleware and lifespan are left alone: the admin
    is a sub-application with its own.
    """
    settings = settings or get_settings()
    engine = engine if engine is not None else make_engine(settings)
    specs = settings.models if models is None else models
    spec_list: list[ModelsSpec] = (
        list(specs) if isinstance(specs, list | tuple) else [specs]  # type: ignore[list-item]
    )
    excluded = settings.exclude_models if exclude is None else list(exclude)
    tables, modules = resolve_models(spec_list, excluded)

    session_maker = make_session_maker(engine)
    base_url = "/" + (path or settings.base_url).strip("/")
    secret_key = settings.resolved_secret_key()
    backend = AdminAuthBackend(
        secret_key, session_maker, cookie_path=base_url, settings=settings
    )
    site = AdminSite(
        app,
        engine=engine,
        session_maker=session_maker,
        base_url=base_url,
        title=settings.title,
        authentication_backend=backend,
        secret_key=secret_key,
        display_timezone=ZoneInfo(settings.timezone),
        password_hasher=configured_hasher(settings),
        max_body_bytes=settings.max_body_bytes,
        max_form_fields=settings.max_form_fields,
        csrf_trusted_origins=settings.csrf_trusted_origins,
        export_get_max_rows=settings.export_get_max_rows,
        allowed_hosts=settings.allowed_hosts,
        trusted_proxies=settings.trusted_proxies,
        hsts=settings.is_production,
        environment=settings.environment,
        import_limits=ImportLimits(
            settings.import_dir,
            settings.import_max_bytes,
            settings.import_max_rows,
            settings.import_expiry_seconds,
        ),
    )
    # admin_app's pages for its own users and grants; the application's win.
    own_views = [
        *admin_views.views(),
        *audit_views.views(),
        *declared_views(modules),
        *views,
    ]
    for view in build_views([*tables, *SERVED_TABLES], own_views, modules):
        site.add_view(view)
    # The home page: the declared widgets, and the migration status of these
    # settings (read, never applied) beside what the site gave it.
    declared = dashboard if dashboard is not None else declared_dashboard(modules)
    site.board.configure(
        declared or (),
        cache_seconds=settings.dashboard_cache_seconds,
        sources=replace(
            site.board.sources, migration_status=partial(migrate.status, settings)
        ),
    )
    return site


def declared_dashboard(modules: Iterable[ModuleType]) -> Dashboard | None:
    """The first ``dashboard`` (a :class:`Dashboard`) the models modules define."""
    for module in modules:
        found = getattr(module, "dashboard", None)
        if isinstance(found, Dashboard):
            return found
    return None


def create_app(
    settings: Settings | None = None, dashboard: Dashboard | None = None
) -> Starlette:
    """The standalone admin: ``/`` redirects to it, ``/healthz`` answers ``ok``."""
    settings = settings or get_settings()
    engine = make_engine(settings)

    async def home(request: Request) -> Response:
        return RedirectResponse(settings.base_url + "/", status_code=307)

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # A MariaDB/MySQL server outside strict mode cuts values silently: said
        # in the log as the server starts (and on the admins' dashboard).
        await warn_unless_strict(engine)
        yield
        result = engine.dispose()
        if result is not None:
            await result

    app = Starlette(
        routes=[Route("/", home), Route("/healthz", healthz)], lifespan=lifespan
    )
    mount_admin(app, engine=engine, settings=settings, dashboard=dashboard)
    return app
