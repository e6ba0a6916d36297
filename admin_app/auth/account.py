"""The logged-in user's own account: changing their password.

``/account/password`` asks for the current password and the new one twice.
The new password ends the user's other sessions (the ``before_update`` hook of
:mod:`admin_app.auth.models`) while this browser stays signed in on a new
session, in the same transaction as the change and its audit entry.
"""

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from sqladmin.authentication import login_required
from sqladmin.flash import FlashLevel
from sqladmin.helpers import slugify_class_name
from sqlalchemy.orm import Session
from starlette import status
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from admin_app.audit import entries as audit
from admin_app.auth import throttle
from admin_app.auth.backend import AdminAuthBackend
from admin_app.auth.models import AdminUser
from admin_app.auth.passwords import hash_password, verify_password
from admin_app.auth.users import UserError, check_password
from admin_app.db import run_in_session
from admin_app.messages import flash

if TYPE_CHECKING:
    from admin_app.site import AdminSite

PAGE_TEMPLATE = "admin_app/auth/account_password.html"
FIELDS = ("old_password", "new_password", "new_password_again")
REQUIRED = "This field is required."
WRONG_OLD = "Your old password was entered incorrectly."
MISMATCH = "The two new passwords differ."
CHANGED_MEANWHILE = "Your password was changed meanwhile; enter the new one."


class PasswordChangeError(Exception):
    """The stored password changed between checking and saving."""


def install(site: "AdminSite") -> None:
    """Add ``/account/password`` (``admin:account_password``) to ``site``."""
    add_page(site, "/account/password", password_page, "account_password")


def add_page(
    site: "AdminSite",
    path: str,
    page: Callable[["AdminSite", Request], Awaitable[Response]],
    name: str,
) -> None:
    """An account page at ``path``: GET and HEAD show it, a POST saves it."""

    async def endpoint(request: Request) -> Response:
        return await page(site, request)

    site.admin.router.routes.append(
        Route(path, endpoint, name=name, methods=["GET", "POST"])
    )


def password_problems(form: FormData) -> dict[str, list[str]]:
    """What is wrong with the form before the old password is checked."""
    values = {name: _text(form, name) for name in FIELDS}
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        if not value:
            errors.setdefault(name, []).append(REQUIRED)
    new, again = values["new_password"], values["new_password_again"]
    if new:
        try:
            check_password(new)
        except UserError as exc:
            errors.setdefault("new_password", []).append(str(exc).capitalize() + ".")
    if new and again and new != again:
        errors.setdefault("new_password_again", []).append(MISMATCH)
    return errors


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


@login_required
async def password_page(site: "AdminSite", request: Request) -> Response:
    user = request.state.admin_user
    assert isinstance(user, AdminUser)
    # Only a POST (CSRF-checked) changes the password; GET and HEAD show the form.
    if request.method == "POST":
        return await _change(site, request, user)
    return await _render(site, request, {})


async def _change(site: "AdminSite", request: Request, user: AdminUser) -> Response:
    # Guessing the old password here is guessing a login: the same throttle
    # counts it (per username and address) and locks it out, the right
    # password too while the lock lasts.
    backend = site.authentication_backend
    throttled = backend if isinstance(backend, AdminAuthBackend) else None
    if throttled is not None:
        locked = await throttled.locked_for(request, user.username)
        if locked is not None:
            return await _locked(site, request, locked)
    form = await request.form()
    errors = password_problems(form)
    old = _text(form, "old_password")
    known = user.password_hash
    # Checked even when other fields are wrong: all the errors at once.
    if old and not await anyio.to_thread.run_sync(verify_password, known, old):
        if throttled is not None:
            locked = await throttled.count_failure(request, user.username)
            if locked is not None:
                return await _locked(site, request, locked)
        errors.setdefault("old_password", []).append(WRONG_OLD)
    if errors:
        return await _render(site, request, errors, status.HTTP_400_BAD_REQUEST)
    new_hash = await anyio.to_thread.run_sync(
        hash_password, _text(form, "new_password")
    )

    def change(session: Session) -> None:
        row = session.get(AdminUser, user.id)
        if row is None or row.password_hash != known:
            raise PasswordChangeError
        row.password_hash = new_hash
        # As a login does: the right password clears the username's count.
        throttle.forget(session, [throttle.username_key(row.username)])
        keep_signed_in = getattr(site.authentication_backend, "keep_signed_in", None)
        if keep_signed_in is not None:
            keep_signed_in(request, session, row.id)
        record_own_change(
            session,
            row,
            {"password_hash": (known, new_hash)},
            client_address(site, request),
            sensitive={"password_hash"},
        )
        session.commit()

    try:
        await run_in_session(site.session_maker, change)
    except PasswordChangeError:
        errors = {"old_password": [CHANGED_MEANWHILE]}
        return await _render(site, request, errors, status.HTTP_409_CONFLICT)
    flash(request, "Your password was changed.", FlashLevel.success)
    return RedirectResponse(
        request.url_for("admin:index"), status_code=status.HTTP_303_SEE_OTHER
    )


async def _locked(site: "AdminSite", request: Request, retry_after: int) -> Response:
    """The form, locked: 429 with ``Retry-After``, as the login page answers."""
    errors = {"old_password": [throttle.lock_message(retry_after)]}
    response = await _render(site, request, errors, status.HTTP_429_TOO_MANY_REQUESTS)
    response.headers["Retry-After"] = str(retry_after)
    return response


def record_own_change(
    session: Session,
    user: AdminUser,
    changes: dict[str, tuple[Any, Any]],
    remote_addr: str | None,
    sensitive: set[str] | frozenset[str] = frozenset(),
) -> None:
    """Audit a change the user made to their own account: ``changes`` maps
    each field to its (before, after)."""
    audit.record(
        session,
        "update",
        user=user,
        model=slugify_class_name(AdminUser.__name__),
        pk=str(user.id),
        changes=audit.changed_values(
            {name: pair[0] for name, pair in changes.items()},
            {name: pair[1] for name, pair in changes.items()},
            sensitive=sensitive,
        ),
        remote_addr=remote_addr,
    )


async def save_own_setting(
    site: "AdminSite", request: Request, user: AdminUser, name: str, value: Any
) -> None:
    """Store ``value`` as the signed-in user's own ``name`` (their time zone,
    their theme), audited; nothing written when it is already so."""
    address = client_address(site, request)

    def save(session: Session) -> None:
        row = session.get(AdminUser, user.id)
        before = None if row is None else getattr(row, name)
        if row is None or before == value:
            return
        setattr(row, name, value)
        record_own_change(
            session, row, {name: (_plain(before), _plain(value))}, address
        )
        session.commit()

    await run_in_session(site.session_maker, save)


def _plain(value: Any) -> Any:
    """An enum setting audited by its value (``"dark"``), as it is posted."""
    return getattr(value, "value", value)


def client_address(site: "AdminSite", request: Request) -> str | None:
    address = getattr(site.authentication_backend, "client_address", None)
    if address is not None:
        return str(address(request))
    return request.client.host if request.client else None


async def _render(
    site: "AdminSite",
    request: Request,
    errors: dict[str, list[str]],
    status_code: int = status.HTTP_200_OK,
) -> Response:
    context: dict[str, Any] = {
        "title": "Change password",
        "errors": errors,
        "fields": [
            ("old_password", "Old password", "current-password"),
            ("new_password", "New password", "new-password"),
            ("new_password_again", "New password again", "new-password"),
        ],
    }
    response: Response = await site.templates.TemplateResponse(
        request, PAGE_TEMPLATE, context, status_code=status_code
    )
    return response
