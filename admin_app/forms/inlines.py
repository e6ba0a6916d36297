"""Inlines: a parent's one-to-many children edited as a table inside the
parent's create and edit forms (Django's ``TabularInline``).

An inline is inferred for each one-to-many relation whose child foreign key
is NOT NULL (an order's items: they cannot exist without it), or declared on
the view (``inlines = [Inline("items", columns=[...])]``; ``inlines = []``
for none). Each child row is a form of the child's own view, planned and
validated as that view's forms are (its ``<Child>Create``/``<Child>Update``
included), without the foreign key to the parent, which the parent sets.

Posted names are ``<relation>-<n>-<field>``, with per row a hidden key and a
keyed digest of its snapshot (existing rows) and a delete checkbox, and per inline a
hidden total. Without scripts the page shows the existing rows and
:attr:`Inline.extra` blank ones; ``statics/js/inlines.js`` adds more. A
parent with more than :attr:`Inline.max_rows` children shows the first ones
and a link to the child list filtered to the parent, never all of them.
Validating and writing the rows: :mod:`admin_app.forms.inline_rows`.
"""

import inspect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape
from sqladmin.authorization import Action
from sqladmin.i18n import gettext
from sqlalchemy import Select, func, select
from sqlalchemy.orm import RelationshipDirection, RelationshipProperty, selectinload
from sqlmodel import SQLModel
from starlette.requests import Request
from wtforms import BooleanField, Field, Form
from wtforms.fields import SelectFieldBase

from admin_app.db import run_in_session
from admin_app.forms.concurrency import Snapshots
from admin_app.forms.pickers import find_loader
from admin_app.forms.planning import FormPlan, Mode, form_class, plans_forms
from admin_app.forms.widgets import tell_apart_in
from admin_app.inspection import mapper_of, relations_of
from admin_app.keys import format_key

if TYPE_CHECKING:
    from admin_app.views.inferred import AutoModelView

MAX_ROWS = 50
EXTRA = 3
# Rows one POST may carry per inline, existing and new together.
MAX_POSTED = 1000
# A stored row's hidden input holds its snapshot's digest then its key.
ROW, DELETE, TOTAL = "_row", "_delete", "_total"
DIGEST_LENGTH = 16
TEMPLATE_PREFIX = "__prefix__"


@dataclass(frozen=True)
class Inline:
    """One inline: the parent's one-to-many ``relation`` and how it shows.

    ``columns``: the child's form fields shown (default: the child view's form
    without the parent); ``ordering``: child attributes, ``-name`` for
    descending (default: the child's key); ``max_rows``: children shown and
    edited in the form; ``extra``: blank rows for new children.
    """

    relation: str
    columns: tuple[str, ...] | None = None
    ordering: tuple[str, ...] = ()
    max_rows: int = MAX_ROWS
    extra: int = EXTRA

    def __post_init__(self) -> None:
        # Lists welcome in declarations; tuples keep the inline hashable.
        if self.columns is not None:
            object.__setattr__(self, "columns", tuple(self.columns))
        object.__setattr__(self, "ordering", tuple(self.ordering))


def parent_columns(relation: RelationshipProperty[Any]) -> list[tuple[str, str]]:
    """(parent attribute, child attribute) pairs of a one-to-many relation."""
    parent, child = mapper_of(relation.parent.class_), relation.mapper
    return [
        (
            parent.get_property_by_column(local).key,
            child.get_property_by_column(remote).key,
        )
        for local, remote in relation.local_remote_pairs or []
    ]


def is_inline_relation(relation: RelationshipProperty[Any]) -> bool:
    """A one-to-many relation whose children cannot exist without the parent:
    their foreign key to it is NOT NULL."""
    if relation.direction is not RelationshipDirection.ONETOMANY:
        return False
    if relation.secondary is not None or relation.viewonly:
        return False
    pairs = relation.local_remote_pairs or []
    return bool(pairs) and not any(remote.nullable for _, remote in pairs)


def infer_inlines(model: type[SQLModel]) -> list[Inline]:
    """An inline for each one-to-many relation with a NOT NULL foreign key."""
    return [Inline(r.key) for r in relations_of(model) if is_inline_relation(r)]


def declared_inlines(view: Any) -> list[Inline]:
    """The view's ``inlines``: :class:`Inline`\\ s or relation names."""
    found = getattr(view, "inlines", None) or []
    return [item if isinstance(item, Inline) else Inline(str(item)) for item in found]


