"""A models module for the CSRF tests: sample_models' tables, and a club view
with custom actions (sqladmin's ``@action``) that change rows, and import."""

from typing import Any, ClassVar

from sqladmin import action
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from admin_app.db import run_in_session
from admin_app.views.inferred import AutoModelView
from tests.sample_models import Club, ClubTagLink, Member, Membership, Tag

__all__ = ["Club", "ClubAdmin", "ClubTagLink", "Member", "Membership", "Tag"]


class ClubAdmin(AutoModelView, model=Club):
    can_import: ClassVar[bool] = True

    @action(name="shout", label="Shout", confirmation_message="Shout their names?")
    async def shout(self, request: Request) -> Response:
        return await self._rename(request, str.upper)

    @action(name="whisper", label="Whisper")
    async def whisper(self, request: Request) -> Response:
        return await self._rename(request, str.lower)

    async def _rename(self, request: Request, how: Any) -> Response:
        pks = [int(pk) for pk in request.query_params.get("pks", "").split(",") if pk]

        def rename(session: Session) -> None:
            for club in session.scalars(select(Club).where(Club.id.in_(pks))):  # type: ignore[union-attr]
                club.name = how(club.name)
            session.commit()

        await run_in_session(self.session_maker, rename)  # type: ignore[arg-type]
        url = request.url_for("admin:list", identity=self.identity)
        return RedirectResponse(url, status_code=302)
