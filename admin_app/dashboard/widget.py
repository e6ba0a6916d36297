"""What every widget is: a title, a slug (its URL), who may see it, how long its
figures keep, and how it reads them.

A widget reads plain data (numbers, labels, keys), never HTML: the data is what
:mod:`admin_app.dashboard.cache` keeps, shared by every user with the same
rights, and each request draws it in its own language, zone and links.
"""

import re
import unicodedata
from collections.abc import Hashable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session
from starlette.requests import Request

from admin_app.db import run_in_session
from admin_app.references import Linker, Reference
from admin_app.security.permissions import current, may_view_model

if TYPE_CHECKING:
    from admin_app.site import AdminSite


@dataclass(frozen=True)
class Viewer:
    """The request as a widget sees it: who asks, and what they may see."""

    request: Request
    site: "AdminSite"
    link: Linker

    @property
    def is_admin(self) -> bool:
        permissions = current(self.request)
        return permissions is not None and permissions.is_admin

    def may_view(self, model: type[Any]) -> bool:
        return may_view_model(self.site, self.request, model)

    @property
    def rights_key(self) -> Hashable:
        """Equal for users whose rights are equal: a cached widget's key."""
        permissions = current(self.request)
        if permissions is None:
            return None
        granted = tuple(sorted(permissions.granted.items()))
        return (str(permissions.role), granted)

    def url(self, reference: Reference) -> str:
        """A cached reference's detail page, for this user ("" for none)."""
        if reference.label is None or not reference.key:
            return ""
        return self.link(reference.model, reference.key)


class Widget:
    """A box of the dashboard. Subclasses set :attr:`kind` (its template,
    ``admin_app/dashboard/kinds/<kind>.html``) and :meth:`read`."""

    title: str
    slug: str
    kind: str = ""
    # Seconds its data is kept; None: ADMIN_DASHBOARD_CACHE_SECONDS.
    cache_seconds: int | None = None
    # Seconds its figures are kept ahead in the database (read in the
    # background, admin_app.dashboard.snapshots); None: read on request.
    refresh_seconds: int | None = None
    # Bootstrap column classes of its frame.
    width: str = "col-12 col-lg-6"

    def allowed(self, viewer: Viewer) -> bool:
        return True

    def per_user(self) -> bool:
        """Whether its data differs between users with the same rights."""
        return False

    async def load(self, viewer: Viewer) -> Any:
        """The widget's data: by default :meth:`read` in a session of its own."""
        work = partial(self.read, viewer=viewer)
        return await run_in_session(viewer.site.session_maker, work)

    def read(self, session: Session, viewer: Viewer) -> Any:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.slug!r}>"


def slug_of(title: str) -> str:
    """``"Open orders"`` → ``"open-orders"``: a widget's URL by default."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.decode().lower()).strip("-")
    return slug or "widget"


Where = Any  # a SQL condition, or a function returning one (read each time)


def resolved(where: Where) -> Any:
    """A declared ``where``: a function is called now (``last 30 days`` moves)."""
    return where() if callable(where) else where
