"""Views: the composition of features into sqladmin ``ModelView`` classes: the
inferred view any model gets (:class:`AutoModelView`), and the views of
admin_app's own tables (users and grants, the audit trail).

Part of the composition layer with the site and the app: it may import any
feature, and no feature imports it at run time.
"""

from admin_app.views.inferred import AutoModelView

__all__ = ["AutoModelView"]
