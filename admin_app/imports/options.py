"""The view options of imports, mixed into :class:`AutoModelView`.

Import is on for every inferred view: whether a user may use it is their
``import`` right (admin_app.security.permissions), as export's is theirs. A
view sets ``can_import = False`` to offer no import at all.
"""

from typing import ClassVar


class ImportOptions:
    """``can_import``: the list page's Import button and the import's pages."""

    can_import: ClassVar[bool] = True
