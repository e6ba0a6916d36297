"""The login backend: sqladmin's AuthenticationBackend over :class:`AdminUser`
rows, with Starlette's signed-cookie session."""

from datetime import UTC, datetime

import anyio.to_thread
from sqladmin.authentication import AuthenticationBackend
from sqlalchemy.orm import Session
from starlette.requests import Request

from admin_app.auth.models import AdminUser
from admin_app.auth.passwords import (
    DUMMY_HASH,
    hash_password,
    needs_rehash,
    verify_password,
)
from admin_app.auth.users import find_user
from admin_app.db import AnySessionMaker, run_in_session

SESSION_COOKIE = "admin_app_session"
USER_KEY = "user_id"


class AdminAuthBackend(AuthenticationBackend):
    """Logs :class:`AdminUser` rows in and out; every request re-reads the user,
    so a deactivated account is out on its next click."""

    def __init__(
        self,
        secret_key: str,
        session_maker: AnySessionMaker,
        *,
        cookie_path: str,
        max_age: int,
        https_only: bool,
    ) -> None:
        super().__init__(
            secret_key,
            session_cookie=SESSION_COOKIE,
            max_age=max_age,
            path=cookie_path,
            same_site="lax",
            https_only=https_only,
        )
        self.session_maker = session_maker

    async def login(self, request: Request) -> bool:
        form = await request.form()
        username = str(form.get("username", "")).strip()
        password = str(form.get("password", ""))
        user = await run_in_session(
            self.session_maker, lambda s: find_user(s, username) if username else None
        )
        stored_hash = user.password_hash if user is not None else DUMMY_HASH
        valid = await anyio.to_thread.run_sync(verify_password, stored_hash, password)
        if user is None or not valid or not user.is_active:
            return False
        user_id = user.id
        rehash = needs_rehash(stored_hash)
        new_hash = (
            await anyio.to_thread.run_sync(hash_password, password) if rehash else None
        )
        await run_in_session(
            self.session_maker, lambda s: _record_login(s, user_id, new_hash)
        )
        request.session.clear()
        request.session[USER_KEY] = user_id
        return True

    async def logout(self, request: Request) -> bool:
        request.session.clear()
        return True

    async def authenticate(self, request: Request) -> bool:
        user_id = request.session.get(USER_KEY)
        if not isinstance(user_id, int):
            return False
        user = await run_in_session(
            self.session_maker, lambda s: s.get(AdminUser, user_id)
        )
        if user is None or not user.is_active:
            request.session.clear()
            return False
        request.state.admin_user = user
        return True


def _record_login(session: Session, user_id: int | None, new_hash: str | None) -> None:
    user = session.get(AdminUser, user_id)
    if user is None:
        return
    user.last_login = datetime.now(UTC)
    if new_hash is not None:
        user.password_hash = new_hash
    session.commit()
