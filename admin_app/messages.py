"""Messages for the next page, kept in the session (sqladmin's flash), never
in the URL: a link anyone can write must not put words in the admin's pages.

sqladmin's ``Flash`` appends to a list already in the session, a change
Starlette's session does not notice: a second message before the first is
shown was lost. :func:`flash` stores the list anew.
"""

from sqladmin.flash import Flash, FlashLevel
from starlette.requests import Request

# Where sqladmin's flash keeps its messages in the session.
SESSION_KEY = "_messages"


def flash(request: Request, message: str, level: FlashLevel) -> None:
    """Show ``message`` on the next page (a toast; errors on a list page in
    its red box, see :func:`take_errors`)."""
    Flash.flash(request, message, level)
    if "session" in request.scope and SESSION_KEY in request.session:
        request.session[SESSION_KEY] = list(request.session[SESSION_KEY])


def take_errors(request: Request) -> list[str]:
    """The error messages waiting for this page, taken out of the session;
    the others stay for the page's toasts."""
    if "session" not in request.scope:
        return []
    waiting = request.session.get(SESSION_KEY)
    if not isinstance(waiting, list):
        return []
    error = FlashLevel.error.value
    errors = [m for m in waiting if isinstance(m, dict) and m.get("category") == error]
    if not errors:
        return []
    kept = [m for m in waiting if m not in errors]
    if kept:
        request.session[SESSION_KEY] = kept
    else:
        del request.session[SESSION_KEY]
    return [str(m.get("message", "")) for m in errors]
