"""Alembic environment. Its body lives in admin_app.migrate, so the admin_app wheel,
the ``admin-app db`` commands and plain ``alembic`` all run the same code and read
the database URL from the one Settings."""

from admin_app.migrate import run_environment

run_environment()
