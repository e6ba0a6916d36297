"""``python -m admin_app``: the admin-app command."""

from admin_app.cli import main

main()