def child_view(view: Any, model: type[SQLModel]) -> "AutoModelView | None":
    """The admin's inferred view of ``model`` (its forms plan the rows)."""
    site = getattr(view, "_admin_ref", None)
    for candidate in getattr(site, "views", ()):
        if getattr(candidate, "model", None) is model and plans_forms(candidate):
            return candidate
    return None


@dataclass
class InlineRow:
    """One row of an inline: a child's form, and what says which child it is."""

    form: Form
    prefix: str
    key: str | None = None
    snapshot: str = ""
    delete: bool = False
    errors: list[str] = field(default_factory=list)


@dataclass
class InlineSet:
    """What an inline shows and, once posted, what it writes."""

    inline: Inline
    relation: RelationshipProperty[Any]
    view: "AutoModelView"
    plans: dict[Mode, FormPlan]
    forms: dict[Mode, type[Form]]
    rows: list[InlineRow] = field(default_factory=list)
    # The rows beyond max_rows are not in the form: their list, filtered.
    more_url: str | None = None
    can_delete: bool = False

    @property
    def name(self) -> str:
        return self.inline.relation

    @property
    def title(self) -> str:
        return str(self.view.name_plural)

    @property
    def total_name(self) -> str:
        return f"{self.name}-{TOTAL}"

    def prefix(self, index: int | str) -> str:
        return f"{self.name}-{index}-"

    def blank(self) -> Form:
        """The row scripts copy to add one: ``__prefix__`` is its number."""
        blank: Form | None = self.__dict__.get("_blank")
        if blank is None:
            blank = self.__dict__["_blank"] = self.forms["create"](
                prefix=self.prefix(TEMPLATE_PREFIX)
            )
        return blank

    def headers(self) -> list[str]:
        return [str(f.label.text) for f in self.blank()]

    async def cells(self, form: Form) -> Markup:
        """A row's inputs, a cell each (the blank row scripts copy)."""
        return await cells(form)

    async def rows_html(self) -> Markup:
        """Every row, ``<tr>`` by ``<tr>``: rendered here rather than by a
        template loop, as a parent may show 50 of them (a loop's turn in an
        async template costs as much as the row's inputs)."""
        delete = escape(gettext("Delete"))
        parts: list[str] = []
        for row in self.rows:
            if row.errors:
                span = len(list(row.form)) + 1
                messages = "<br>".join(str(escape(m)) for m in row.errors)
                parts.append(
                    f'<tr data-role="inline-row-errors"><td colspan="{span}"'
                    f' class="text-danger" role="alert">{messages}</td></tr>'
                )
            parts.append(f"<tr>{await cells(row.form, marked=False)}<td>")
            if row.key:
                prefix = escape(row.prefix)
                parts.append(
                    f'<input type="hidden" name="{prefix}{ROW}"'
                    f' value="{escape(row.snapshot)}{escape(row.key)}">'
                )
                if self.can_delete:
                    checked = " checked" if row.delete else ""
                    parts.append(
                        f'<input type="checkbox" name="{prefix}{DELETE}" value="y"'
                        f' aria-label="{delete}"{checked}>'
                    )
            parts.append("</td></tr>")
        return Markup("".join(parts))  # noqa: S704  (every value escaped)

    @property
    def lookup_url(self) -> str:
        """Where the row pickers search: the child view's lookup."""
        return str(self.view.ajax_lookup_url)


async def cells(form: Form, marked: bool = True) -> Markup:
    """Each field's input (labelled for screen readers by its column, never
    ``required``: a blank row stays blank) and its errors, in a ``<td>``.
    Unless ``marked`` (the template row), pickers go without their
    ``data-role``: pickers.js finds them by the template's columns, and fifty
    rows need not say it fifty times."""
    parts: list[str] = []
    for f in form:
        # Styled by the table (admin_app.css): no class, no id; a picker asks
        # the lookup on the table for its field's name (pickers.js).
        attrs: dict[str, Any] = {**(f.render_kw or {}), "required": False}
        attrs.update({"aria-label": str(f.label.text), "class": False, "id": False})
        if hasattr(f, "loader"):
            attrs["data-url"] = False
            if not marked:
                attrs["data-role"] = False
        if f.errors:
            attrs["class"] = "is-invalid"
        html = f.widget(f, **attrs)
        if inspect.isawaitable(html):
            html = await html
        errors = "".join(
            f'<div class="invalid-feedback">{escape(e)}</div>' for e in f.errors
        )
        parts.append(f"<td>{html}{errors}</td>")
    return Markup("".join(parts))  # noqa: S704  (widgets' markup, messages escaped)


