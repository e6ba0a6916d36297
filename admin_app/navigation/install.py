"""Puts the navigation into a site's templates."""

from functools import partial
from typing import Any

from admin_app.navigation.breadcrumbs import breadcrumbs
from admin_app.navigation.environment import environment_label
from admin_app.navigation.menu import sidebar


def install(site: Any, environment: str = "") -> None:
    """``sidebar(request)``, ``breadcrumbs()`` and ``environment_label`` for
    ``site``'s templates (``templates/sqladmin/layout.html`` draws them)."""
    globals_ = site.templates.env.globals
    globals_["sidebar"] = partial(sidebar, site)
    globals_["breadcrumbs"] = breadcrumbs
    globals_["environment_label"] = environment_label(environment)
