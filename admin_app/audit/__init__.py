"""Audit: the trail of who changed what, written in the transaction of the
change; a row's history; reverting an update.

Imports the core; :mod:`admin_app.audit.entries` is the seam every feature
records through, and a revert saves through :mod:`admin_app.forms`.
"""
