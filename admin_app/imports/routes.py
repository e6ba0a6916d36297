"""The import's pages: upload → (mapping) → preview → confirm → result, undo.

``/{identity}/import`` shows the upload form (GET) and takes the file (POST);
``/{identity}/import/{id}`` is the import's page: its preview until it is
confirmed, then its result. Every route needs the ``import`` right on the
view (sqladmin's ``Action.IMPORT``, see :mod:`admin_app.security.permissions`)
and an import of the signed-in user; anything else is 403 or 404.

Each step is a plain form POST answered by a redirect, so it all works
without JavaScript; ``statics/js/imports.js`` only shows the confirm's
progress while its POST runs (polling ``…/progress``).
"""

import re
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqladmin.authentication import login_required
from sqladmin.flash import FlashLevel
from sqladmin.i18n import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from admin_app.audit.entries import actor_of
from admin_app.db import run_in_session
from admin_app.forms.planning import plans_forms
from admin_app.imports import files, running, undoing
from admin_app.imports.checking import Checker, Forms
from admin_app.imports.mapping import (
    IGNORED,
    mapping_problems,
    matched,
    needs_mapping,
    targets,
    unique_columns,
)
from admin_app.imports.readers import (
    ENCODINGS,
    FileRefused,
    format_of,
    opened,
    xlsx_available,
)
from admin_app.imports.records import ImportRecord, State
from admin_app.imports.writing import Writer
from admin_app.messages import flash, take_errors

if TYPE_CHECKING:
    from admin_app.site import AdminSite
    from admin_app.views.inferred import AutoModelView

TEMPLATE = "admin_app/imports/%s.html"
# The upload's path, which the request limits let carry a bigger body.
UPLOAD_PATH = re.compile(r"/[^/]+/import$")


def install(site: "AdminSite") -> None:
    """Replace sqladmin's CSV import route by ours, and add the import's pages."""
    routes = site.admin.router.routes
    ours = [
        Route("/{identity}/import", partial(upload_page, site), name="import",
              methods=["GET", "POST"]),
        Route("/{identity}/import/{import_id}", partial(import_page, site),
              name="import_page"),
        Route("/{identity}/import/{import_id}/mapping", partial(mapping_page, site),
              name="import_mapping", methods=["GET", "POST"]),
        Route("/{identity}/import/{import_id}/confirm", partial(confirm_page, site),
              name="import_confirm", methods=["POST"]),
        Route("/{identity}/import/{import_id}/progress", partial(progress, site),
              name="import_progress"),
        Route("/{identity}/import/{import_id}/refused.csv", partial(refused_rows, site),
              name="import_refused"),
        Route("/{identity}/import/{import_id}/undo", partial(undo_page, site),
              name="import_undo", methods=["POST"]),
    ]  # fmt: skip
    for index, route in enumerate(routes):
        if isinstance(route, Route) and route.name == "import":
            routes[index : index + 1] = ours
            return
    routes.extend(ours)


async def _view(site: "AdminSite", request: Request) -> "AutoModelView":
    """The view of the URL, when the user holds its ``import`` right."""
    await site._import(request)  # sqladmin's checks: accessible, can_import
    view = site._find_model_view(request.path_params["identity"])
    if not plans_forms(view):
        raise HTTPException(status_code=404)
    return view


async def _record(
    site: "AdminSite", request: Request, view: "AutoModelView"
) -> ImportRecord:
    """The user's import named by the URL, of this view; 404 for anyone else's."""
    import_id = request.path_params["import_id"]
    user = getattr(request.state, "admin_user", None)
    if not files.is_id(import_id):
        raise HTTPException(status_code=404)

    def read(session: Session) -> ImportRecord | None:
        return session.get(ImportRecord, import_id)

    record = await run_in_session(site.session_maker, read)
    if (
        record is None
        or record.model != view.identity
        or record.user_id != getattr(user, "id", None)
    ):
        raise HTTPException(status_code=404)
    return record


def _folder(site: "AdminSite") -> Path:
    return files.directory(site.import_settings.directory)


async def _render(
    site: "AdminSite",
    request: Request,
    name: str,
    context: dict[str, Any],
    status: int = 200,
) -> Response:
    return await site.templates.TemplateResponse(
        request, TEMPLATE % name, context, status_code=status
    )


def _to(request: Request, name: str, **params: str) -> RedirectResponse:
    return RedirectResponse(str(request.url_for(f"admin:{name}", **params)), 303)


# Upload.


