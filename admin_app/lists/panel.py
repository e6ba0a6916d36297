"""What the filter panel and the chips show, read in one session: the foreign
keys' choices and picked labels, and the choice filters' counts. A fixed
number of statements per list (two per foreign-key filter, one per choice
filter), whatever its size."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from sqladmin import ModelView
from sqlalchemy.orm import Session
from starlette.datastructures import URL
from starlette.requests import Request

from admin_app.db import run_in_session
from admin_app.lists.chips import ChipLink, chip_links, clear_all, without
from admin_app.lists.counting import RowCount, cap_of
from admin_app.lists.facets import Facets, facet_counts
from admin_app.lists.filters import OP
from admin_app.lists.related import Choices, RelatedFilter, read_choices
from admin_app.security.permissions import may_view_model

if TYPE_CHECKING:
    from admin_app.lists.listing import ListQuery


@dataclass
class FilterPanel:
    """The filter panel's state, for templates/admin_app/lists/filters.html."""

    facets: Facets = field(default_factory=dict)
    choices: dict[str, Choices] = field(default_factory=dict)
    chips: list[ChipLink] = field(default_factory=list)
    clear_all: str = ""

    def counts(self, name: str) -> dict[str, str]:
        return self.facets.get(name, {})

    def choices_of(self, name: str) -> Choices:
        return self.choices.get(name) or Choices()

    @staticmethod
    def adding(request: Request, name: str, value: str) -> str:
        """The list with ``value`` picked too for the filter ``name``."""
        url = without(request.url, request.query_params, ((name + OP, None),))
        return _add(url, name, value)

    @staticmethod
    def removing(request: Request, name: str, value: str) -> str:
        """The list without ``value`` among the picks of the filter ``name``."""
        return without(
            request.url, request.query_params, ((name, value), (name + OP, None))
        )

    @property
    def active(self) -> int:
        return len(self.chips)


async def filter_panel(
    view: ModelView, request: Request, query: "ListQuery", count: RowCount
) -> FilterPanel:
    filters = list(view.get_filters())
    if not filters and not request.query_params.get("search"):
        return FilterPanel()
    dropped = {problem.parameter_name for problem in query.problems}
    admin = getattr(view, "_admin_ref", None)
    related = [
        found
        for found in filters
        if isinstance(found, RelatedFilter)
        and may_view_model(admin, request, found.target)
    ]

    def read(session: Session) -> FilterPanel:
        panel = FilterPanel()
        for found in related:
            picked = found.values(request.query_params)
            panel.choices[found.parameter_name] = read_choices(
                session, view, request, found, picked
            )
        panel.facets = facet_counts(
            session,
            view,
            query.stmt,
            narrowed=query.narrowed,
            count=count,
            cap=cap_of(view),
            filters=filters,
            choices=panel.choices,
            params=request.query_params,
        )
        return panel

    panel = await run_in_session(view.session_maker, read)
    labels: dict[str, Any] = {
        name: choices.labels for name, choices in panel.choices.items()
    }
    panel.chips = chip_links(view, request, labels, dropped)
    panel.clear_all = clear_all(view, request)
    return panel


def _add(url: str, name: str, value: str) -> str:
    found = URL(url)
    query = f"{found.query}&" if found.query else ""
    return str(found.replace(query=query + urlencode([(name, value)])))
