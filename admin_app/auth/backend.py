"""The login backend: sqladmin's AuthenticationBackend over :class:`AdminUser`
rows. Starlette's signed cookie carries only a random session token; the
login itself lives in the database (:mod:`admin_app.auth.sessions`), so it can
be ended from anywhere, and failed logins are throttled there too
(:mod:`admin_app.auth.throttle`)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import anyio.to_thread
from sqladmin.authentication import AuthenticationBackend
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlmodel import col
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from admin_app.audit import entries as audit
from admin_app.auth import passwords, redirects, sessions, throttle
from admin_app.auth.models import AdminUser, Role
from admin_app.auth.users import find_user
from admin_app.db import AnySessionMaker, run_in_session
from admin_app.security import proxies
from admin_app.security.permissions import read_grants
from admin_app.settings import Settings
from admin_app.zones import use_viewer_zone

SESSION_COOKIE = "admin_app_session"
# The only thing the cookie holds: who is logged in is read from the database.
TOKEN_KEY = "token"  # noqa: S105 (a session key, not a secret)


@dataclass(frozen=True)
class LoginResult:
    """A login attempt's outcome: the user, or how long the lock lasts
    (``retry_after`` seconds), or neither for wrong credentials."""

    user: AdminUser | None = None
    retry_after: int | None = None


@dataclass(frozen=True)
class _Attempt:
    """A failed login's audit subject when no such user exists."""

    username: str
    id: None = None


