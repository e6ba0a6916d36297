"""Lists: the page of rows a person browses, searches, filters, sorts and pages,
and the statement behind it (also what an export streams).

Owns the list endpoint's statement and window, counting, keyset and offset
paging, search and matching, filters (date and number ranges, foreign-key
pickers, counts per value, chips, the panel), the rows' links and cells, which
query parameters a list reads, and the columns a list edits in place.

Imports the core; asks :mod:`admin_app.security.permissions` what each row's
buttons may do and which related rows a filter may offer. Seams into
:mod:`admin_app.forms`: a foreign-key filter's picker searches as a form's
does (:mod:`admin_app.forms.pickers`), and an editable list's cells are the
edit form's (:mod:`admin_app.lists.editable`, :mod:`admin_app.lists.page_edits`).
"""
