"""Audit: the trail of who changed what, written in the transaction of the
change; a row's history; reverting an update; restoring a deleted row (with
the rows deleted with it) or one in the trash.

Imports the core; :mod:`admin_app.audit.entries` is the seam every feature
records through, and a revert saves, and a restore validates, through
:mod:`admin_app.forms`.
"""

# What an application's own code calls (README, "Custom actions"): the names
# were public as ``admin_app.audit.*`` before the trail had a package.
from admin_app.audit.entries import audited, record_action, values_of

__all__ = ["audited", "record_action", "values_of"]
