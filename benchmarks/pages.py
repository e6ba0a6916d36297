"""What the benchmark reads from an admin's HTML: a form's action and fields
(the CSRF token among them, a select by its selected option) and a page's
``rel="next"`` link. Fields inside a ``<template>`` are not the form's (a
browser posts none of them: an inline form's blank row to copy)."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str | None
    method: str
    fields: dict[str, str] = field(default_factory=dict)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.next_links: list[str] = []
        self._open: Form | None = None
        self._select: str | None = None
        self._templates = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "template":
            self._templates += 1
        elif self._templates:
            return
        elif tag == "form":
            self._open = Form(values.get("action"), values.get("method", "get"))
            self.forms.append(self._open)
        elif tag == "input" and self._open is not None and values.get("name"):
            if values.get("type", "text") not in ("submit", "button", "checkbox"):
                self._open.fields[values["name"]] = values.get("value", "")
        elif tag == "select" and self._open is not None and values.get("name"):
            self._select = values["name"]
            self._open.fields.setdefault(self._select, "")
        elif tag == "option" and self._select and "selected" in values:
            assert self._open is not None
            self._open.fields[self._select] = values.get("value", "")
        elif tag == "a" and "next" in values.get("rel", "").split():
            self.next_links.append(values.get("href", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self._templates = max(0, self._templates - 1)
        elif tag == "form":
            self._open = None
        elif tag == "select":
            self._select = None


def read(page: str) -> _Reader:
    reader = _Reader()
    reader.feed(page)
    reader.close()
    return reader


def post_form(page: str, action_ending: str) -> Form | None:
    """The form of ``page`` that POSTs to an action ending in ``action_ending``
    (the layout's logout form POSTs too)."""
    return next(
        (
            form
            for form in read(page).forms
            if form.method.lower() == "post"
            and (form.action or "").split("?")[0].endswith(action_ending)
        ),
        None,
    )


def csrf_fields(page: str) -> dict[str, str]:
    """``{"csrf_token": ...}`` when ``page`` embeds one (ours), else ``{}``."""
    token = next(
        (f.fields["csrf_token"] for f in read(page).forms if "csrf_token" in f.fields),
        None,
    )
    return {} if token is None else {"csrf_token": token}


def next_link(page: str) -> str | None:
    """The href of the page's ``rel="next"`` link, unless it leads nowhere."""
    for href in read(page).next_links:
        if href and href != "#":
            return href
    return None
