"""Editable lists (Django's ``list_editable``): a list's declared columns
edited in place, the page saved with one POST.

Each cell is the edit form's own field (the same plan, converter and widgets,
a picker for a many-to-one), so a row is validated as its edit form would
validate it: by the model, or its ``<Model>Update``, then by what the column
can store. Every input belongs to the page's one form by its ``form``
attribute; each row also posts one hidden state: its key, the signed snapshot
of the row as drawn (:class:`~admin_app.forms.concurrency.Snapshots`) and the
inputs as drawn. Only the rows whose inputs came back different are read and
written, in one transaction, each audited and checked against its snapshot:
a row someone else changed since the page was drawn refuses the page.
Neither Django nor Filament checks this.
"""

import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from inspect import isawaitable
from typing import TYPE_CHECKING, Any

from markupsafe import escape
from sqladmin.flash import FlashLevel
from sqladmin.i18n import gettext, ngettext
from starlette import status
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from wtforms import BooleanField, Form
from wtforms.fields import SelectFieldBase

from admin_app.audit.entries import trail_for
from admin_app.db import run_in_session
from admin_app.forms.concurrency import Snapshots
from admin_app.forms.planning import FormPlan, PlannedField, form_class, form_name
from admin_app.forms.planning import plans_forms as _plans_forms
from admin_app.forms.widgets import tell_apart
from admin_app.keys import format_key
from admin_app.labels import row_label
from admin_app.lists.columns import shown_columns
from admin_app.lists.page_edits import (
    STATE,
    PageEdits,
    RowEdit,
    initial_data,
    posted_formdata,
    posted_rows,
    row_prefix,
    save_rows,
    shown_inputs,
)
from admin_app.lists.rows import Cell, ListRow
from admin_app.messages import flash

if TYPE_CHECKING:
    from admin_app.site import AdminSite

FORM_ID = "list-edit"
_CONTROL = re.compile(r"<(input|select|textarea)\b")


class ListEditableError(TypeError):
    """A view's ``list_editable`` names what its list cannot edit."""


def install(site: "AdminSite") -> None:
    """Let the list route (``admin:list``) take the page's POST; the site's
    ``list`` sends it to :func:`save_page`. The CSRF check covers it as
    every POST."""
    for route in site.admin.router.routes:
        if isinstance(route, Route) and route.name == "list":
            route.methods = {*(route.methods or ()), "POST"}


def editable_plan(view: Any) -> FormPlan | None:
    """The edit form's plan narrowed to ``view.list_editable``, or None for a
    list that edits nothing. Raises :class:`ListEditableError` for a name
    that is not both a list column and a field its edit form may change."""
    names = getattr(view, "list_editable", None) or []
    if not names or not _plans_forms(view):
        return None
    cached = view.__dict__.get("_editable_plan")
    if isinstance(cached, FormPlan):
        return cached
    plan = view.form_plan("edit")
    fields: list[PlannedField] = []
    for name in names:
        prop = view._get_prop_name(name)
        planned = plan.field(form_name(prop)) or plan.field_for_key(prop)
        problem = ""
        if planned is None or planned.read_only:
            problem = "is not a field its edit form may change"
        elif planned.kind not in ("column", "to_one"):
            problem = "is neither a column nor a many-to-one relation"
        elif _list_column(view._list_prop_names, planned) is None:
            problem = "is not a column of its list (column_list)"
        if problem:
            raise ListEditableError(
                f"{type(view).__name__}.list_editable: {prop!r} {problem}"
            )
        assert planned is not None
        fields.append(planned)
    narrowed = replace(plan, fields=tuple(fields))
    view.__dict__["_editable_plan"] = narrowed
    return narrowed


def _list_column(names: Sequence[str], planned: PlannedField) -> int | None:
    for index, name in enumerate(names):
        if name in (planned.name, planned.key) or name in planned.columns:
            return index
    return None


def page_plan(view: Any, request: Request) -> FormPlan | None:
    """:func:`editable_plan` narrowed to the columns the page shows (its
    ``columns``: :mod:`admin_app.lists.columns`): a hidden column is neither
    drawn nor read back. None when the page shows none of them."""
    plan = editable_plan(view)
    if plan is None:
        return None
    shown = shown_columns(view, request)
    fields = tuple(p for p in plan.fields if _list_column(shown, p) is not None)
    if not fields:
        return None
    return plan if len(fields) == len(plan.fields) else replace(plan, fields=fields)


