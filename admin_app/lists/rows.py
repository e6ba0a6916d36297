"""A list page's rows, ready to render: each row's links and cells worked out
in Python once per page rather than by the template once per cell.

sqladmin's list template asks the router for three or four URLs per row and
the authorization backend for three answers per row; on a 50-row page that
was most of the page's time. Here each kind of URL is built once per page (a
pattern the row's key is put into), and the permission answers are asked once
per page when they cannot depend on the row (our role backend, and check_can_*
methods a view has not overridden); otherwise per row, as sqladmin does.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from jinja2 import Environment
from markupsafe import Markup, escape
from sqladmin import ModelView
from sqladmin.helpers import slugify_class_name
from starlette.requests import Request

from admin_app.enums import reads_plainly
from admin_app.keys import format_key
from admin_app.lists.columns import shown_columns
from admin_app.security.permissions import RoleAuthorization

TEMPLATE = "admin_app/lists/rows.html"
_KEY = "__admin_app_key__"
_CHECKS = ("check_can_view_details", "check_can_edit", "check_can_delete")


@dataclass(frozen=True)
class Link:
    """A cell's text, linked when ``url`` is set."""

    text: Any
    url: str = ""

    def html(self, compact: bool) -> str:
        """Escaped HTML (a plain ``str``: joined by the hundred per page)."""
        text = str(escape(self.text))
        if compact:
            text = f"({text})"
        return f'<a href="{escape(self.url)}">{text}</a>' if self.url else text


@dataclass(frozen=True)
class Cell:
    links: list[Link]
    # A to-many relation: several links, or none.
    many: bool = False

    def html(self, compact: bool) -> str:
        """The cell's content, escaped, as sqladmin's template would write it."""
        if not self.many:
            return self.links[0].html(compact=False)
        joiner = "" if compact else "<br />"
        return "".join(link.html(compact) + joiner for link in self.links)


@dataclass(frozen=True)
class ListRow:
    key: str
    details_url: str
    edit_url: str
    delete_url: str
    cells: list[Cell]

    def cells_html(self, compact: bool) -> Markup:
        """The row's ``<td>`` cells, in one piece for the template."""
        html = "".join(f"<td>{cell.html(compact)}</td>" for cell in self.cells)
        return Markup(html)  # noqa: S704 (each piece escaped by Link.html)


class UrlPatterns:
    """``url_for`` once per route and model for a page, then string work."""

    def __init__(self, request: Request) -> None:
        self._request = request
        self._patterns: dict[tuple[str, str], str] = {}

    def url(self, name: str, identity: str, key: str) -> str:
        pattern = self._patterns.get((name, identity))
        if pattern is None:
            found = self._request.url_for(name, identity=identity, pk=_KEY)
            pattern = self._patterns[name, identity] = str(found)
        return pattern.replace(_KEY, key)

    def of(self, row: Any) -> str:
        """The details page of any model's ``row``."""
        identity = slugify_class_name(type(row).__name__)
        return self.url("admin:details", identity, format_key(row))


def _row_independent(view: ModelView) -> bool:
    admin = getattr(view, "_admin_ref", None)
    backend = getattr(admin, "authorization_backend", None)
    overridden = any(
        getattr(type(view), name) is not getattr(ModelView, name) for name in _CHECKS
    )
    return isinstance(backend, RoleAuthorization) and not overridden


async def list_rows(
    view: ModelView, request: Request, rows: list[Any]
) -> list[ListRow]:
    # A view's hook to read what its cells name for the whole page at once.
    prepare = getattr(view, "prepare_rows", None)
    if prepare is not None:
        await prepare(request, rows)
    urls = UrlPatterns(request)
    delete_base = str(request.url_for("admin:delete", identity=view.identity))
    query = f"?{request.url.query}" if request.url.query else ""
    checks: list[Callable[[Request, Any], Awaitable[bool]]] = [
        getattr(view, name) for name in _CHECKS
    ]
    plain = _plain_columns(view)
    shown = shown_columns(view, request)
    shared = None
    if rows and _row_independent(view):
        shared = [await check(request, rows[0]) for check in checks]
    built: list[ListRow] = []
    for row in rows:
        allowed = shared or [await check(request, row) for check in checks]
        key = format_key(row)
        built.append(
            ListRow(
                key=key,
                details_url=urls.url("admin:details", view.identity, key)
                if allowed[0]
                else "",
                edit_url=urls.url("admin:edit", view.identity, key) + query
                if allowed[1]
                else "",
                delete_url=f"{delete_base}?pks={quote_plus(key)}" if allowed[2] else "",
                cells=[
                    Cell([Link(view._default_formatter(getattr(row, name)))])
                    if name in plain
                    else await _cell(view, request, urls, row, name)
                    for name in shown
                ],
            )
        )
    return built


def _plain_columns(view: ModelView) -> set[str]:
    """Columns whose cell is the default formatter's text of the attribute:
    read without sqladmin's per-cell coroutines."""
    own_list_value = type(view).get_list_value is not ModelView.get_list_value
    if own_list_value or not reads_plainly(view):
        return set()
    return {
        name
        for name in view._list_prop_names
        if name not in view._relation_names
        and name not in view._list_formatters
        and "." not in name
    }


async def _cell(
    view: ModelView, request: Request, urls: UrlPatterns, row: Any, name: str
) -> Cell:
    value, formatted = await view.get_list_value(row, name, request)
    if name not in view._relation_names:
        return Cell([Link(formatted)])
    linked = name not in view._non_link_related_fields
    if isinstance(value, list | tuple | set):
        return Cell(
            [
                Link(text, urls.of(item) if linked else "")
                for item, text in zip(value, formatted, strict=False)
            ],
            many=True,
        )
    return Cell(
        [Link(formatted, urls.of(value) if linked and value is not None else "")]
    )


def render_rows(env: Environment, view: ModelView, rows: list[ListRow]) -> Markup:
    """The rows' HTML from :data:`TEMPLATE`, rendered synchronously: sqladmin's
    environment is async, which costs a coroutine step per piece of output,
    several hundred on a list page."""
    sync: Environment | None = getattr(env, "_admin_app_sync", None)
    if sync is None:
        sync = env.overlay(enable_async=False)
        env._admin_app_sync = sync  # type: ignore[attr-defined]
    template = sync.get_template(TEMPLATE)
    context = {"list_rows": rows, "model_view": view}
    # The template escapes what it writes (the environment autoescapes).
    html = template.render(context, compact=view.show_compact_lists)
    return Markup(html)  # noqa: S704