def inline_plan(plan: FormPlan, inline: Inline, fixed: set[str]) -> FormPlan:
    """The child's plan without the fields the parent sets (``fixed``
    columns), keeping what a table row can hold: columns and pickers."""
    fields = [
        f
        for f in plan.fields
        if f.kind in ("column", "to_one") and not set(f.columns or (f.key,)) & fixed
    ]
    if inline.columns is not None:
        by_name = {f.name: f for f in fields}
        fields = [by_name[name] for name in inline.columns if name in by_name]
    return replace(plan, fields=tuple(fields))


async def inline_sets(view: "AutoModelView", request: Request) -> list[InlineSet]:
    """The inlines ``view``'s forms show to this user, without rows yet."""
    sets: list[InlineSet] = []
    relations = {r.key: r for r in relations_of(view.model)}
    for inline in declared_inlines(view):
        relation = relations.get(inline.relation)
        if (
            relation is None
            or relation.direction is not RelationshipDirection.ONETOMANY
        ):
            continue
        child = child_view(view, relation.mapper.class_)
        if child is None or not await _may_edit(child, request):
            continue
        fixed = {c for _, c in parent_columns(relation)}
        plans = _aligned(
            inline_plan(child.form_plan("create"), inline, fixed),
            inline_plan(child.form_plan("edit"), inline, fixed),
        )
        forms = {
            mode: await _form_class(view, child, plan) for mode, plan in plans.items()
        }
        can_delete = bool(
            child.can_delete and child.has_permission(request, Action.DELETE)
        )
        sets.append(
            InlineSet(inline, relation, child, plans, forms, can_delete=can_delete)
        )
    return sets


def _aligned(create: FormPlan, edit: FormPlan) -> dict[Mode, FormPlan]:
    """Both plans with the same columns, in the same order: new and stored
    children are rows of one table (a column set by the database only, shown
    on edit, is left out)."""
    shared = [f.name for f in create.fields if edit.field(f.name) is not None]
    by_name = {f.name: f for f in edit.fields}
    return {
        "create": replace(
            create, fields=tuple(f for f in create.fields if f.name in shared)
        ),
        "edit": replace(edit, fields=tuple(by_name[name] for name in shared)),
    }


async def _may_edit(child: "AutoModelView", request: Request) -> bool:
    """Children are shown in the parent's form to who may add and change them."""
    if not child.is_accessible(request):
        return False
    if not (child.can_create and await child.check_can_create(request)):
        return False
    return bool(child.can_edit and child.has_permission(request, Action.EDIT))


async def _form_class(
    view: "AutoModelView", child: "AutoModelView", plan: FormPlan
) -> type[Form]:
    cache: dict[tuple[str, Mode, Any], type[Form]] = view.__dict__.setdefault(
        "_inline_forms", {}
    )
    zone = child.display_timezone()
    key = (plan.model.__name__, plan.mode, zone)
    if key not in cache:
        cache[key] = await form_class(child, plan, zone)
    return cache[key]


def parent_key(inline_set: InlineSet, parent: SQLModel) -> dict[str, Any]:
    """The parent's values its children's foreign key holds, by attribute."""
    return {p: getattr(parent, p) for p, _ in parent_columns(inline_set.relation)}


async def drawn_sets(
    view: "AutoModelView",
    request: Request,
    parent: SQLModel | None,
    snapshots: Snapshots,
    fields: Iterable[Field] = (),
) -> list[InlineSet]:
    """The inlines of a form as first drawn: the parent's first children
    (one query per inline, one over max_rows to know of more), blank rows.
    In the same session, the pickers of those rows and of ``fields`` (the
    parent's form) read what they show (:func:`tell_apart_in`)."""
    sets = await inline_sets(view, request)
    if parent is None or not sets:
        for inline_set in sets:
            add_blank_rows(inline_set)
        return sets

    def load(session: Any) -> None:
        for s in sets:
            stmt = children_statement(s, parent_key(s, parent))
            children = list(session.scalars(stmt.limit(s.inline.max_rows + 1)))
            existing_rows(s, children, snapshots)
            if len(children) > s.inline.max_rows:
                s.more_url = view.inline_list_url(request, s, parent)
        rows = (f for s in sets for row in s.rows for f in row.form)
        tell_apart_in(session, chain(fields, rows))

    await run_in_session(view.session_maker, load)
    return sets


