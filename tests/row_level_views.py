"""A models module for the list-row tests: sample_models' tables, and a club
view whose edit permission depends on the row."""

from typing import Any

from starlette.requests import Request

from admin_app.views.inferred import AutoModelView
from tests.sample_models import Club, ClubTagLink, Member, Membership, Tag

__all__ = ["Club", "ClubTagLink", "EvenClubsOnly", "Member", "Membership", "Tag"]


class EvenClubsOnly(AutoModelView, model=Club):
    """Only clubs with an even id may be edited."""

    async def check_can_edit(self, request: Request, model: Any) -> bool:
        return bool(model.id % 2 == 0)
