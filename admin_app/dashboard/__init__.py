"""The dashboard: the admin's home page, a frame of widgets each read and drawn
on its own.

Owns the widget API a models module declares (:mod:`.declared`: KPI cards,
time series, top rows and rankings, gathered in a :class:`Dashboard`), the
widgets inferred for every model and for admins (:mod:`.inferred`: row counts,
new rows and their sparkline, recent data changes, failed sign-ins, migration
status), their charts drawn as inline SVG (:mod:`.charts`), the per-process
cache (:mod:`.cache`) and the page and widget endpoints (:mod:`.routes`).

Imports the core; asks :mod:`admin_app.security.permissions` who may see a
widget and :mod:`admin_app.audit.entries` for failed sign-ins. Seam into
:mod:`admin_app.lists.counting` and :mod:`admin_app.lists.trash`: a model's
card counts rows as its list does, its trash left out.
The recent changes and the migration status come from the site, which passes
:func:`admin_app.audit.history.recent_actions` and :mod:`admin_app.migrate`'s
status in (:class:`.routes.Sources`).
"""

from admin_app.dashboard.declared import Dashboard, Kpi, Ranking, TimeSeries, TopRows
from admin_app.dashboard.widget import Widget

__all__ = ["Dashboard", "Kpi", "Ranking", "TimeSeries", "TopRows", "Widget"]
