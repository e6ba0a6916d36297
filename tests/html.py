"""Reading admin pages in tests: a form's values and the errors by field."""

import json
from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self.errors: dict[str, list[str]] = {}
        self.disabled: set[str] = set()
        self.selects: set[str] = set()
        self._last_name: str | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self._in_error = False
        self._option_value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag in ("input", "select", "textarea") and name:
            self._last_name = name
            if "disabled" in a:
                self.disabled.add(name)
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.values.setdefault(name, []).append(a.get("value") or "y")
            elif kind not in ("submit", "button"):
                self.values.setdefault(name, []).append(a.get("value") or "")
        elif tag == "select" and name:
            self._select = name
            self.selects.add(name)
            self.values.setdefault(name, [])
            # A select2 picker: its current picks travel as data-json for JS.
            picked = json.loads(a.get("data-json") or "null")
            for item in picked if isinstance(picked, list) else [picked]:
                if isinstance(item, dict) and "id" in item:
                    self.values[name].append(str(item["id"]))
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select].append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = [""]
        elif tag == "div" and "invalid-feedback" in (a.get("class") or ""):
            self._in_error = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # Browsers drop the newline that starts a textarea's content.
            text = self.values[self._textarea][0]
            self.values[self._textarea][0] = text.removeprefix("\r\n").removeprefix(
                "\n"
            )
            self._textarea = None
        elif tag == "div":
            self._in_error = False

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea][0] += data
        elif self._in_error and self._last_name and data.strip():
            self.errors.setdefault(self._last_name, []).append(data.strip())


def read_form(html: str) -> _FormReader:
    reader = _FormReader()
    reader.feed(html)
    reader.close()
    return reader


def form_values(html: str) -> dict[str, str]:
    """The form's current values, one per field (enabled fields only)."""
    reader = read_form(html)
    # Like a browser: a select with nothing selected sends nothing.
    return {
        name: values[0] if values else ""
        for name, values in reader.values.items()
        if name not in reader.disabled and (values or name not in reader.selects)
    }


def field_errors(html: str) -> dict[str, list[str]]:
    return read_form(html).errors
