"""Foreign-key filters: the related rows picked by their labels, several at
once (``?requester_id=3&requester_id=7``), a key typed by hand still read.

The panel offers a target of at most :data:`FEW_ROWS` rows whole, as links
with counts (:mod:`admin_app.lists.facets`); a bigger one through a picker
that searches as a form's does (:mod:`admin_app.forms.pickers`, served here at
``/{identity}/filter-lookup``: to whoever may list the view and view the
target), a plain ``<select multiple>`` and a key box without JavaScript."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MethodType
from typing import TYPE_CHECKING, Any

from sqladmin.authentication import login_required
from sqladmin.filters import ForeignKeyFilter
from sqladmin.i18n import lazy_gettext as _
from sqlalchemy import Integer, Select, Uuid, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import SQLModel
from starlette import status
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from admin_app.forms.pickers import (
    LabelledAjaxLoader,
    parse_page,
    picker_query,
    target_options,
)
from admin_app.inspection import mapper_of
from admin_app.labels import label_attribute, row_label
from admin_app.lists.filters import (
    OP,
    Chip,
    FilterValueError,
    ParamFilter,
    whole_number,
)
from admin_app.lists.matching import base_type
from admin_app.lists.searching import search_term
from admin_app.security.permissions import may_view_model

if TYPE_CHECKING:
    from admin_app.site import AdminSite

# Picks one filter reads; more is no page's doing.
MAX_PICKS = 50
# A target of at most this many rows is offered whole (and counted).
FEW_ROWS = 20
LOOKUP_ROUTE = "filter_lookup"


class RelatedFilter(ParamFilter, ForeignKeyFilter):
    """Rows whose foreign key is one of the picked keys. (A sqladmin
    ``ForeignKeyFilter`` too: code that links to a list filtered by a key,
    ``?name=key``, finds it as one.)"""

    template = "sqladmin/filters/related_filter.html"
    operations = frozenset({"equals"})  # links made before: ``_op=equals``

    def __init__(
        self, column: Any, target: type[SQLModel], title: str | None = None
    ) -> None:
        ParamFilter.__init__(self, column, title)
        self.target = target
        # ForeignKeyFilter's attributes, for code that reads them.
        self.foreign_key = column
        self.foreign_model = target
        self.foreign_display_field = label_attribute(target) or self.parameter_name
        self._loaders: dict[int, LabelledAjaxLoader] = {}

    def parameters(self) -> frozenset[str]:
        return frozenset({self.parameter_name, self.parameter_name + OP})

    def repeatable(self) -> frozenset[str]:
        return frozenset({self.parameter_name})

    def values(self, params: QueryParams) -> list[str]:
        """The picked keys, as given, once each."""
        found = (value.strip() for value in params.getlist(self.parameter_name))
        return list(dict.fromkeys(value for value in found if value))

    def clauses(self, view: Any, params: QueryParams) -> list[ColumnElement[bool]]:
        values = self.values(params)
        if not values:
            return []
        if len(values) > MAX_PICKS:
            raise FilterValueError(values[MAX_PICKS])
        column = self.column_of(view)
        return [column.in_([key_value(column, value) for value in values])]

    def chips(
        self, view: Any, params: QueryParams, labels: Mapping[str, str] | None = None
    ) -> list[Chip]:
        labels = labels or {}
        return [
            Chip(
                f"{self.title}: {labels.get(value, value)}",
                ((self.parameter_name, value), (self.parameter_name + OP, None)),
            )
            for value in self.values(params)
        ]

    def loader(self, view: Any) -> LabelledAjaxLoader:
        """The picker's search, as a form's picker of the target searches."""
        found = self._loaders.get(id(view))
        if found is None:
            options = target_options(self.target)
            found = LabelledAjaxLoader(
                self.parameter_name, self.target, view, **options
            )
            self._loaders[id(view)] = found
        return found


def key_value(column: Any, text: str) -> Any:
    """``text`` as a value of the foreign key ``column``; FilterValueError
    when it cannot be one (a name typed into the key box)."""
    kind = base_type(column.type)
    if isinstance(kind, Integer):
        return whole_number(kind, text)
    if isinstance(kind, Uuid):
        try:
            return uuid.UUID(text)
        except ValueError:
            raise FilterValueError(text) from None
    return text


@dataclass
class Choices:
    """What the panel shows of a foreign-key filter's target."""

    # Every row of a small target, as (key, label); empty for a big one.
    options: list[tuple[str, str]] = field(default_factory=list)
    # The picked keys' labels.
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def few(self) -> bool:
        return bool(self.options)


def read_choices(
    session: Session,
    view: Any,
    request: Request,
    found: RelatedFilter,
    picked: list[str],
) -> Choices:
    """At most two statements: the target's first rows (all of them when
    few), then the labels of picked rows not among them."""
    target = found.target
    keys = mapper_of(target).primary_key
    if len(keys) != 1:
        return Choices()
    key = keys[0]
    label = label_attribute(target)
    order = [getattr(target, label)] if label else []
    stmt: Select[Any] = select(target).order_by(*order, key).limit(FEW_ROWS + 1)
    stmt = picker_query(view, request, target, stmt)
    rows = list(session.scalars(stmt).all())
    choices = Choices()
    if len(rows) <= FEW_ROWS:
        choices.options = [(_key_text(row, key), row_label(row)) for row in rows]
        known = dict(choices.options)
        choices.labels = {value: known[value] for value in picked if value in known}
        return choices
    wanted = []
    for value in picked[:MAX_PICKS]:
        try:
            wanted.append(key_value(key, value))
        except FilterValueError:
            continue
    if wanted:
        stmt = picker_query(
            view, request, target, select(target).where(key.in_(wanted))
        )
        for row in session.scalars(stmt).all():
            choices.labels[_key_text(row, key)] = row_label(row)
    return choices


def _key_text(row: Any, key: Any) -> str:
    prop = mapper_of(type(row)).get_property_by_column(key)
    return str(getattr(row, prop.key))


@login_required
async def filter_lookup(site: "AdminSite", request: Request) -> Response:
    """One page of a foreign-key filter's matches, in select2's format:
    ``{"results": [{"id", "text"}], "pagination": {"more": bool}}``."""
    view = site._find_model_view(request.path_params["identity"])
    if not await site._list(request):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    name = request.query_params.get("name")
    term = search_term(request.query_params.get("term", ""))
    found = next(
        (
            candidate
            for candidate in view.get_filters()
            if isinstance(candidate, RelatedFilter) and candidate.parameter_name == name
        ),
        None,
    )
    if found is None or not term:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(_("No such filter.")))
    if not may_view_model(site, request, found.target):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    loader = found.loader(view)
    page = parse_page(request.query_params.get("page"))
    rows, more = await loader.get_page(request, term, page)
    return JSONResponse(
        {
            "results": [loader.format(row) for row in rows],
            "pagination": {"more": more},
        }
    )


def install(site: "AdminSite") -> None:
    """The foreign-key filters' lookup route, beside the forms' pickers'."""
    site.admin.router.routes.insert(
        0,
        Route(
            "/{identity}/filter-lookup",
            endpoint=MethodType(filter_lookup, site),
            name=LOOKUP_ROUTE,
        ),
    )
