"""Palette: the command palette (Ctrl/Cmd+K) and keyboard shortcuts: the
commands a user may run (model lists and create pages, the dashboard, the
audit trail, their account), records found across every model they may view,
ranked and grouped, as JSON for the dialog and as a page without JavaScript.

Imports the core; it searches as pickers do, through the seams
:mod:`admin_app.lists.matching` (index-friendly matching) and
:mod:`admin_app.forms.pickers` (the views' ``picker_query`` narrowing).
"""
