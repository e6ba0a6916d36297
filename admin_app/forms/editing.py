"""The create and edit pages of inferred views: validated by the model, saved in
one transaction, stale edits refused.

sqladmin's own endpoints build rows with ``Model()`` and ``setattr`` and show
database errors as raw text; these replace them for :class:`AutoModelView`s and
keep sqladmin's hooks (``on_model_change``, ``after_model_change``), templates
and permission checks.
"""

from collections.abc import Collection
from functools import partial
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from sqladmin.authentication import login_required
from sqlalchemy.exc import DBAPIError
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from wtforms import Form

from admin_app.audit.entries import trail_for
from admin_app.db import run_in_session
from admin_app.enums import unknown_choice
from admin_app.forms.concurrency import FIELD_NAME, StaleEdit, named_rows
from admin_app.forms.errors import FormErrors
from admin_app.forms.inline_rows import Children, posted_children
from admin_app.forms.inlines import chosen_in_query, drawn_sets, inline_sets
from admin_app.forms.integrity import explain_database_error
from admin_app.forms.planning import FormPlan, plans_forms
from admin_app.forms.saving import Submission, insert_row, update_row
from admin_app.forms.validation import (
    changed_columns,
    new_row,
    parsed_inputs,
    unchanged_inputs,
)
from admin_app.forms.widgets import tell_apart
from admin_app.inspection import columns_of
from admin_app.keys import RowNotFound, row_clauses
from admin_app.moments import shown_unchanged
from admin_app.references import details_linker

if TYPE_CHECKING:
    from admin_app.site import AdminSite
    from admin_app.views.inferred import AutoModelView


@login_required
async def create_page(site: "AdminSite", request: Request) -> Response:
    await site._create(request)
    view = site._find_model_view(request.path_params["identity"])
    assert plans_forms(view)
    plan = view.form_plan("create")
    form_class = await view.form_class_for(plan)
    context: dict[str, Any] = {
        **await view.create_context(request),
        "model_view": view,
    }
    if request.method == "GET":
        context["form"] = form_class(data=await chosen_in_query(view, plan, request))
        context["inline_sets"] = await drawn_sets(view, request, None, site.snapshots)
        return await _render(site, request, view.create_template, context)

    form_data = await site._handle_form_data(request)
    form = form_class(form_data)
    context["form"] = form
    context["inline_sets"] = sets = await inline_sets(view, request)
    try:
        children = await posted_children(sets, form_data, None, site.snapshots, request)
        submission = await _submission(
            view, plan, form, request, None, form_data.keys(), children=children
        )
        row = await run_in_session(
            view.session_maker, partial(insert_row, submission=submission)
        )
    except FormErrors as errors:
        return await _invalid(
            site, request, view.create_template, context, plan, errors
        )
    except DBAPIError as exc:
        refused = explain_database_error(exc, view.model, {}, None)
        return await _invalid(
            site, request, view.create_template, context, plan, refused
        )
    return await _saved(site, request, view, form_data, row, created=True)


@login_required
async def edit_page(site: "AdminSite", request: Request) -> Response:
    view = site._find_model_view(request.path_params["identity"])
    assert plans_forms(view)
    # sqladmin's own check (site._edit) loads the row, relations and all, only
    # to pass it to check_can_edit: the row loaded below serves both.
    if not view.can_edit or not view.is_accessible(request):
        raise HTTPException(status_code=403)
    identifier = request.path_params["pk"]
    try:
        row_clauses(view.model, identifier)
    except RowNotFound:
        raise HTTPException(status_code=404) from None
    row = await view.get_object_for_edit(request)
    if row is None:
        raise HTTPException(status_code=404, detail=_gone(view))
    if not await view.check_can_edit(request, row):
        raise HTTPException(status_code=403)
    plan = view.form_plan("edit")
    form_class = await view.form_class_for(plan)
    initial = await view.form_initial_data(row, plan)
    snapshots = site.snapshots
    context: dict[str, Any] = {
        **await view.edit_context(request),
        "obj": row,
        "model_view": view,
        "row_snapshot_field": FIELD_NAME,
        "row_snapshot": snapshots.token(row),
    }
    if request.method == "GET":
        context["form"] = _showing_stored_choices(form_class(data=initial), initial)
        context["inline_sets"] = await drawn_sets(
            view, request, row, snapshots, fields=context["form"]
        )
        return await _render(site, request, view.edit_template, context)

    form_data = await site._handle_form_data(request, row)
    # Disabled inputs are not posted: read-only fields show the row's values.
    kept = {f.name: initial.get(f.name) for f in plan.fields if f.read_only}
    form = _showing_stored_choices(form_class(form_data, data=kept), initial)
    context["form"] = form
    token = form_data.get(FIELD_NAME)
    context["row_snapshot"] = token if isinstance(token, str) else ""
    current = {fact.name: getattr(row, fact.name) for fact in columns_of(view.model)}
    unchanged = unchanged_inputs(plan, form, form_class(data=initial))
    context["inline_sets"] = sets = await inline_sets(view, request)
    try:
        children = await posted_children(sets, form_data, row, snapshots, request)
        submission = await _submission(
            view,
            plan,
            form,
            request,
            current=current,
            posted=form_data.keys(),
            unchanged=unchanged,
            children=children,
        )
        saved = await run_in_session(
            view.session_maker,
            partial(
                update_row,
                submission=submission,
                identifier=identifier,
                snapshots=snapshots,
                token=token if isinstance(token, str) else None,
            ),
        )
    except RowNotFound:
        raise HTTPException(status_code=404, detail=_gone(view)) from None
    except StaleEdit as stale:
        link = details_linker(site.views, request)
        context["stale_changes"] = await run_in_session(
            view.session_maker,
            partial(
                named_rows,
                model=view.model,
                changes=stale.changes,
                link=link,
                zone=view.display_timezone(),
            ),
        )
        context["row_snapshot"] = stale.token
        return await _render(site, request, view.edit_template, context, status=409)
    except FormErrors as errors:
        return await _invalid(site, request, view.edit_template, context, plan, errors)
    except DBAPIError as exc:
        refused = explain_database_error(exc, view.model, current, None)
        return await _invalid(site, request, view.edit_template, context, plan, refused)
    return await _saved(site, request, view, form_data, saved, created=False)


