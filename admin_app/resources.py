"""Where admin_app's files live: inside the installed package (the wheel maps the
top-level ``templates/`` and the Alembic environment of ``migrations/`` into it),
or in the source tree when admin_app runs from a checkout or an editable install.

admin_app's own revisions are package files in both: ``admin_app/migrations/
versions``, so that ``admin_app:migrations/versions`` in a project's
``version_locations`` names them wherever admin_app is installed from.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
SOURCE_ROOT = PACKAGE_DIR.parent


def _resource(in_package: str, in_source: str, holding: str = "") -> Path:
    """``in_package`` inside the package when it is there (and holds
    ``holding``), else ``in_source`` in the checkout."""
    packaged = PACKAGE_DIR / in_package
    if (packaged / holding).exists():
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
    """The Alembic environment: ``env.py`` and ``script.py.mako`` (in a checkout,
    ``admin_app/migrations/`` holds the revisions only)."""
    return _resource("migrations", "migrations", holding="env.py")


def admin_versions_dir() -> Path:
    """The revisions of admin_app's own tables (the ``admin_app`` branch)."""
    return PACKAGE_DIR / "migrations" / "versions"