async def _form_class(view: Any, plan: FormPlan) -> type[Form]:
    # One class per zone (a date-time cell reads in the user's zone) and per
    # set of columns shown.
    key = (view.display_timezone(), tuple(p.name for p in plan.fields))
    cache: dict[Any, type[Form]] = view.__dict__.setdefault("_editable_forms", {})
    if key not in cache:
        cache[key] = await form_class(view, plan, key[0])
    return cache[key]


def may_edit(view: Any, request: Request) -> bool:
    """Whether the user has the change right on the view at all (each row is
    asked again: :func:`admin_app.lists.rows.list_rows`)."""
    return bool(view.can_edit and view.is_accessible(request))


# Drawing the page.


@dataclass(frozen=True)
class ListEdit:
    """What the list template needs for the Save button."""

    form_id: str
    action: str


@dataclass(frozen=True)
class InputCell(Cell):
    """A list cell holding an input (and its messages) instead of text."""

    markup: str = ""

    def html(self, compact: bool) -> str:
        return self.markup


async def editing_context(
    view: Any,
    request: Request,
    snapshots: Snapshots,
    page_rows: Sequence[Any],
    listed: Sequence[ListRow],
    edits: PageEdits | None,
) -> dict[str, Any]:
    """Replace the editable cells of the rows the user may change by inputs;
    the context the list template needs (``list_edit``; ``error`` for a
    refused page)."""
    plan = page_plan(view, request)
    if plan is None or not may_edit(view, request):
        return {}
    form_cls = await _form_class(view, plan)
    posted = {edit.key: edit for edit in edits.rows} if edits else {}
    shown = shown_columns(view, request)
    columns = {p.name: _list_column(shown, p) for p in plan.fields}
    labels = view._column_labels
    drawn: list[tuple[Any, ListRow, RowEdit | None, Form, dict[str, Any]]] = []
    for row, shown_row in zip(page_rows, listed, strict=False):
        if not shown_row.edit_url:  # the user may not change this row
            continue
        edit = posted.pop(shown_row.key, None)
        prefix = row_prefix(len(drawn))
        form, state = _row_form(form_cls, plan, snapshots, prefix, row, edit)
        drawn.append((row, shown_row, edit, form, state))
    # The page's pickers read their rows and labels together, not per row.
    await tell_apart(field for *_, form, _state in drawn for field in form)
    for row, shown_row, edit, form, state in drawn:
        name = row_label(row)
        first = True
        for planned in plan.fields:
            label = str(labels.get(planned.name, planned.label))
            markup = await _input(form, planned, label, name)
            if first:
                markup = _state_input(state) + markup + _row_messages(edit)
                first = False
            index = columns[planned.name]
            assert index is not None
            shown_row.cells[index] = InputCell([], markup=markup)
    if not drawn:
        return {}
    context: dict[str, Any] = {"list_edit": ListEdit(FORM_ID, str(request.url))}
    if edits is not None:
        context["error"] = _page_message(edits, list(posted.values()))
    return context


def _row_form(
    form_cls: type[Form],
    plan: FormPlan,
    snapshots: Snapshots,
    prefix: str,
    row: Any,
    edit: RowEdit | None,
) -> tuple[Form, dict[str, Any]]:
    """The row's inputs and hidden state: as the row is, or, for a row the
    user changed, as posted (after a conflict, their own changes over the
    row as it is now, which the state then records)."""
    drawn = form_cls(data=initial_data(plan, row, related=True), prefix=prefix)
    if edit is None or not edit.touched:
        shown = shown_inputs(drawn, plan)
        return drawn, {"k": format_key(row), "s": snapshots.token(row), "v": shown}
    if edit.stale is not None:
        current = shown_inputs(drawn, plan)
        values = {
            name: edit.posted[name] if name in edit.touched else current[name]
            for name in edit.posted
        }
        shown, token = current, edit.fresh_token
    else:
        values, shown, token = edit.posted, edit.shown, edit.token
    form = form_cls(formdata=posted_formdata(prefix, values), prefix=prefix)
    for name, message in edit.errors:
        planned = edit_field(plan, name)
        if planned is not None:
            errors = form[planned.name].errors
            if isinstance(errors, tuple):
                errors = form[planned.name].errors = list(errors)
            errors.append(message)
    return form, {"k": edit.key, "s": token, "v": shown}


def edit_field(plan: FormPlan, name: str | None) -> PlannedField | None:
    return plan.field_for_key(name) if name else None


