"""Auth: who is signed in. admin_app's own users, password hashing, sign-in
and its throttle, sessions, safe redirects, and a user's own account page and theme.

Imports the core; records through :mod:`admin_app.audit.entries`, asks
:mod:`admin_app.security.permissions` for a user's grants and
:mod:`admin_app.security.proxies` for the client's address.
"""
