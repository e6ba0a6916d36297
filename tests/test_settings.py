"""One Settings: ADMIN_ variables, a kept dev secret, a strong production key."""

import stat
from pathlib import Path

import pytest

from admin_app.settings import Settings, SettingsError, get_settings


def test_reads_admin_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_DATABASE_URL", "postgresql+psycopg://db/x")
    monkeypatch.setenv("ADMIN_MODELS", "myapp.models, other.models")
    monkeypatch.setenv("ADMIN_BASE_URL", "backoffice/")
    monkeypatch.setenv("ADMIN_NULL_POOL", "true")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://db/x"
    assert settings.models == ["myapp.models", "other.models"]
    assert settings.base_url == "/backoffice"
    assert settings.null_pool is True


def test_defaults_are_the_embedded_sqlite_database_and_the_demo_models(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    for name in ("ADMIN_DATABASE_URL", "ADMIN_MODELS", "ADMIN_ENV"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.database_url == "sqlite:///./admin.db"
    assert settings.models == ["models"]
    assert settings.host == "127.0.0.1"
    assert not settings.is_production


def test_development_secret_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    settings = Settings(secret_key=None, secret_key_file=path)
    key = settings.resolved_secret_key()
    assert len(key) >= 32
    assert settings.resolved_secret_key() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_production_refuses_to_start_without_a_strong_secret() -> None:
    with pytest.raises(ValueError, match="ADMIN_SECRET_KEY must be set"):
        Settings(env="production", secret_key=None)
    with pytest.raises(ValueError, match="at least 32 characters"):
        Settings(env="production", secret_key="short")
    settings = Settings(
        env="production", secret_key="k" * 32, allowed_hosts="admin.example.com"
    )
    assert settings.is_production


def test_get_settings_reports_the_variable_at_fault(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    get_settings.cache_clear()
    monkeypatch.setenv("ADMIN_POOL_SIZE", "lots")
    try:
        with pytest.raises(SettingsError, match=r"^ADMIN_POOL_SIZE: "):
            get_settings()
    finally:
        get_settings.cache_clear()


def test_the_database_url_and_secret_live_only_in_settings() -> None:
    repo = Path(__file__).resolve().parent.parent
    sources = [*repo.glob("admin_app/**/*.py"), *repo.glob("migrations/**/*.py")]
    sources += [repo / "alembic.ini"]
    for source in sources:
        if source.name == "settings.py":
            continue
        text = source.read_text()
        assert "sqlite:///" not in text, source
        assert "sqlalchemy.url" not in text, source


def test_prepared_statements_are_off_behind_pgbouncer_unless_said(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings().prepares_statements is True
    monkeypatch.setenv("ADMIN_NULL_POOL", "true")
    assert Settings().prepares_statements is False
    # PgBouncer 1.21+ with max_prepared_statements keeps them per client.
    monkeypatch.setenv("ADMIN_PREPARED_STATEMENTS", "true")
    assert Settings().prepares_statements is True
    monkeypatch.setenv("ADMIN_NULL_POOL", "false")
    monkeypatch.setenv("ADMIN_PREPARED_STATEMENTS", "false")
    assert Settings().prepares_statements is False