class AdminAuthBackend(AuthenticationBackend):
    """Logs :class:`AdminUser` rows in and out; every request re-reads the user
    with its session, so a deactivated account is out on its next click."""

    def __init__(
        self,
        secret_key: str,
        session_maker: AnySessionMaker,
        *,
        cookie_path: str,
        settings: Settings,
    ) -> None:
        super().__init__(
            secret_key,
            session_cookie=SESSION_COOKIE,
            # The signature expires with the longest a login may last.
            max_age=settings.session_max_age,
            path=cookie_path,
            same_site="lax",
            https_only=settings.secure_cookies,
        )
        self.session_maker = session_maker
        self.lifetimes = sessions.Lifetimes(
            idle=timedelta(seconds=settings.session_idle_timeout),
            absolute=timedelta(seconds=settings.session_max_age),
        )
        self.limits = throttle.Limits(
            per_username=settings.login_max_failures,
            per_address=settings.login_max_failures_per_ip,
            window=timedelta(seconds=settings.login_failure_window),
            lockout=timedelta(minutes=settings.login_lockout_minutes),
        )
        self.trusted_proxies = proxies.trusted_networks(settings.trusted_proxies)
        # More to read with the user, in the same session (one query each):
        # name → reader; each result lands in ``request.state.admin_also_read``.
        self.also_read: dict[str, Callable[[Session, AdminUser], Any]] = {}

    def client_address(self, request: Request) -> str:
        return proxies.client_address(request, self.trusted_proxies)

    async def attempt_login(
        self, request: Request, username: str, password: str
    ) -> LoginResult:
        """Check the credentials under the throttle; on success start a new
        session (the cookie's old token, if any, is ended: a cookie planted
        before the login is worth nothing after it)."""
        now = sessions.utc_now()
        address = self.client_address(request)
        limited = self.throttled_keys(request, username)
        name_key = limited[0][0]
        name = username.strip()

        def look_up(session: Session) -> tuple[datetime | None, AdminUser | None]:
            locked = throttle.locked_until(session, [key for key, _ in limited], now)
            return locked, find_user(session, name) if name and not locked else None

        locked, user = await run_in_session(self.session_maker, look_up)
        if locked is not None:
            return LoginResult(retry_after=throttle.retry_after(locked, now))

        # An unknown name costs one verification too: timing tells nothing.
        stored_hash = user.password_hash if user is not None else passwords.dummy_hash()
        valid = await anyio.to_thread.run_sync(
            passwords.verify_password, stored_hash, password
        )
        if user is None or user.id is None or not valid or not user.is_active:
            subject = user if user is not None else _Attempt(name[:150])

            def fail(session: Session) -> datetime | None:
                end = throttle.record_failure(session, limited, self.limits, now)
                audit.record(session, "login_failed", user=subject, remote_addr=address)
                session.commit()
                return end

            end = await run_in_session(self.session_maker, fail)
            if end is None:
                return LoginResult()
            return LoginResult(retry_after=throttle.retry_after(end, now))

        new_hash = None
        if passwords.needs_rehash(stored_hash):
            new_hash = await anyio.to_thread.run_sync(passwords.hash_password, password)
        old_token = request.session.get(TOKEN_KEY)
        user_id = user.id
        logged_in = user

        def succeed(session: Session) -> str:
            if isinstance(old_token, str):
                sessions.end(session, old_token)
            throttle.forget(session, [name_key])
            # Now and then, not on every request: logins are rare enough.
            sessions.purge_expired(session, self.lifetimes, now)
            throttle.purge_stale(session, self.limits, now)
            values: dict[str, object] = {"last_login": now}
            if new_hash is not None:
                values["password_hash"] = new_hash
            # A Core UPDATE: a rehash is the same password, so it must not
            # end the user's other sessions as a new password does.
            session.execute(
                update(AdminUser).where(col(AdminUser.id) == user_id).values(values)
            )
            token = sessions.start(session, user_id, now)
            audit.record(session, "login", user=logged_in, remote_addr=address)
            session.commit()
            return token

        token = await run_in_session(self.session_maker, succeed)
        request.session.clear()
        request.session[TOKEN_KEY] = token
        request.state.admin_user = user
        return LoginResult(user=user)

    def throttled_keys(self, request: Request, username: str) -> list[tuple[str, int]]:
        """What a wrong password counts against: ``username`` and the client's
        address, each with its limit."""
        address = throttle.address_key(self.client_address(request))
        return [
            (throttle.username_key(username), self.limits.per_username),
            (address, self.limits.per_address),
        ]

    async def locked_for(self, request: Request, username: str) -> int | None:
        """Seconds until the lock on ``username`` or the client's address ends;
        None when neither is locked."""
        now = sessions.utc_now()
        keys = [key for key, _ in self.throttled_keys(request, username)]

        def look_up(session: Session) -> datetime | None:
            return throttle.locked_until(session, keys, now)

        end = await run_in_session(self.session_maker, look_up)
        return None if end is None else throttle.retry_after(end, now)

    async def count_failure(self, request: Request, username: str) -> int | None:
        """Count a wrong password of ``username`` (a page other than the login
        asked for it) as a failed login; the seconds the lock it caused lasts,
        if it caused one."""
        now = sessions.utc_now()
        limited = self.throttled_keys(request, username)

        def fail(session: Session) -> datetime | None:
            end = throttle.record_failure(session, limited, self.limits, now)
            session.commit()
            return end

        end = await run_in_session(self.session_maker, fail)
        return None if end is None else throttle.retry_after(end, now)

    async def login(self, request: Request) -> Response | bool:
        """sqladmin's hook; admin_app's own login page (:mod:`.routes`) calls
        :meth:`attempt_login` directly to show the lock on the page."""
        form = await request.form()
        username, password = form.get("username", ""), form.get("password", "")
        result = await self.attempt_login(
            request,
            username if isinstance(username, str) else "",
            password if isinstance(password, str) else "",
        )
        if result.retry_after is not None:
            return PlainTextResponse(
                "Too many failed logins.",
                status_code=429,
                headers={"Retry-After": str(result.retry_after)},
            )
        return result.user is not None

    async def logout(self, request: Request) -> bool:
        """End the session in the database, then forget the cookie."""
        token = request.session.get(TOKEN_KEY)
        if isinstance(token, str):
            address = self.client_address(request)

            def end(session: Session) -> None:
                user = sessions.end(session, token)
                if user is not None:
                    audit.record(session, "logout", user=user, remote_addr=address)
                session.commit()

            await run_in_session(self.session_maker, end)
        request.session.clear()
        return True

    async def current_user(self, request: Request) -> AdminUser | None:
        """The logged-in user of ``request``, read with its session (one
        query); None for a missing, ended or expired session."""
        cached = getattr(request.state, "admin_user", None)
        if isinstance(cached, AdminUser):
            return cached
        token = request.session.get(TOKEN_KEY)
        if not isinstance(token, str):
            return None

        def find(session: Session) -> tuple[AdminUser | None, Any, dict[str, Any]]:
            user = sessions.find(session, token, self.lifetimes)
            if user is None:
                return None, None, {}
            # What the authorization backend needs next, in the same round trip.
            grants = self.preload(session, user)
            also = {name: read(session, user) for name, read in self.also_read.items()}
            return user, grants, also

        user, grants, also = await run_in_session(self.session_maker, find)
        if user is None:
            request.session.clear()  # drop the dead cookie
            return None
        request.state.admin_user = user
        request.state.admin_preloaded = grants
        request.state.admin_also_read = also
        # Dates and times in the user's own zone for the rest of the request.
        use_viewer_zone(user.time_zone)
        return user

    def preload(self, session: Session, user: AdminUser) -> Any:
        """Hook: read, with the user, what each request needs about them (the
        role's grants, see :func:`admin_app.security.permissions.read_grants`)."""
        role = user.role
        return read_grants(session, role) if isinstance(role, Role) else {}

    async def authenticate(self, request: Request) -> Response | bool:
        """True for a logged-in user; otherwise the way to the login page,
        with ``next`` set to the page asked for (sqladmin's own redirect has
        no ``next``; it returns any Response it is given)."""
        if await self.current_user(request) is not None:
            return True
        login = request.url_for("admin:login")
        if request.method in ("GET", "HEAD"):
            target = redirects.request_target(request)
            base = redirects.admin_base_path(request)
            wanted = redirects.safe_next(target, base)
            if wanted is not None and wanted.rstrip("/") != base.rstrip("/"):
                login = login.include_query_params(next=wanted)
        return RedirectResponse(login, status_code=302)

    async def get_user_id(self, request: Request) -> int | None:
        """The user :meth:`authenticate` read (sqladmin's default would read
        ``user_id`` from the cookie, which holds none)."""
        user = getattr(request.state, "admin_user", None)
        return user.id if isinstance(user, AdminUser) else None

    def keep_signed_in(self, request: Request, session: Session, user_id: int) -> None:
        """Give ``request``'s user a new session in ``session``'s transaction:
        for a user who changed their own password, which ends all their
        sessions (see :mod:`admin_app.auth.models`). Flushes first, so the
        ending comes before the new one."""
        session.flush()
        token = request.session.get(TOKEN_KEY)
        if isinstance(token, str):
            sessions.end(session, token)
        request.session[TOKEN_KEY] = sessions.start(session, user_id)
