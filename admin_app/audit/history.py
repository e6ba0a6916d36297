"""A row's history (its audit entries, newest first), reverting an update from
it, and the dashboard's recent actions.

``GET /{identity}/history/{pk}`` shows the entries of one row, kept after the
row is deleted. ``POST`` with form field ``entry`` reverts that entry: a new,
audited change (action ``revert``) that puts back the values the entry
replaced, saved like an edit (validated by the model, one transaction, hooks
called). It is refused when the row is gone or any field of the entry changed
since; fields whose values the trail hides (secrets) are left as they are.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqladmin import ModelView
from sqladmin.authentication import login_required
from sqladmin.flash import FlashLevel
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, col
from starlette import status
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from admin_app.audit import restore
from admin_app.audit.entries import (
    REDACTED,
    AuditEntry,
    identifier_of,
    plain,
    secret_columns,
    shown_username,
    trail_for,
    values_of,
)
from admin_app.audit.revival import Unrestorable
from admin_app.db import run_in_session
from admin_app.display import moment_text
from admin_app.forms.concurrency import Snapshots
from admin_app.forms.errors import FormErrors
from admin_app.forms.planning import plans_forms
from admin_app.forms.saving import Submission, update_row
from admin_app.forms.validation import storage_errors, validate_table_row
from admin_app.inspection import columns_of, humanize, is_to_many, relations_of
from admin_app.keys import RowNotFound, row_clauses
from admin_app.labels import row_label
from admin_app.messages import flash
from admin_app.references import (
    Labels,
    Linker,
    Reference,
    details_linker,
    foreign_keys,
)

if TYPE_CHECKING:
    from admin_app.site import AdminSite
    from admin_app.views.inferred import AutoModelView

TEMPLATE = "admin_app/audit/history.html"
# Entries shown on a history page; older ones are in the audit trail's list.
HISTORY_LIMIT = 200
RECENT_LIMIT = 20
# Entries whose "before" values a revert can put back.
REVERTIBLE = ("update", "revert")


def install(site: "AdminSite") -> None:
    """Add the history route (``admin:history``) to the admin."""
    site.admin.router.routes.append(
        Route(
            "/{identity}/history/{pk:path}",
            endpoint=site.history,
            name="history",
            methods=["GET", "POST"],
        )
    )


@dataclass(frozen=True)
class FieldChange:
    name: str
    title: str
    before: str | None  # None: empty
    after: str | None
    # A foreign key's or a relation's rows, by label (as they are now).
    before_rows: list[Reference] | None = None
    after_rows: list[Reference] | None = None


@dataclass
class Shown:
    """An entry as a history page or the dashboard shows it."""

    entry: AuditEntry
    when: str
    who: str = ""  # the user, as shown_username tells
    changes: list[FieldChange] = field(default_factory=list)
    revertible: bool = False
    view: ModelView | None = None
    history_url: str | None = None
    details_url: str | None = None
    # The entry's row, by its label now ("#433 (deleted)" once gone).
    row: Reference | None = None


class Refusal(Exception):
    """The revert did not happen; the message says why."""


# The history page.


@login_required
async def history_page(site: "AdminSite", request: Request) -> Response:
    view = site._find_model_view(request.path_params["identity"])
    pk = request.path_params["pk"]
    try:
        row_clauses(view.model, pk)
    except RowNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND) from None
    # sqladmin's detail-page checks: a row's history is part of seeing it.
    await site._details(request)
    if request.method == "POST":
        form = await request.form()
        if "restore" in form or "trash" in form:
            return await _restore(site, request, view, pk, form)
        return await _revert(site, request, view, pk)
    return await _render(site, request, view, pk)


async def _restore(
    site: "AdminSite", request: Request, view: ModelView, pk: str, form: FormData
) -> Response:
    """Restore the row (:mod:`admin_app.audit.restore`), then show it."""
    try:
        done = await restore.restore(site, request, view, pk, form)
    except Unrestorable as refusal:
        return await _render(site, request, view, pk, error=str(refusal))
    flash(request, done.message, FlashLevel.success)
    url = request.url_for("admin:details", identity=view.identity, pk=pk)
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)


async def _render(
    site: "AdminSite",
    request: Request,
    view: ModelView,
    pk: str,
    error: str | None = None,
) -> Response:
    def load(
        session: Session,
    ) -> tuple[list[AuditEntry], SQLModel | None, Labels, restore.Offer | None]:
        entries = session.scalars(
            select(AuditEntry)
            .where(col(AuditEntry.model) == view.identity, col(AuditEntry.pk) == pk)
            .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
            .limit(HISTORY_LIMIT + 1)
        ).all()
        row = session.scalars(
            select(view.model).where(*row_clauses(view.model, pk))
        ).one_or_none()
        labels = Labels()
        for entry in entries[:HISTORY_LIMIT]:
            want_changed_rows(labels, view.model, entry)
        offer = restore.offer(session, view, pk, row)
        return list(entries), row, labels.load(session), offer

    entries, row, labels, offer = await run_in_session(view.session_maker, load)
    if offer is not None and not (
        view.can_create and await view.check_can_create(request)
    ):
        offer = None
    link = details_linker(site.views, request)
    can_revert = (
        row is not None
        and plans_forms(view)
        and view.can_edit
        and await view.check_can_edit(request, row)
    )
    shown = [
        _shown(
            site,
            view,
            entry,
            can_revert and entry.action in REVERTIBLE,
            rows=partial(changed_rows, view.model, labels, link),
        )
        for entry in entries[:HISTORY_LIMIT]
    ]
    context = {
        "model_view": view,
        "title": view.name,
        "pk": pk,
        "row": row,
        "row_label": row_label(row) if row is not None else None,
        "entries": shown,
        "more": len(entries) > HISTORY_LIMIT,
        "error": error,
        "offer": offer,
        "details_url": view._build_url_for("admin:details", request, row)
        if row is not None
        else None,
    }
    response = await site.templates.TemplateResponse(
        request,
        TEMPLATE,
        context,
        status_code=status.HTTP_409_CONFLICT if error else status.HTTP_200_OK,
    )
    # The page describes live data: never from a cache.
    response.headers["Cache-Control"] = "no-store"
    return response


RowsOf = Callable[[str, Any], list[Reference] | None]


def _shown(
    site: "AdminSite",
    view: ModelView | None,
    entry: AuditEntry,
    revertible: bool,
    rows: RowsOf | None = None,
) -> Shown:
    changes = []
    labels: dict[Any, Any] = getattr(view, "_column_labels", {}) if view else {}
    for name, change in (entry.changes or {}).items():
        if not isinstance(change, dict):
            continue
        title = str(labels.get(name) or humanize(name))
        before, after = change.get("before"), change.get("after")
        changes.append(
            FieldChange(
                name,
                title,
                _text(before),
                _text(after),
                rows(name, before) if rows else None,
                rows(name, after) if rows else None,
            )
        )
    return Shown(
        entry,
        _when(site, entry.at),
        shown_username(entry),
        changes,
        revertible=revertible and bool(changes),
        view=view,
    )


def _when(site: "AdminSite", at: datetime) -> str:
    return moment_text(at, site.display_timezone)


def _targets(model: type[SQLModel]) -> dict[str, type[SQLModel]]:
    """The fields of ``model`` an entry records keys of, with their models:
    foreign-key columns and to-many relations (lists of identifiers)."""
    targets = dict(foreign_keys(model))
    for relation in relations_of(model):
        if is_to_many(relation):
            targets[relation.key] = relation.mapper.class_
    return targets


def want_changed_rows(labels: Labels, model: type[SQLModel], entry: AuditEntry) -> None:
    """Ask ``labels`` for the rows ``entry``'s changes name by key."""
    targets = _targets(model)
    for name, change in (entry.changes or {}).items():
        target = targets.get(name)
        if target is None or not isinstance(change, dict):
            continue
        for value in (change.get("before"), change.get("after")):
            for key in value if isinstance(value, list) else [value]:
                if _is_key(key):
                    labels.want(target, key)