@login_required
async def upload_page(site: "AdminSite", request: Request) -> Response:
    declared = site._find_model_view(request.path_params["identity"])
    if not plans_forms(declared) and request.method == "POST":
        # A plain ModelView has no form plan to validate rows by: sqladmin's
        # own CSV import (its modal on the list), audited.
        return await site.import_endpoint(request)
    view = await _view(site, request)
    context = _context(
        view,
        encodings=ENCODINGS,
        formats=["CSV", "JSON", "JSON Lines", *(["XLSX"] if xlsx_available() else [])],
        limits=site.import_settings,
        fields=targets(view.form_plan("create")),
    )
    if request.method != "POST":
        return await _render(site, request, "upload", context)
    settings = site.import_settings
    form = await request.form(max_files=1, max_fields=10)
    upload = form.get("file")
    encoding = str(form.get("encoding") or "utf-8")
    if not isinstance(upload, UploadFile) or not upload.filename:
        context["error"] = gettext("Choose a file to import.")
        return await _render(site, request, "upload", context, 400)
    file_format = format_of(upload.filename)
    if file_format is None:
        context["error"] = gettext(
            "Import a .csv, .json, .jsonl or .xlsx file (this one is “%(name)s”)."
        ) % {"name": upload.filename[:100]}
        return await _render(site, request, "upload", context, 400)
    folder = _folder(site)
    files.remove_expired(folder, settings.expiry_seconds)
    import_id = files.new_id()
    path = files.upload_path(folder, import_id)
    try:
        await files.save_upload(upload, path, settings.max_bytes)
        with opened(path, file_format, encoding) as found:
            headers = found.headers
            next(iter(found.rows), None)  # the first row reads (its encoding)
    except FileRefused as refused:
        files.remove(folder, import_id)
        context["error"] = str(refused)
        return await _render(site, request, "upload", context, 400)
    finally:
        await upload.close()
    user = getattr(request.state, "admin_user", None)
    fields = targets(view.form_plan("create"))
    remembered = await run_in_session(
        site.session_maker,
        partial(_last_mapping, model=view.identity, user_id=getattr(user, "id", None)),
    )
    mapping = matched(headers, fields, remembered)
    record = ImportRecord(
        id=import_id,
        model=view.identity,
        user_id=getattr(user, "id", None),
        username=str(getattr(user, "username", "") or "")[:150],
        file_name=upload.filename[:255],
        file_format=file_format,
        mapping=mapping,
        options={
            "encoding": encoding,
            "headers": headers,
            "match": _default_match(view, mapping),
        },
    )
    await run_in_session(site.session_maker, partial(_save, record=record))
    if needs_mapping(mapping, remembered) or mapping_problems(mapping, fields):
        return _to(
            request, "import_mapping", identity=view.identity, import_id=import_id
        )
    problem = await _dry_run(site, view, record)
    if problem:
        context["error"] = problem
        return await _render(site, request, "upload", context, 400)
    return _to(request, "import_page", identity=view.identity, import_id=import_id)


def _default_match(view: "AutoModelView", mapping: dict[str, str]) -> str | None:
    """Rows are matched on the key, else the first unique column, the file
    has; without one, every row is new."""
    chosen = set(mapping.values())
    for name in unique_columns(view.model):
        if name in chosen:
            return name
    return None


def _last_mapping(session: Session, model: str, user_id: int | None) -> dict[str, str]:
    found = session.scalar(
        select(col(ImportRecord.mapping))
        .where(col(ImportRecord.model) == model, col(ImportRecord.user_id) == user_id)
        .order_by(col(ImportRecord.created_at).desc())
        .limit(1)
    )
    return dict(found or {})


def _save(session: Session, record: ImportRecord) -> None:
    session.merge(record)
    session.commit()


async def _forms(view: "AutoModelView") -> Forms:
    create, edit = view.form_plan("create"), view.form_plan("edit")
    return Forms(
        create,
        edit,
        await view.form_class_for(create),
        await view.form_class_for(edit),
        view.password_hasher(create),
        view.password_hasher(edit),
    )


async def _checker(view: "AutoModelView", record: ImportRecord) -> Checker:
    headers = list(record.options.get("headers") or [])
    return Checker(
        view.model,
        await _forms(view),
        headers,
        record.mapping,
        record.options.get("match"),
    )


async def _dry_run(
    site: "AdminSite", view: "AutoModelView", record: ImportRecord
) -> str | None:
    """Run the dry run and keep its counts on the record; a message when the
    file cannot be read."""
    folder = _folder(site)
    checker = await _checker(view, record)
    path = files.upload_path(folder, record.id)
    settings = site.import_settings

    def run(session: Session) -> running.Report:
        with opened(
            path,
            record.file_format,
            str(record.options.get("encoding") or "utf-8"),
            settings.max_rows,
        ) as found:
            return running.dry_run(
                session, checker, found, files.refused_path(folder, record.id)
            )

    try:
        report = await run_in_session(view.session_maker, run)
    except FileRefused as refused:
        return str(refused)
    record.counts = report.counts
    record.options = {**record.options, "refused": report.refused}
    await run_in_session(site.session_maker, partial(_save, record=record))
    return None


# Mapping.


