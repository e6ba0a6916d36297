"""Our admin over the shop, as uvicorn's factory
(``uvicorn --factory benchmarks.our_app:make_app``); the database URL comes from
``BENCH_DATABASE_URL``."""

import os

from starlette.types import ASGIApp

from admin_app.app import create_app
from admin_app.settings import Settings
from benchmarks.databases import BENCH_SECRET, DATA_DIR, URL_ENV
from benchmarks.statements import CountStatements


def make_app() -> ASGIApp:
    settings = Settings(
        database_url=os.environ[URL_ENV],
        models=["benchmarks.shop"],
        secret_key=BENCH_SECRET,
        secret_key_file=DATA_DIR / "secret",
        title="admin_app (bench)",
    )
    return CountStatements(create_app(settings))
