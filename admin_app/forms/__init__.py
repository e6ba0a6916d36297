"""Forms: create and edit, from the plan of what a form shows to the one
transaction that saves it, stale edits refused and database errors told by
their field.

Owns planning, fields and widgets (pickers included), the edit form's first
values (read with the row), validation, saving, concurrency, inlines (a
parent's children edited in its form) and the reading of database errors
(integrity, diagnosis, constraints). Imports the core;
records through :mod:`admin_app.audit.entries`, and pickers search through
:mod:`admin_app.lists.searching`.
"""
