"""Deletion: what deleting rows takes along or is refused by, planned from the
schema before anything goes, then done in one audited transaction.

Imports the core; records through :mod:`admin_app.audit.entries`.
"""