@login_required
async def mapping_page(site: "AdminSite", request: Request) -> Response:
    view = await _view(site, request)
    record = await _record(site, request, view)
    if record.state != State.previewed:
        return _to(request, "import_page", identity=view.identity, import_id=record.id)
    fields = targets(view.form_plan("create"))
    mapping = dict(record.mapping)
    match = record.options.get("match")
    problems: list[str] = []
    if request.method == "POST":
        form = await request.form()
        headers = list(record.options.get("headers") or [])
        mapping = {
            header: str(form.get(f"column_{index}") or IGNORED)
            for index, header in enumerate(headers)
        }
        match = str(form.get("match") or "") or None
        problems = mapping_problems(mapping, fields)
        if match is not None and match not in mapping.values():
            problems.append(
                gettext("Rows can only be matched on a column of the file.")
            )
        if not problems:
            record.mapping = mapping
            record.options = {**record.options, "match": match}
            problem = await _dry_run(site, view, record)
            if problem is None:
                return _to(
                    request, "import_page", identity=view.identity, import_id=record.id
                )
            problems.append(problem)
    headers = list(record.options.get("headers") or [])
    return await _render(
        site,
        request,
        "mapping",
        _context(
            view,
            record,
            columns=[(i, h, mapping.get(h, IGNORED)) for i, h in enumerate(headers)],
            fields=fields,
            match=match,
            match_choices=_match_choices(view, fields),
            problems=problems,
        ),
        400 if problems else 200,
    )


def _match_choices(view: "AutoModelView", fields: list[Any]) -> list[tuple[str, str]]:
    labels = {target.name: target.label for target in fields}
    return [(name, labels.get(name, name)) for name in unique_columns(view.model)]


# Preview and result.


@login_required
async def import_page(site: "AdminSite", request: Request) -> Response:
    view = await _view(site, request)
    record = await _record(site, request, view)
    fields = {t.name: t.label for t in targets(view.form_plan("create"))}
    previewed = record.state in (State.previewed, State.running)
    context = _context(
        view,
        record,
        refused=record.options.get("refused") or [],
        mapped=[
            (header, fields.get(name, name)) for header, name in record.mapping.items()
        ],
        match_label=fields.get(record.options.get("match") or "", ""),
        messages=take_errors(request),
    )
    return await _render(site, request, "preview" if previewed else "result", context)


def _context(
    view: "AutoModelView", record: ImportRecord | None = None, **more: Any
) -> dict[str, Any]:
    """What every page of an import shows: the view, the title, the import."""
    counts = record.counts if record is not None else {}
    return {
        "model_view": view,
        "title": gettext("Import %(name)s") % {"name": view.name_plural},
        "record": record,
        "counts": counts or {},
        "total": sum((counts or {}).values()),
        **more,
    }


@login_required
async def refused_rows(site: "AdminSite", request: Request) -> Response:
    view = await _view(site, request)
    record = await _record(site, request, view)
    path = files.refused_path(_folder(site), record.id)
    if not path.exists():
        raise HTTPException(status_code=404)
    name = f"{view.identity}-refused-rows.csv"
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename=name)


@login_required
async def progress(site: "AdminSite", request: Request) -> Response:
    view = await _view(site, request)
    record = await _record(site, request, view)
    done, total = running.PROGRESS.get(
        record.id, (0, sum((record.counts or {}).values()))
    )
    return JSONResponse({"state": record.state, "done": done, "total": total})


# Confirm and undo.


@login_required
async def confirm_page(site: "AdminSite", request: Request) -> Response:
    view = await _view(site, request)
    record = await _record(site, request, view)
    form = await request.form()
    valid_only = form.get("valid_only") == "1"
    page = partial(
        _to, request, "import_page", identity=view.identity, import_id=record.id
    )
    if record.counts.get("refused") and not valid_only:
        return page()  # the preview offers only "import the valid rows"
    claimed = await run_in_session(
        site.session_maker, partial(running.claim, record_id=record.id)
    )
    if not claimed:
        return page()  # confirmed already (or running): nothing more to do
    folder = _folder(site)
    checker = await _checker(view, record)
    writer = Writer(view.model, view.identity, actor_of(request, site), record.id)

    def run(session: Session) -> running.Report:
        with opened(
            files.upload_path(folder, record.id),
            record.file_format,
            str(record.options.get("encoding") or "utf-8"),
            site.import_settings.max_rows,
        ) as found:
            return running.confirm(
                session, checker, writer, found, record.id, record.counts, valid_only
            )

    release = partial(running.release, record_id=record.id)
    try:
        await run_in_session(view.session_maker, run)
    except (running.ImportFailed, FileRefused) as failed:
        await run_in_session(site.session_maker, release)
        flash(request, str(failed), FlashLevel.error)
        return page()
    except BaseException:
        await run_in_session(site.session_maker, release)
        raise
    files.remove(folder, record.id)
    return page()


@login_required
async def undo_page(site: "AdminSite", request: Request) -> Response:
    view = await _view(site, request)
    record = await _record(site, request, view)
    page = partial(
        _to, request, "import_page", identity=view.identity, import_id=record.id
    )
    if record.state != State.done:
        return page()
    actor = actor_of(request, site)

    def run(session: Session) -> int:
        if not running.moved(session, record.id, State.done, State.undone):
            session.rollback()
            return 0
        count = undoing.undo(session, view.model, view.identity, record.id, actor)
        session.commit()
        return count

    try:
        await run_in_session(view.session_maker, run)
    except undoing.UndoRefused as refused:
        context = _context(view, record, undo_refused=refused)
        return await _render(site, request, "result", context, 409)
    return page()