async def _input(form: Form, planned: PlannedField, label: str, row: str) -> str:
    field_ = form[planned.name]
    invalid = " is-invalid" if field_.errors else ""
    kwargs: dict[str, Any] = {
        "aria-label": gettext("%(column)s of %(row)s") % {"column": label, "row": row}
    }
    if isinstance(field_, BooleanField):
        kwargs["class"] = "form-check-input" + invalid
    elif isinstance(field_, SelectFieldBase):
        kwargs["class"] = "admin-app-cell form-select form-select-sm" + invalid
        if hasattr(field_, "loader"):
            kwargs["data-lookup"] = planned.name  # the picker the lookup knows
    else:
        kwargs["class"] = "admin-app-cell form-control form-control-sm" + invalid
    html = field_(**kwargs)
    if isawaitable(html):
        html = await html
    markup = _CONTROL.sub(rf'<\1 form="{FORM_ID}"', str(html))
    for message in field_.errors:
        markup += f'<div class="invalid-feedback d-block">{escape(message)}</div>'
    return markup


def _state_input(state: dict[str, Any]) -> str:
    value = escape(json.dumps(state, separators=(",", ":")))
    return f'<input type="hidden" name="{STATE}" value="{value}" form="{FORM_ID}">'


def _row_messages(edit: RowEdit | None) -> str:
    if edit is None:
        return ""
    messages = list(edit.errors.row)
    if edit.stale is not None:
        messages.insert(0, _stale_text(edit))
    return "".join(
        f'<div class="invalid-feedback d-block">{escape(m)}</div>' for m in messages
    )


def _stale_text(edit: RowEdit) -> str:
    changes = "; ".join(
        f"{change.title}: {change.loaded} → {change.now}" for change in edit.stale or []
    )
    return gettext(
        "Changed by someone else since this page was drawn (%(changes)s)."
    ) % {"changes": changes}


def _page_message(edits: PageEdits, gone: Sequence[RowEdit]) -> str:
    stale = [edit for edit in edits.rows if edit.stale is not None]
    parts = [gettext("Nothing was saved.")]
    if stale:
        names = ", ".join(edit.label or edit.key for edit in stale)
        parts.append(
            gettext(
                "Someone else changed %(rows)s since this page was drawn: their "
                "values now show where you changed nothing. Save again to "
                "replace theirs with yours."
            )
            % {"rows": names}
        )
    if any(edit.errors for edit in edits.rows):
        parts.append(gettext("Please correct the marked cells."))
    for edit in gone:
        for name, message in edit.errors:
            shown = f"{name}: {message}" if name else message
            parts.append(f"{edit.label or edit.key}: {shown}")
    return " ".join(parts)


# Saving the page.


async def save_page(
    site: "AdminSite",
    request: Request,
    render: Callable[["AdminSite", Request, PageEdits], Awaitable[Response]],
) -> Response:
    """The list's POST: save the changed rows, then back to the list; or
    the page again (``render``) with each message by its cell."""
    view = site._find_model_view(request.path_params["identity"])
    plan = page_plan(view, request)
    if plan is None:
        raise HTTPException(status.HTTP_405_METHOD_NOT_ALLOWED)
    if not may_edit(view, request):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    form = await request.form()
    edits = posted_rows(plan, form, max(view.page_size_options))
    changed = [edit for edit in edits if edit.touched]
    if changed:
        form_cls = await _form_class(view, plan)

        async def allowed(row: Any) -> bool:
            return bool(await view.check_can_edit(request, row))

        async def before_commit(data: dict[str, Any], row: Any) -> None:
            await view.on_model_change(data, row, False, request)

        work = partial(
            save_rows,
            plan=plan,
            form_cls=form_cls,
            edits=changed,
            snapshots=site.snapshots,
            trail=trail_for(request, view),
            allowed=allowed,
            before_commit=before_commit,
        )
        saved = await run_in_session(view.session_maker, work)
        if saved is None:
            stale = any(edit.stale is not None for edit in changed)
            refused = any(edit.errors for edit in changed)
            code = status.HTTP_409_CONFLICT if stale and not refused else 400
            return await render(site, request, PageEdits(edits, code))
        for data, row in saved:
            await view.after_model_change(data, row, False, request)
    else:
        saved = []
    count = len(saved)
    if count:
        message = ngettext("Saved %(num)d row.", "Saved %(num)d rows.", count)
        flash(request, message % {"num": count}, FlashLevel.success)
    else:
        flash(request, gettext("Nothing was changed."), FlashLevel.info)
    return RedirectResponse(str(request.url), status.HTTP_303_SEE_OTHER)
