"""Lists: the page of rows a person browses, searches, filters, sorts and pages,
and the statement behind it (also what an export streams).

Owns the list endpoint's statement and window, counting, keyset and offset
paging, search and matching, filters, the rows' links and cells, and which
query parameters a list reads, and the columns a list edits in place.
Imports the core; asks :mod:`admin_app.security.permissions` what each row's
buttons may do; an editable list's cells are the edit form's
(:mod:`admin_app.lists.editable` and :mod:`admin_app.lists.page_edits` use
:mod:`admin_app.forms`).
"""
