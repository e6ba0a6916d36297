"""Security: what guards every request and every button: CSRF, headers and
CSP, allowed hosts, trusted proxies, request limits, roles' permissions, and
custom actions that run on POST only.

Imports the core; permissions read roles and grants from
:mod:`admin_app.auth.models`, and actions record through
:mod:`admin_app.audit.entries`.
"""