def changed_rows(
    model: type[SQLModel], labels: Labels, link: Linker, name: str, value: Any
) -> list[Reference] | None:
    """The rows a recorded value names, by label; None when it names none."""
    target = _targets(model).get(name)
    if target is None or value is None:
        return None
    keys = value if isinstance(value, list) else [value]
    if not all(_is_key(key) for key in keys):
        return None
    return [labels.get(target, key, link) for key in keys]


def _is_key(value: Any) -> bool:
    return (
        isinstance(value, int | str)
        and not isinstance(value, bool)
        and value != REDACTED
    )


def _text(value: Any) -> str | None:
    """A recorded value as text; the template escapes it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


# Reverting.


@dataclass
class _Reverted:
    row: SQLModel
    data: dict[str, Any]
    skipped: list[str]


async def _revert(
    site: "AdminSite", request: Request, view: ModelView, pk: str
) -> Response:
    if not plans_forms(view) or not view.can_edit or not view.is_accessible(request):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    form = await request.form()
    try:
        entry_id = int(str(form.get("entry", "")))
    except ValueError:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, "No entry to revert."
        ) from None
    # The edit permission is checked on the row as it is now, as the edit
    # page does; the revert itself re-reads it under a lock.
    row = await view.get_object_for_edit(request)
    if row is not None and not await view.check_can_edit(request, row):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    plan = view.form_plan("edit")
    # What the revert writes, for sqladmin's hooks (filled in by the revert).
    data: dict[str, Any] = {}

    async def before_commit(row: Any) -> None:
        await view.on_model_change(dict(data), row, False, request)

    submission = Submission(
        plan, trail=trail_for(request, view, "revert"), before_commit=before_commit
    )
    work = partial(
        _revert_entry,
        view=view,
        pk=pk,
        entry_id=entry_id,
        submission=submission,
        data=data,
        snapshots=site.snapshots,
    )
    try:
        reverted = await run_in_session(view.session_maker, work)
    except Refusal as refusal:
        return await _render(site, request, view, pk, error=str(refusal))
    await view.after_model_change(reverted.data, reverted.row, False, request)
    message = "Reverted."
    if reverted.skipped:
        message += " Left as they are (hidden in the trail): "
        message += ", ".join(reverted.skipped) + "."
    flash(request, message, FlashLevel.success)
    url = request.url_for("admin:history", identity=view.identity, pk=pk)
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)


def _revert_entry(
    session: Session,
    *,
    view: "AutoModelView",
    pk: str,
    entry_id: int,
    submission: Submission,
    data: dict[str, Any],
    snapshots: Snapshots,
) -> _Reverted:
    """Check the entry against the row (locked), then save its "before"
    values back like an edit; raise Refusal otherwise."""
    model, plan = view.model, submission.plan
    entry = session.get(AuditEntry, entry_id)
    if entry is None or entry.model != view.identity or entry.pk != pk:
        raise Refusal("That history entry is not one of this row's.")
    if entry.action not in REVERTIBLE or not entry.changes:
        raise Refusal("Only changes to a row (updates) can be reverted.")
    row = session.scalars(
        select(model).where(*row_clauses(model, pk)).with_for_update()
    ).one_or_none()
    if row is None:
        raise Refusal(
            f"This {view.name.lower()} no longer exists: there is nothing to revert."
        )
    titles = {fact.name: fact.title for fact in columns_of(model)}
    labels: dict[Any, Any] = getattr(view, "_column_labels", {})

    def title(name: str) -> str:
        return str(labels.get(name) or titles.get(name) or humanize(name))

    secrets = secret_columns(model)
    columns = {
        column
        for planned in plan.writable
        if planned.kind in ("column", "to_one")
        for column in planned.columns
    }
    relations = {p.name for p in plan.writable if p.kind == "to_many"}
    current = values_of(row)
    changed_since: list[str] = []
    skipped: list[str] = []
    reverted: dict[str, Any] = {}
    picked: dict[str, list[str]] = {}
    for name, change in entry.changes.items():
        hidden = name in secrets or REDACTED in (
            change.get("before"),
            change.get("after"),
        )
        if hidden:
            skipped.append(title(name))
            continue
        if name in relations:
            now: Any = sorted(identifier_of(item) for item in getattr(row, name))
        elif name in current:
            now = plain(current[name])
        else:
            continue  # a field the model no longer has
        if now != change.get("after"):
            changed_since.append(title(name))
        elif name in relations:
            picked[name] = [str(v) for v in change.get("before") or []]
        elif name in columns:
            reverted[name] = change.get("before")
    if changed_since:
        raise Refusal(
            f"Not reverted: {', '.join(changed_since)} changed since this entry. "
            "Only the latest values of a field can be reverted."
        )
    if not reverted and not picked:
        raise Refusal(
            "Not reverted: nothing in this entry can be put back"
            + (f" ({', '.join(skipped)} hidden in the trail)." if skipped else ".")
        )
    try:
        validated = validate_table_row(model, {**current, **reverted})
    except ValidationError as exc:
        messages = "; ".join(str(e["msg"]) for e in exc.errors())
        raise Refusal(
            f"Not reverted: the old values are no longer valid: {messages}"
        ) from None
    changes = {name: getattr(validated, name) for name in reverted}
    problems = storage_errors(plan, changes)
    if problems:
        raise Refusal(f"Not reverted: {problems}")
    data.update(changes)
    data.update(picked)
    submission.changes = changes
    submission.picked = picked
    try:
        # The row is locked and was just compared: its snapshot is current.
        saved = update_row(session, submission, pk, snapshots, snapshots.token(row))
    except FormErrors as errors:
        raise Refusal(f"Not reverted: {errors}") from None
    return _Reverted(saved, data, skipped)


# The dashboard.


async def recent_actions(
    site: "AdminSite", request: Request, *, data_only: bool = False
) -> list[Shown]:
    """The latest :data:`RECENT_LIMIT` entries on views the user may open
    (and logins and the like, for those who may read the audit trail, unless
    ``data_only``), each with its row's history link and, while the row
    exists, its detail link."""
    views = {
        view.identity: view
        for view in site.views
        if isinstance(view, ModelView)
        and view.is_visible(request)
        and view.is_accessible(request)
    }
    sees_trail = any(view.model is AuditEntry for view in views.values())
    if not views:
        return []
    where: ColumnElement[bool] = col(AuditEntry.model).in_(list(views))
    if sees_trail and not data_only:
        where = or_(where, col(AuditEntry.model).is_(None))

    def load(session: Session) -> tuple[list[AuditEntry], Labels]:
        entries = list(
            session.scalars(
                select(AuditEntry)
                .where(where)
                .order_by(col(AuditEntry.id).desc())
                .limit(RECENT_LIMIT)
            ).all()
        )
        labels = Labels()
        for entry in entries:
            if entry.model in views and entry.pk is not None:
                labels.want(views[entry.model].model, entry.pk)
        return entries, labels.load(session)

    entries, labels = await run_in_session(site.session_maker, load)
    link = details_linker(views.values(), request)
    shown = []
    for entry in entries:
        view = views.get(entry.model or "")
        item = _shown(site, view, entry, revertible=False)
        if view is not None and entry.pk is not None:
            item.history_url = str(
                request.url_for("admin:history", identity=view.identity, pk=entry.pk)
            )
            item.row = labels.get(view.model, entry.pk, link)
            item.details_url = item.row.url or None
        shown.append(item)
    return shown