async def chosen_in_query(
    view: "AutoModelView", plan: FormPlan, request: Request
) -> dict[str, Any]:
    """A create form's pickers chosen by the query (``?order_id=7``, from a
    parent's "Add item"): only keys of rows the picker offers; others ignored."""
    chosen: dict[str, Any] = {}
    for planned in plan.writable:
        if planned.kind not in ("to_one", "column"):
            continue
        value = request.query_params.get(planned.key) or request.query_params.get(
            planned.name
        )
        loader = find_loader(view, planned.name)
        if not value or loader is None or len(value) > 200:
            continue
        if await loader.format_by_pk(value):
            chosen[planned.name] = value
    return chosen


def children_statement(
    inline_set: InlineSet, parent_key: Mapping[str, Any]
) -> Select[Any]:
    """The parent's children in the inline's order (to-one pickers' rows
    loaded with them, in one query each, for their labels)."""
    child = inline_set.relation.mapper.class_
    stmt = select(child).where(
        *(
            getattr(child, c) == parent_key[p]
            for p, c in parent_columns(inline_set.relation)
        )
    )
    for planned in inline_set.plans["edit"].fields:
        if planned.kind == "to_one":
            stmt = stmt.options(selectinload(getattr(child, planned.name)))
    names = [*inline_set.inline.ordering]
    names += [str(c.key) for c in mapper_of(child).primary_key]
    # Sorted by an expression, not the bare column: a planner then finds the
    # parent's few children by the foreign key's index and sorts them, rather
    # than walking the key's index in order (LIMIT) past every other child.
    order = [
        _sortable(getattr(child, name.removeprefix("-")), name.startswith("-"))
        for name in names
    ]
    return stmt.order_by(*order)


def _sortable(column: Any, descending: bool) -> Any:
    expression = func.coalesce(column, column)
    return expression.desc() if descending else expression


def initial_data(plan: FormPlan, row: SQLModel) -> dict[str, Any]:
    """A child's form values: columns, and a picker's row (not its key: the
    label then needs no query)."""
    data: dict[str, Any] = {}
    for planned in plan.fields:
        if planned.kind == "to_one":
            data[planned.name] = getattr(row, planned.name, None) or getattr(
                row, planned.key, None
            )
        else:
            data[planned.name] = getattr(row, planned.key, None)
    return data


def existing_rows(
    inline_set: InlineSet, children: Sequence[SQLModel], snapshots: Snapshots
) -> None:
    """Rows for the stored children (at most max_rows), then the blank ones."""
    plan, form = inline_set.plans["edit"], inline_set.forms["edit"]
    for index, child in enumerate(children[: inline_set.inline.max_rows]):
        prefix = inline_set.prefix(index)
        inline_set.rows.append(
            InlineRow(
                form(data=initial_data(plan, child), prefix=prefix),
                prefix,
                key=format_key(child),
                snapshot=snapshots.digest(child),
            )
        )
    add_blank_rows(inline_set)


def add_blank_rows(inline_set: InlineSet) -> None:
    start = len(inline_set.rows)
    for index in range(start, start + inline_set.inline.extra):
        prefix = inline_set.prefix(index)
        inline_set.rows.append(
            InlineRow(inline_set.forms["create"](prefix=prefix), prefix)
        )


def shown_values(form: Form) -> dict[str, list[str]]:
    """What each field of ``form`` would post as rendered (its name unprefixed)."""
    values: dict[str, list[str]] = {}
    for name, f in form._fields.items():
        if isinstance(f, BooleanField):
            values[name] = ["y"] if f.data else []
        elif isinstance(f, SelectFieldBase) and not hasattr(f, "loader"):
            values[name] = [str(c[0]) for c in f.iter_choices() if c[2]]
        elif hasattr(f, "_value"):
            text = str(f._value())
            values[name] = [text] if text else []
        else:
            values[name] = [] if f.data in (None, "") else [str(f.data)]
    return values


def untouched(form: Form, blank: Form) -> bool:
    """A new row posted as it was drawn: a blank row left blank, not a child."""
    shown = shown_values(blank)
    for name, f in form._fields.items():
        posted = [str(v) for v in f.raw_data or [] if str(v).strip()]
        if posted and posted != shown.get(name, []):
            return False
    return True


def gone_message() -> str:
    return gettext("Deleted by someone else since the page was drawn.")