def _gone(view: "AutoModelView") -> str:
    return f"This {view.name.lower()} does not exist; it may have been deleted."


def _showing_stored_choices(form: Form, initial: dict[str, Any]) -> Form:
    """A stored value a select does not offer (an enum value the code no longer
    knows) is still shown, marked, rather than silently replaced."""
    for name, field in form._fields.items():
        choices = getattr(field, "choices", None)
        stored = initial.get(name)
        if isinstance(choices, list) and unknown_choice(choices, stored):
            field.choices = [*choices, (stored, f"{stored} (not a known value)")]
    return form


async def _submission(
    view: "AutoModelView",
    plan: FormPlan,
    form: Form,
    request: Request,
    current: dict[str, Any] | None,
    posted: Collection[str],
    unchanged: Collection[str] = (),
    children: Children | None = None,
) -> Submission:
    """Parse (WTForms) then validate (the model) every input; all the errors of
    the form at once, or what the save writes. A field the form rendered but
    the POST lacks is an error, never "cleared"."""
    values, picked, errors = parsed_inputs(plan, form, posted)
    hasher = view.password_hasher(plan)

    def validate() -> Submission:
        data = dict(values)
        if current is not None:
            # An input shows a stamp to the second: posted back, it is unchanged.
            data.update(
                (name, current[name])
                for name, value in values.items()
                if name in current and shown_unchanged(value, current[name])
            )
        if current is None:
            return Submission(plan, row=new_row(plan, data, hasher), picked=picked)
        changes = changed_columns(plan, data, current, hasher, unchanged)
        return Submission(plan, changes=changes, picked=picked)

    try:
        # Off the event loop: password hashing is deliberately slow.
        submission = await anyio.to_thread.run_sync(validate)
    except FormErrors as invalid:
        for name, message in invalid:
            if name is None or name not in errors.fields:
                errors.add(name, message)
    if children is not None:
        errors.merge(children.errors)
    if errors:
        raise errors
    submission.children = children

    async def before_commit(row: Any) -> None:
        await view.on_model_change(dict(values), row, current is None, request)

    submission.before_commit = before_commit
    submission.trail = trail_for(request, view)
    return submission


async def _invalid(
    site: "AdminSite",
    request: Request,
    template: str,
    context: dict[str, Any],
    plan: FormPlan,
    errors: FormErrors,
) -> Response:
    """The form again, with each message next to its field, and HTTP 400."""
    form: Form = context["form"]
    for name, message in errors:
        planned = plan.field_for_key(name) if name else None
        if planned is not None and planned.name in form._fields:
            field_errors = form[planned.name].errors
            if isinstance(field_errors, tuple):
                field_errors = form[planned.name].errors = list(field_errors)
            if message not in field_errors:
                field_errors.append(message)
        else:
            context.setdefault("row_errors", []).append(message)
    return await _render(site, request, template, context, status=400)


async def _saved(
    site: "AdminSite",
    request: Request,
    view: "AutoModelView",
    form_data: FormData,
    row: Any,
    created: bool,
) -> Response:
    data = {key: value for key, value in form_data.items() if key != FIELD_NAME}
    response = await view.after_model_change(data, row, created, request)
    if isinstance(response, Response):
        return response
    url = site.get_save_redirect_url(
        request=request, form=form_data, model_view=view, obj=row
    )
    return RedirectResponse(url=str(url), status_code=302)


async def _render(
    site: "AdminSite",
    request: Request,
    template: str,
    context: dict[str, Any],
    status: int = 200,
) -> Response:
    # The form's and its inlines' pickers read their rows and labels together.
    fields = list(context["form"])
    for inline_set in context.get("inline_sets") or ():
        fields.extend(f for row in inline_set.rows for f in row.form)
    await tell_apart(fields)
    return await site.templates.TemplateResponse(
        request, template, context, status_code=status
    )
