"""Exports: the rows a list shows, streamed as CSV or JSON, cells that cannot
run as formulas, and a POST for a large export.

Imports the core; reads rows through :mod:`admin_app.lists` (the seam: an
export is what its list shows).
"""
