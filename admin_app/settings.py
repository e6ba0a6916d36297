"""The one configuration of admin_app: read from ``ADMIN_*`` variables and ``.env``.

The app, the CLI and ``migrations/env.py`` all call :func:`get_settings`; nothing
else in the project holds a database URL or a secret.
"""

import contextlib
import ipaddress
import re
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MIN_SECRET_LENGTH = 32
# The hosts a development admin answers to: this machine, and Starlette's
# TestClient ("testserver").
DEVELOPMENT_HOSTS = ("localhost", "127.0.0.1", "[::1]", "testserver")
# An ADMIN_ALLOWED_HOSTS entry: "*", a name ("admin.example.com"), a domain and
# its subdomains (".example.com"), an IPv4 address or a bracketed IPv6 one.
_HOST_ENTRY = re.compile(r"\*|\.?[a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\]")


class SettingsError(ValueError):
    """The configuration cannot be used; the message says which variable to fix."""


class Settings(BaseSettings):
    """Every ``ADMIN_`` variable, with its default."""

    model_config = SettingsConfigDict(
        env_prefix="ADMIN_", env_file=".env", extra="ignore", frozen=True
    )

    env: Literal["development", "production"] = "development"
    database_url: str = "sqlite:///./admin.db"
    secret_key: SecretStr | None = None
    # Where a development secret is generated once and kept (git-ignored).
    secret_key_file: Path = Path(".admin_secret_key")
    models: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["models"])
    exclude_models: Annotated[list[str], NoDecode] = Field(default_factory=list)

    title: str = "Admin"
    base_url: str = "/admin"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    pool_size: int = Field(default=5, ge=1)
    max_overflow: int = Field(default=10, ge=0)
    pool_timeout: float = Field(default=30.0, gt=0)
    pool_recycle: int = Field(default=1800, ge=-1)
    # PgBouncer in transaction mode pools connections itself: hold none here.
    null_pool: bool = False
    # Prepared statements on PostgreSQL (psycopg prepares a statement run five
    # times on a connection, asyncpg every one). PgBouncer in transaction mode
    # hands each transaction any server connection, where they are missing or
    # taken, unless it is 1.21+ with max_prepared_statements set. Unset: off
    # with null_pool (the PgBouncer setup), on otherwise.
    prepared_statements: bool | None = None
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0)
    echo_sql: bool = False

    # Dates and times in forms and pages are shown and entered in this zone.
    timezone: str = "UTC"
    # "package.module:function" hashing a plaintext password (API models' and
    # "set new password" inputs), unless a model marks its own.
    password_hasher: str = "admin_app.auth.passwords:hash_password"  # noqa: S105

    # Sessions and login (admin_app.auth): a login lasts session_max_age seconds
    # at most, and ends after session_idle_timeout seconds without a request.
    session_max_age: int = Field(default=12 * 3600, ge=60)
    session_idle_timeout: int = Field(default=2 * 3600, ge=60)
    # The session cookie's Secure flag; unset: on when ADMIN_ENV=production.
    cookie_secure: bool | None = None
    # Proxies (IPs or CIDRs) whose X-Forwarded-For names the client; from any
    # other peer the header is ignored, since anyone can send it.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Host names the admin answers to (Host, or X-Forwarded-Host from a trusted
    # proxy); others get 400, since absolute URLs and redirects are built from
    # it. Required in production; in development: DEVELOPMENT_HOSTS.
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validate_default=True
    )
    # Failed logins within login_failure_window seconds lock that username for
    # login_lockout_minutes; a client address gets more tries (shared NATs).
    login_max_failures: int = Field(default=5, ge=1)
    login_max_failures_per_ip: int = Field(default=20, ge=1)
    login_failure_window: int = Field(default=15 * 60, ge=1)
    login_lockout_minutes: int = Field(default=15, ge=1)
    # Request hygiene (admin_app.security.csrf, admin_app.security.limits):
    # bigger request bodies are refused with 413, forms with more fields with
    # 400; a GET export of more rows than export_get_max_rows asks for a POST
    # (a confirmation page).
    max_body_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    max_form_fields: int = Field(default=1000, ge=10)
    export_get_max_rows: int = Field(default=1000, ge=0)
    # Origins ("https://admin.example.com") besides the request's own host that
    # may POST to the admin: a reverse proxy publishing it under another host.
    csrf_trusted_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    migrations_dir: Path | None = None
    # The dashboard (admin_app.dashboard): seconds a widget's figures are kept
    # in each process, for everyone with the same rights, unless the widget
    # declares its own cache_seconds. 0: every widget read on every view.
    dashboard_cache_seconds: int = Field(default=30, ge=0)

    # Navigation (admin_app.navigation): a label on every page naming this
    # deployment, free text; "production"/"prod" is shown red, "staging"/"test"
    # amber, anything else neutral; empty: no label. The title is ``title``.
    environment: str = Field(default="", max_length=40)

    # Imports (admin_app.imports): an uploaded file may be this big (its upload
    # alone may exceed max_body_bytes) and hold this many rows; it waits for
    # its confirmation in import_dir (default: the system's temporary
    # directory) for import_expiry_seconds, then is deleted.
    import_max_bytes: int = Field(default=100 * 1024 * 1024, ge=1024)
    import_max_rows: int = Field(default=200_000, ge=1)
    import_dir: Path | None = None
    import_expiry_seconds: int = Field(default=3600, ge=60)

    @field_validator(
        "models", "exclude_models", "trusted_proxies", "allowed_hosts", mode="before"
    )
    @classmethod
    def _split_names(cls, value: object) -> object:
        if isinstance(value, str):
            return [name.strip() for name in value.split(",") if name.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"not an IP address or network: {entry!r}") from None
        return value

    @field_validator("allowed_hosts")
    @classmethod
    def _host_names(cls, value: list[str], info: ValidationInfo) -> list[str]:
        if not value and info.data.get("env") != "production":
            return list(DEVELOPMENT_HOSTS)
        hosts = []
        for entry in value:
            host = entry.lower().rstrip(".")
            with contextlib.suppress(ValueError):  # a bare IPv6 address
                host = f"[{ipaddress.IPv6Address(host)}]"  # as Host writes it
            if not _HOST_ENTRY.fullmatch(host):
                raise ValueError(
                    "not a host name (admin.example.com, .example.com or *, "
                    f"without scheme or port): {entry!r}"
                )
            hosts.append(host)
        return hosts

    @field_validator("csrf_trusted_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            value = [origin.strip() for origin in value.split(",") if origin.strip()]
        if isinstance(value, list):
            for origin in value:
                scheme, _, host = str(origin).partition("://")
                if scheme not in ("http", "https") or not host or "/" in host:
                    raise ValueError(
                        f"not an origin (scheme://host[:port]): {origin!r}"
                    )
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("base_url")
    @classmethod
    def _normalise_base_url(cls, value: str) -> str:
        value = "/" + value.strip("/")
        return value

    @model_validator(mode="after")
    def _production_needs_a_secret_and_hosts(self) -> "Settings":
        if self.env == "production":
            key = self.secret_key.get_secret_value() if self.secret_key else ""
            if len(key) < MIN_SECRET_LENGTH:
                raise SettingsError(
                    "ADMIN_SECRET_KEY must be set to a random value of at least "
                    f"{MIN_SECRET_LENGTH} characters when ADMIN_ENV=production"
                )
            if not self.allowed_hosts:
                raise SettingsError(
                    "ADMIN_ALLOWED_HOSTS must name the host(s) the admin is served "
                    "at (admin.example.com, .example.com for subdomains) when "
                    "ADMIN_ENV=production"
                )
        return self

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def secure_cookies(self) -> bool:
        """Whether the session cookie is sent over HTTPS only."""
        return self.is_production if self.cookie_secure is None else self.cookie_secure

    @property
    def prepares_statements(self) -> bool:
        """Whether PostgreSQL drivers may prepare statements (see above)."""
        if self.prepared_statements is None:
            return not self.null_pool
        return self.prepared_statements

    def resolved_secret_key(self) -> str:
        """The signing key; in development, generated once into ``secret_key_file``."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.secret_key_file
        if path.exists():
            key = path.read_text().strip()
            if len(key) >= MIN_SECRET_LENGTH:
                return key
        key = secrets.token_urlsafe(48)
        path.write_text(key + "\n")
        path.chmod(0o600)
        return key


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    try:
        return Settings()
    except SettingsError:
        raise
    except ValueError as exc:
        raise SettingsError(_first_error_line(exc)) from exc


def _first_error_line(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        for error in errors():
            message = str(error["msg"]).removeprefix("Value error, ")
            if not error["loc"]:
                return message
            name = "ADMIN_" + "_".join(str(part) for part in error["loc"]).upper()
            return f"{name}: {message}"
    return str(exc)
