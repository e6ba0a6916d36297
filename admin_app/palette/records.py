"""Records found across every model the user may view, for the palette.

* **Only what an index serves.** A model is searched when the term can be
  matched through one of its indexes: a prefix of an indexed (or unique)
  string column, its row label's column among them (:func:`prefix_match`),
  an e-mail address equal to an indexed e-mail column, or its single key.
  Never ``'%term%'``: a model with none of these is not searched. Prefixes
  are tried only on models that name their rows (a label column or an
  e-mail column): sessions, counters and the trail are found by key alone.
* **Bounded.** One statement per searched model, its exact and its prefix
  matches each capped at :data:`PER_MODEL` rows (one over, to know of more)
  and never sorted by the database, all run in one session
  (one worker-thread hop); at most :data:`MAX_RESULTS` results in all. A term
  shorter than :data:`MIN_TERM_LENGTH` matches keys only.
* **Permission-filtered.** Only views the user may list and open rows of, each
  narrowed by the view's ``list_query`` and ``picker_query`` hooks as its list
  and pickers are, so a user never finds a row they could not open.
* **Ranked** in Python over the capped rows: an exact key or e-mail first,
  then exact labels (ignoring case), then prefixes; groups by model, in the
  order of their best result.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqladmin import ModelView
from sqladmin.authorization import Action
from sqladmin.i18n import gettext
from sqlalchemy import Select, or_, select, union_all
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement
from starlette.requests import Request

from admin_app.audit.entries import AuditEntry
from admin_app.db import run_in_session
from admin_app.forms.pickers import picker_query
from admin_app.inspection import columns_of
from admin_app.keys import format_key
from admin_app.labels import label_attribute, row_detail, row_label
from admin_app.lists.matching import (
    email_columns,
    email_match,
    is_email_name,
    is_email_term,
    key_matches,
    prefix_match,
)

PER_MODEL = 5
MAX_RESULTS = 20
MIN_TERM_LENGTH = 2
# The list search's limit: a longer term names no label.
MAX_TERM_LENGTH = 200

EXACT_KEY = 0
EXACT_LABEL = 1
PREFIX = 2


class TermError(ValueError):
    """A term the search refuses (too long, or holding a NUL)."""


def clean_term(raw: str | None) -> str:
    """``raw`` stripped; TermError when too long or holding a NUL."""
    term = (raw or "").strip()
    if len(term) > MAX_TERM_LENGTH:
        raise TermError(gettext("The search term is too long."))
    if "\x00" in term:
        raise TermError(gettext("The search term cannot hold a NUL character."))
    return term


@dataclass(frozen=True)
class Found:
    """One row found: how it reads, where it opens, how well it matched."""

    label: str
    detail: str
    url: str
    rank: int


@dataclass
class Group:
    """The rows found of one model, best first."""

    identity: str
    name: str
    list_url: str
    results: list[Found] = field(default_factory=list)
    more: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "identity": self.identity,
            "name": self.name,
            "list_url": self.list_url,
            "more": self.more,
            "results": [vars(found) for found in self.results],
        }


def searchable_views(views: Iterable[Any], request: Request) -> list[ModelView]:
    """The model views whose rows the user may list and open, one per model
    (the audit trail's entries are read in the trail, not found by name)."""
    chosen: dict[type[Any], ModelView] = {}
    for view in views:
        if not isinstance(view, ModelView) or view.model in chosen:
            continue
        if view.model is AuditEntry:
            continue
        if (
            view.can_view_details
            and view.is_accessible(request)
            and view.has_permission(request, Action.LIST)
            and view.has_permission(request, Action.DETAILS)
        ):
            chosen[view.model] = view
    return list(chosen.values())


def spellings(term: str) -> list[str]:
    """The spellings an exact label may have, as prefixes are matched."""
    forms = [term, term.lower(), term.capitalize(), term.title(), term.upper()]
    return list(dict.fromkeys(forms))


@dataclass(frozen=True)
class Plan:
    """How one model is searched for one term."""

    view: ModelView
    # Exact shortcuts: e-mail and key equality.
    exact: list[ColumnElement[bool]]
    # Prefixes of indexed string columns.
    prefixes: list[ColumnElement[bool]]
    # The label's column, when it is among the indexed ones.
    label_column: Any

    def statement(self, request: Request, term: str) -> Select[Any]:
        """The exact matches and the prefix matches, each part capped, as one
        statement (``UNION ALL``). Neither part is sorted: a sort would read
        every row a short prefix matches (thousands of "Dora…"); unsorted, a
        part stops at its cap. The rows are ranked in Python."""
        view, model = self.view, self.view.model
        base: Select[Any] = view.list_query(request)
        base = picker_query(view, request, model, base)
        firsts = list(self.exact)
        if self.label_column is not None and self.prefixes:
            firsts.append(self.label_column.in_(spellings(term)))
        parts = [
            base.where(or_(*clauses)).limit(PER_MODEL + 1)
            for clauses in (firsts, self.prefixes)
            if clauses
        ]
        if len(parts) == 1:
            return parts[0]
        # Each part in a subquery of its own: SQLite takes no LIMIT in a
        # compound's member.
        both = union_all(*(select(part.subquery()) for part in parts)).subquery()
        return select(aliased(model, both))


def plan_search(view: ModelView, term: str) -> Plan | None:
    """How ``view``'s model is searched for ``term``; None when no index
    can serve it."""
    model = view.model
    indexed = [
        fact
        for fact in columns_of(model)
        if fact.is_string and fact.is_indexed and not fact.sensitive
    ]
    names = {fact.name for fact in indexed}
    exact: list[ColumnElement[bool]] = []
    if is_email_term(term):
        exact += [
            email_match(column, term)
            for column in email_columns(model)
            if column.key in names
        ]
    exact += key_matches(model, term)
    label = label_attribute(model)
    # Rows are found by name where the model names them (a label column, an
    # e-mail); others (sessions, counters, the trail) by key only. A letter
    # starts too many labels to be worth a statement.
    names_rows = label is not None or any(is_email_name(name) for name in names)
    prefixes = (
        [prefix_match(fact.column, term) for fact in indexed]
        if names_rows and len(term) >= MIN_TERM_LENGTH
        else []
    )
    if not exact and not prefixes:
        return None
    label_column = next((f.column for f in indexed if f.name == label), None)
    return Plan(view, exact, prefixes, label_column)


def rank_of(row: Any, term: str) -> int:
    """How ``row`` matches ``term``: its key or an e-mail exactly, its label
    exactly (ignoring case), or by a prefix."""
    folded, model = term.casefold(), row.__class__
    if format_key(row) == term:
        return EXACT_KEY
    for column in email_columns(model):
        value = getattr(row, column.key, None)
        if isinstance(value, str) and value.casefold() == folded:
            return EXACT_KEY
    label = label_attribute(model)
    value = getattr(row, label, None) if label else None
    if row_label(row).casefold() == folded or (
        isinstance(value, str) and value.casefold() == folded
    ):
        return EXACT_LABEL
    return PREFIX


Linker = Callable[[ModelView, Any], str]


def read_rows(
    session: Session,
    plans: Sequence[Plan],
    request: Request,
    term: str,
    link: Linker,
) -> list[tuple[ModelView, list[Found], bool]]:
    """One statement per plan, in ``session``: each model's found rows (at
    most :data:`PER_MODEL`) and whether it has more."""
    found = []
    for plan in plans:
        # A row in both parts is one object (the session's identity map).
        scalars = session.scalars(plan.statement(request, term))
        rows = list({id(row): row for row in scalars}.values())
        results = []
        for row in rows:
            label, detail = row_label(row), row_detail(row)
            # The second line tells the row apart; the label again does not.
            detail = "" if detail in label else detail
            results.append(
                Found(label, detail, link(plan.view, row), rank_of(row, term))
            )
        results.sort(key=lambda found: (found.rank, found.label.casefold()))
        found.append((plan.view, results[:PER_MODEL], len(results) > PER_MODEL))
    return found


def grouped(
    found: Sequence[tuple[ModelView, list[Found], bool]],
    request: Request,
    term: str,
) -> list[Group]:
    """The :data:`MAX_RESULTS` best results, by model, groups in the order of
    their best result (then the admin's order of models)."""
    flat = sorted(
        (
            (result.rank, position, index, result)
            for position, (_, results, _) in enumerate(found)
            for index, result in enumerate(results)
        ),
        key=lambda item: item[:3],
    )[:MAX_RESULTS]
    groups: dict[int, Group] = {}
    for _, position, _, result in flat:
        group = groups.get(position)
        if group is None:
            view, _, more = found[position]
            url = request.url_for("admin:list", identity=view.identity)
            group = Group(
                view.identity,
                str(view.name_plural),
                str(url.include_query_params(search=term)),
                more=more,
            )
            groups[position] = group
        group.results.append(result)
    for position, group in groups.items():
        group.more = group.more or len(group.results) < len(found[position][1])
    return list(groups.values())


def details_link(request: Request) -> Linker:
    """A row's details page URL, through its view."""

    def link(view: ModelView, row: Any) -> str:
        key = format_key(row)
        return str(request.url_for("admin:details", identity=view.identity, pk=key))

    return link


async def search_records(site: Any, request: Request, term: str) -> list[Group]:
    """The rows matching ``term`` the user may open, ranked and grouped: one
    statement per searchable model, all in one session."""
    if not term:
        return []
    plans = [
        plan
        for view in searchable_views(site.views, request)
        if (plan := plan_search(view, term)) is not None
    ]
    if not plans:
        return []
    work = partial(
        read_rows, plans=plans, request=request, term=term, link=details_link(request)
    )
    found = await run_in_session(site.session_maker, work)
    return grouped(found, request, term)
