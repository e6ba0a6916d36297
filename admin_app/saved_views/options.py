"""The view options of saved views and column choosing, mixed into
``AutoModelView``: a view that must keep its list fixed turns them off."""

from typing import ClassVar


class SavedViewOptions:
    """``can_save_views``: the list's "Save view" menu (on); a view's saved
    views still open while it is off, but no new one is saved.
    ``can_choose_columns``: the list's "Columns" menu and its ``columns``
    parameter (on; :mod:`admin_app.lists.columns`)."""

    can_save_views: ClassVar[bool] = True
    can_choose_columns: ClassVar[bool] = True
