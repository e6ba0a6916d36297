"""The ``admin-app`` command (also ``python -m admin_app``).

Every failure the user can fix (a bad URL, an unreachable database, a models
module that does not import) ends as one ``error: …`` line and exit status 1.
"""

import secrets
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from alembic.util import CommandError
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from admin_app import migrate
from admin_app.auth.models import Role
from admin_app.auth.passwords import hash_password
from admin_app.auth.users import UserError, create_user, set_password
from admin_app.db import (
    DatabaseError,
    check_connection,
    make_sync_engine,
    strict_mode_warning,
)
from admin_app.discovery import DiscoveryError, discover, import_models_module
from admin_app.keys import UnsupportedKey, key_parts
from admin_app.schemas import configured_hasher
from admin_app.settings import Settings, SettingsError, get_settings

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
db_app = typer.Typer(no_args_is_help=True, help="Migrate the database (Alembic).")
app.add_typer(db_app, name="db")

DEMO_USERNAME = "admin"
_USER_ERRORS = (
    SettingsError,
    DatabaseError,
    DiscoveryError,
    UserError,
    CommandError,
    FileNotFoundError,
    UnsupportedKey,
)


def fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a user can fix into one line; let real bugs show."""
    try:
        yield
    except _USER_ERRORS as exc:
        raise fail(str(exc).strip().splitlines()[0]) from None
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise fail(f"database error: {reason}") from None


def ready_settings(check_models: bool = True) -> Settings:
    """Settings whose database answers and whose models import."""
    settings = get_settings()
    engine = make_sync_engine(settings)
    try:
        check_connection(engine)
        with engine.connect() as connection:
            warning = strict_mode_warning(connection)
    finally:
        engine.dispose()
    if warning is not None:  # a MariaDB/MySQL server that would cut values
        typer.echo(f"warning: {warning}", err=True)
    if check_models:
        discover(settings.models, settings.exclude_models)
    configured_hasher(settings)
    return settings


def in_session(settings: Settings, work: Callable[[Session], Any]) -> Any:
    engine = make_sync_engine(settings)
    try:
        with Session(engine, expire_on_commit=False) as session:
            return work(session)
    finally:
        engine.dispose()


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default: ADMIN_HOST")] = None,
    port: Annotated[int | None, typer.Option(help="Default: ADMIN_PORT")] = None,
    reload: Annotated[bool, typer.Option(help="Restart on code changes")] = False,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
) -> None:
    """Serve the admin with uvicorn (127.0.0.1:8000 unless told otherwise)."""
    import uvicorn

    with user_errors():
        settings = ready_settings()
        for table in discover(settings.models, settings.exclude_models):
            key_parts(table)  # a key URLs cannot name: refused here, in one line
    uvicorn.run(
        "admin_app.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        reload=reload,
        workers=None if reload else workers,
        proxy_headers=False,
    )


@db_app.command()
def upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision")] = "heads",
    admin_only: Annotated[
        bool, typer.Option(help="Only admin_app's own tables, into any database")
    ] = False,
) -> None:
    """Bring the database up to REVISION (default: every branch's head)."""
    with user_errors():
        settings = ready_settings(check_models=not admin_only)
        migrate.upgrade(settings, revision, admin_only=admin_only)


@db_app.command()
def downgrade(revision: Annotated[str, typer.Argument(help="e.g. base")]) -> None:
    """Take the database back to REVISION."""
    with user_errors():
        migrate.downgrade(ready_settings(), revision)


@db_app.command()
def revision(
    message: Annotated[str, typer.Option("-m", "--message")],
    autogenerate: Annotated[bool, typer.Option(help="Diff the models")] = False,
) -> None:
    """Write a new revision on the application's branch."""
    with user_errors():
        migrate.revision(ready_settings(), message, autogenerate)


@db_app.command()
def current() -> None:
    """Print the revision(s) the database is at."""
    with user_errors():
        migrate.current(ready_settings(check_models=False))


@db_app.command()
def check() -> None:
    """Exit 1 when the models and the migrations have drifted apart."""
    with user_errors():
        migrate.check(ready_settings())
    typer.echo("models and migrations agree")


@app.command()
def createsuperuser(
    username: Annotated[str | None, typer.Option(help="Asked when not given")] = None,
    password_stdin: Annotated[
        bool, typer.Option(help="Read the password from standard input")
    ] = False,
) -> None:
    """Create an admin user with every right."""
    if username is None:
        username = typer.prompt("Username")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        raise fail("no terminal to ask for a password: use --password-stdin")
    with user_errors():
        settings = ready_settings(check_models=False)
        in_session(settings, lambda s: create_user(s, username, password, Role.admin))
    typer.echo(f"superuser {username!r} created")


@app.command()
def demo() -> None:
    """Seed the demo data (idempotent) and (re)set the demo admin's password."""
    with user_errors():
        settings = ready_settings()
        if settings.is_production:
            raise fail("the demo login is for development, not ADMIN_ENV=production")
        seeds = [
            getattr(import_models_module(name), "seed", None)
            for name in settings.models
        ]
        seed = next((found for found in seeds if callable(found)), None)
        if seed is None:
            raise fail(
                "no seed(session, *, hash_password) function in "
                + ", ".join(settings.models)
            )
        password = secrets.token_urlsafe(12)

        def seed_and_login(session: Session) -> Any:
            set_password(session, DEMO_USERNAME, password)
            return seed(session, hash_password=hash_password)

        counts = in_session(settings, seed_and_login)
    summary = ", ".join(f"{count} {table}" for table, count in dict(counts).items())
    typer.echo(f"demo data: {summary}")
    url = f"http://{settings.host}:{settings.port}{settings.base_url}"
    typer.echo(f"log in at {url} as {DEMO_USERNAME!r} with password {password!r}")


def main() -> None:
    app()
