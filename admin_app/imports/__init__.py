"""Imports: rows brought in from a file (CSV, JSON, JSON Lines, XLSX), in
steps a person checks: upload, mapping, a previewed dry run, the confirm in one
transaction, and undo.

Imports the core, :mod:`admin_app.forms` (each row is validated as its form
is), :func:`admin_app.exports.formats.neutralise` (the refused rows' CSV) and
the audit trail's entries.
"""
