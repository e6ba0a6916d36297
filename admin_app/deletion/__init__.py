"""Deletion: what deleting rows takes along or is refused by, planned from the
schema before anything goes, then done in one audited transaction; or, for a
model with a ``deleted_at``-like column, the rows moved to the trash.

Imports the core; records through :mod:`admin_app.audit.entries`.
"""
