"""Exports: CSV cells that a spreadsheet would run as formulas are neutralised,
file names are plain ASCII, and a large export needs a POST.

A GET of ``/{identity}/export/{type}`` streams the file while the table holds at
most ``export_get_max_rows`` rows; beyond that it answers a confirmation page
whose form POSTs (with the CSRF token), so no link, prefetch or other site's
page can start a heavy export.
"""

import re
import time
import unicodedata
from collections.abc import AsyncGenerator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqladmin import ModelView
from sqladmin.authentication import login_required
from sqladmin.helpers import Writer, secure_filename, stream_to_csv
from sqladmin.pretty_export import PrettyExport
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

if TYPE_CHECKING:
    from admin_app.site import AdminSite

TEMPLATE = "admin_app/export_confirm.html"
# What spreadsheets read as the start of a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` as a CSV cell no spreadsheet runs: text starting like a formula
    gets a leading ``'``; numbers are left alone (``-5`` is data)."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


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


async def csv_response(
    view: ModelView, rows: Sequence[Any], request: Request | None
) -> StreamingResponse:
    """sqladmin's CSV export (plain or ``use_pretty_export``), neutralised."""
    pretty = view.use_pretty_export
    names = view.get_export_columns() if pretty else view._export_prop_names

    async def generate(writer: Writer) -> AsyncGenerator[Any, None]:
        header = [view._column_labels.get(name, name) for name in names]
        yield writer.writerow(
            [neutralise(cell) for cell in (header if pretty else names)]
        )
        for row in rows:
            if pretty:
                values = await PrettyExport._get_export_row_values(
                    view, row, list(names), request
                )
            else:
                values = [
                    _plain(await view.get_prop_value(row, name)) for name in names
                ]
            yield writer.writerow([neutralise(value) for value in values])

    return StreamingResponse(
        content=stream_to_csv(generate),
        media_type="text/csv; charset=utf-8",
        headers=attachment(view.get_export_name(export_type="csv")),
    )


def _plain(value: Any) -> Any:
    # sqladmin writes str(value) for every cell ("None" included); numbers stay
    # numbers here so that neutralise can tell them from text.
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    return str(value)


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
    limit = view.export_max_rows or None
    if request.method == "GET" and site.export_get_max_rows is not None:
        count = await view.count(request)
        if limit is not None:
            count = min(count, limit)
        if count > site.export_get_max_rows:
            return await site.templates.TemplateResponse(
                request,
                TEMPLATE,
                {
                    "model_view": view,
                    "title": view.name_plural,
                    "count": count,
                    "export_type": export_type,
                    "action_url": request.url.path,
                    "cancel_url": str(
                        request.url_for("admin:list", identity=view.identity)
                    ),
                },
            )
    rows = await view.get_model_objects(request=request, limit=view.export_max_rows)
    return await view.export_data(rows, export_type=export_type, request=request)
