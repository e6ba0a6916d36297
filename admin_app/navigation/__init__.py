"""Navigation: the sidebar's groups and icons, the breadcrumbs of every page,
and the environment label (``ADMIN_ENVIRONMENT``) beside the site's title.

Part of the composition layer with the site and the views: it reads the
registered views (their ``category``, ``icon`` and permissions) to draw them,
and may import any feature; no feature imports it at run time. Its naming
rules (:mod:`admin_app.navigation.naming`) are what ``AutoModelView``'s
``infer_category`` and ``infer_icon`` hooks return.
"""
