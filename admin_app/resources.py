"""Where admin_app's files live: inside the installed package (the wheel maps the
top-level ``templates/`` and ``migrations/`` into it), or in the source tree when
admin_app runs from a checkout or an editable install."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
SOURCE_ROOT = PACKAGE_DIR.parent


def _resource(in_package: str, in_source: str) -> Path:
    packaged = PACKAGE_DIR / in_package
    if packaged.exists():
        return packaged
    # Only a checkout may stand in for the package: in site-packages, a sibling
    # folder of the same name would belong to some other distribution.
    if (SOURCE_ROOT / "pyproject.toml").exists():
        return SOURCE_ROOT / in_source
    raise FileNotFoundError(f"admin_app is installed without its {in_package}/")


def templates_dir() -> Path:
    """Our Jinja2 overrides of sqladmin's templates."""
    return _resource("templates", "templates")


def migrations_dir() -> Path:
    """The Alembic environment: ``env.py`` and ``script.py.mako``."""
    return _resource("migrations", "migrations")


def admin_versions_dir() -> Path:
    """The revisions of admin_app's own tables (the ``admin_app`` branch)."""
    return _resource("migrations/versions", "migrations/admin_app")
