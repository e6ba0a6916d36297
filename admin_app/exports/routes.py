"""Exports: the rows of the list the user is looking at, streamed; a large
export needs a POST; CSV cells never run as formulas; file names are ASCII.

``/{identity}/export/{csv|json}`` takes the list's query parameters (search,
filters, sort; paging is ignored) and exports exactly those rows, in that
order, within the view's ``list_query`` and ``export_max_rows`` (0: no cap).
The rows stream from the database in batches (see
:mod:`admin_app.exports.stream`, :mod:`admin_app.exports.formats`).

A GET streams the file when the export holds at most ``export_get_max_rows``
rows (counted up to a cap, never a full ``COUNT`` of a big table); beyond that
it answers a confirmation page whose form POSTs (with the CSRF token), so no
link, prefetch or other site's page can start a heavy export. The response
says how many rows to expect (``X-Export-Expected-Rows``, and how sure in
``X-Export-Expected-Accuracy``: exact, estimate or at_least) for the page's
progress bar (``statics/js/export.js``).
"""

import re
import time
import unicodedata
from collections.abc import AsyncGenerator, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from sqladmin import ModelView
from sqladmin.authentication import login_required
from sqladmin.helpers import secure_filename
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from admin_app.db import run_in_session
from admin_app.exports.formats import (
    FORMULA_STARTS,
    format_for,
    layout_of,
    neutralise,
    object_values,
    with_labels,
)
from admin_app.exports.stream import BATCH_ROWS, Export, ExportResponse, produce
from admin_app.lists import listing
from admin_app.lists.counting import Accuracy, RowCount, count_rows
from admin_app.lists.pagination import NOT_THE_ROWS
from admin_app.lists.params import check_list_query

if TYPE_CHECKING:
    from admin_app.site import AdminSite

__all__ = ["FORMULA_STARTS", "export_filename", "export_page", "install", "neutralise"]

TEMPLATE = "admin_app/exports/confirm.html"
EXPECTED_ROWS = "X-Export-Expected-Rows"
EXPECTED_ACCURACY = "X-Export-Expected-Accuracy"
# Query parameters of the list that do not choose rows.


def export_filename(view: ModelView, export_type: str) -> str:
    """``clubs_2024-05-01_12-00-00.csv``: ASCII letters, digits and ``_`` from
    the view's name, whatever it holds (quotes, slashes, line breaks)."""
    name = _slug(view.name_plural, "export")
    moment = time.strftime("%Y-%m-%d_%H-%M-%S")
    return f"{name}_{moment}.{_slug(export_type, 'txt')}"


def _slug(text: str, default: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "_", plain).strip("_").lower()[:60] or default


def attachment(filename: str) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="{secure_filename(filename)}"'
    }


def install(site: "AdminSite") -> None:
    """Let the export route answer POST too (sqladmin's takes GET)."""
    routes = site.admin.router.routes
    for index, route in enumerate(routes):
        if isinstance(route, Route) and route.name == "export":
            routes[index] = Route(
                route.path, endpoint=site.export, name="export", methods=["GET", "POST"]
            )


@login_required
async def export_page(site: "AdminSite", request: Request) -> Response:
    await site._export(request)  # sqladmin's checks: allowed, known type
    view = site._find_model_view(request.path_params["identity"])
    export_type = request.path_params["export_type"]
    check_list_query(view, request)  # 400 for what the list would refuse
    query = await listing.list_statement(view, request)
    limit = view.export_max_rows or None
    stmt = query.stmt if limit is None else query.stmt.limit(limit)
    get_max = _confirmation_above(site, view, request)
    expected = None
    if get_max is not None or request.method == "POST":
        cap = max(int(getattr(view, "count_cap", 0)), get_max or 0, 1)
        expected = await _expected(view, query, cap, limit)
    if get_max is not None and expected is not None and not _within(expected, get_max):
        return await _confirmation(site, view, request, export_type, expected)
    layout = layout_of(view, export_type)
    export = Export(view, request, stmt, layout, format_for(export_type, layout))
    headers = attachment(view.get_export_name(export_type=export_type))
    if expected is not None:
        headers[EXPECTED_ROWS] = str(expected.value)
        headers[EXPECTED_ACCURACY] = expected.accuracy.value
    return ExportResponse(partial(produce, export), headers, export.format.media_type)


def _confirmation_above(
    site: "AdminSite", view: ModelView, request: Request
) -> int | None:
    """How many rows a GET may export without a confirmation; None: any."""
    get_max = site.export_get_max_rows
    limit = view.export_max_rows or None
    # A POST is the confirmation; HEAD runs the export as a GET would.
    if request.method == "POST" or get_max is None:
        return None
    return None if limit is not None and limit <= get_max else get_max


def _within(count: RowCount, rows: int) -> bool:
    return count.exact and count.value <= rows


async def _expected(
    view: ModelView, query: listing.ListQuery, cap: int, limit: int | None
) -> RowCount:
    """How many rows the export holds, as the list counts them (up to ``cap``,
    or the table's statistics), within ``export_max_rows``."""
    if limit is not None:
        cap = min(cap, limit)

    def count(session: Session) -> RowCount:
        return count_rows(
            session, view, query.stmt, narrowed=query.narrowed, exact=False, cap=cap
        )

    found = await run_in_session(view.session_maker, count)
    if limit is None or found.value < limit:
        return found
    if found.accuracy is Accuracy.ESTIMATE:
        return RowCount(limit, Accuracy.ESTIMATE)
    return RowCount(limit)  # more rows than the cap: exactly the cap's


async def _confirmation(
    site: "AdminSite",
    view: ModelView,
    request: Request,
    export_type: str,
    count: RowCount,
) -> Response:
    chosen = request.url.remove_query_params(NOT_THE_ROWS)
    query = f"?{chosen.query}" if chosen.query else ""
    list_url = request.url_for("admin:list", identity=view.identity)
    return await site.templates.TemplateResponse(
        request,
        TEMPLATE,
        {
            "model_view": view,
            "title": view.name_plural,
            "count": count,
            "export_type": export_type,
            "action_url": request.url.path + query,
            "cancel_url": str(list_url) + query,
        },
    )


async def csv_response(
    view: ModelView, rows: Sequence[Any], request: Request | None
) -> StreamingResponse:
    """sqladmin's ``export_data`` for CSV, for rows already read: cells as the
    streamed export writes them (neutralised)."""
    layout = layout_of(view, "csv")
    writer = format_for("csv", layout)

    async def generate() -> AsyncGenerator[str, None]:
        yield writer.start()
        for first in range(0, len(rows), BATCH_ROWS):
            batch = rows[first : first + BATCH_ROWS]
            values: Sequence[Sequence[Any]] = await object_values(
                view, layout, batch, request
            )
            if layout.labelled:
                values = await run_in_session(
                    view.session_maker, partial(with_labels, layout, values)
                )
            yield writer.rows(values)
        yield writer.end()

    return StreamingResponse(
        content=generate(),
        media_type=writer.media_type,
        headers=attachment(view.get_export_name(export_type="csv")),
    )
