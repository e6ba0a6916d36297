"""Saved views: a list's filters, search, sort, page size and columns kept
under a name, a user's own or shared with everyone who may see the model;
opened by ``?view=<id>`` on the list's own URL, in the sidebar under their
model and in the command palette.

Owns the saved view's table, reading the user's views with the user (one
bounded query riding the sign-in's session), saving, renaming, sharing and
deleting them (each audited), and opening one: its parameters checked again,
what no longer exists dropped with a message.

Imports the core; asks :mod:`admin_app.security.permissions` who may see a
model and who is an admin; records in :mod:`admin_app.audit.entries`. Seam
into :mod:`admin_app.lists`: a saved query is checked by the list's own
parameter rules (:mod:`admin_app.saved_views.queries`).
"""
