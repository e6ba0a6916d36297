"""Reading admin pages in tests: a form's values as a browser without
JavaScript submits them, and the errors by field."""

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
        self._multiple: dict[str, bool] = {}
        self._chosen: dict[str, list[str]] = {}
        self._first_option: str | None = None
        # A <template>'s content is not part of the form (scripts copy it).
        self._in_template = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "template":
            self._in_template += 1
        if self._in_template:
            return
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
            self._multiple[name] = "multiple" in a
            self._first_option = None
        elif tag == "option" and self._select:
            value = a.get("value") or ""
            if "selected" in a:
                self._chosen.setdefault(self._select, []).append(value)
            elif self._first_option is None:
                self._first_option = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = [""]
        elif tag == "div" and "invalid-feedback" in (a.get("class") or ""):
            self._in_error = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self._in_template -= 1
        if self._in_template:
            return
        if tag == "select" and self._select:
            chosen = self._chosen.pop(self._select, [])
            if not chosen and not self._multiple[self._select]:
                # A single select with nothing marked sends its first option.
                chosen = [] if self._first_option is None else [self._first_option]
            # Only the option data-json once named: a browser sends none of it.
            self.values[self._select].extend(chosen)
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


def form_values(html: str) -> dict[str, str | list[str]]:
    """What the form submits, enabled fields only, as a browser without
    JavaScript would: one value per name, or the list of a name sent several
    times (a multiple picker and its presence marker). A select with nothing
    selected sends nothing."""
    reader = read_form(html)
    return {
        name: values[0] if len(values) == 1 else values
        for name, values in reader.values.items()
        if name not in reader.disabled and values
    }


def field_errors(html: str) -> dict[str, list[str]]:
    return read_form(html).errors
