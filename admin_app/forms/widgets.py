"""Form fields whose current values are in the HTML, for the inputs scripts
enhance: relationship pickers and tag inputs.

sqladmin's select2 widgets render an empty ``<select>`` and keep the current
choice only in a ``data-json`` attribute for its script to turn into options.
A form posted before the script ran (no JavaScript, a script that failed or was
blocked, Enter pressed too early) then submits nothing for the field, and the
save took that as "cleared". Here every current choice is an
``<option value=… selected>label</option>`` that select2 enhances, so the form
submits exactly what the page shows. Each field also sends a *presence marker*
(an empty ``<option>`` of a single choice; a hidden empty input before a
multiple one), so that clearing is an explicit empty value and a field missing
from a POST is told apart from one cleared
(:func:`admin_app.forms.validation.missing_fields`).
"""

from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from markupsafe import Markup, escape
from sqladmin.fields import AjaxSelectField, AjaxSelectMultipleField, Select2TagsField
from sqladmin.widgets import AjaxSelect2Widget, Select2TagsWidget
from sqlalchemy.orm import Session
from wtforms import Field, Form
from wtforms.widgets import html_params

from admin_app.db import run_in_session
from admin_app.labels import row_label
from admin_app.references import key_text


def _option(value: Any, label: str) -> str:
    return f'<option value="{escape(value)}" selected>{escape(label)}</option>'


def _blank_option(label: str = "") -> str:
    return f'<option value="">{escape(label)}</option>'


def _is_key(value: Any) -> bool:
    """A key read back from a submitted form, not a row."""
    if value is None or hasattr(value, "__table__"):
        return False
    return bool(str(value).strip())


def _formatted(value: Any, formatted: Mapping[str, Any]) -> tuple[str, str, str]:
    if not formatted:
        # A key that names no row (deleted meanwhile, or typed): shown as it is,
        # so the form still says what was submitted; the save refuses it.
        return str(value), str(value), ""
    label = str(formatted.get("text") or row_label(value))
    return str(formatted["id"]), label, str(formatted.get("detail") or "")


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _known_choices(
    field: Any, found: Mapping[str, Mapping[str, Any]]
) -> list[tuple[str, str, str]]:
    """``(key, label, detail)`` of each current choice: a row, or a key read
    back from a submitted form, formatted in ``found`` by its key text."""
    choices = []
    for value in _values(field):
        if _is_blank(value):
            continue
        if _is_key(value):
            formatted = found.get(key_text(value)) or {}
        else:
            formatted = field.loader.format(value)
        choices.append(_formatted(value, formatted))
    return choices


async def _choices(field: Any) -> list[tuple[str, str, str]]:
    """The field's current choices, read once (:func:`tell_apart` may have)."""
    known: list[tuple[str, str, str]] | None = getattr(field, "_admin_choices", None)
    if known is None:
        keys = [value for value in _values(field) if _is_key(value)]
        found = {key_text(k): await field.loader.format_by_pk(k) for k in keys}
        known = field._admin_choices = _known_choices(field, found)
    return known


def _values(field: Any) -> list[Any]:
    return list(field.data or []) if field.widget.multiple else [field.data]


async def _told_apart(
    field: Any, choices: list[tuple[str, str, str]]
) -> list[tuple[str, str]]:
    """``(key, text)`` of each choice, its detail beside a label other rows share."""
    same: set[str] | None = getattr(field, "_admin_shared", None)
    if same is None:
        shared = getattr(field.loader, "shared_labels", None)
        labels = {label for _, label, detail in choices if detail}
        same = await shared(labels) if shared is not None and labels else set()
    return [
        (key, f"{label} ({detail})" if label in same else label)
        for key, label, detail in choices
    ]


def _columns(fields: Iterable[Field]) -> dict[int, list[Any]]:
    """Pickers not yet told apart, by column (their loader)."""
    columns: dict[int, list[Any]] = {}
    for field in fields:
        loader = getattr(field, "loader", None)
        if (
            isinstance(field.widget, PickerWidget)
            and hasattr(loader, "rows_by_key_in")
            and getattr(field, "_admin_shared", None) is None
        ):
            columns.setdefault(id(loader), []).append(field)
    return columns


async def tell_apart(fields: Iterable[Field]) -> None:
    """Read what a page's pickers show, for all of them at once: the rows their
    keys name and which of their labels other rows share, one query per column
    for each, in one session (per engine) instead of one or two per field.
    Kept on each field for its widget."""
    by_engine: dict[int, list[list[Any]]] = {}
    for group in _columns(fields).values():
        maker = group[0].loader.model_admin.session_maker
        by_engine.setdefault(id(maker), []).append(group)
    for groups in by_engine.values():
        maker = groups[0][0].loader.model_admin.session_maker
        await run_in_session(maker, partial(_read, groups=groups))


def tell_apart_in(session: Session, fields: Iterable[Field]) -> None:
    """:func:`tell_apart` in a session already open (a page's other reads'),
    for the pickers whose rows live where that session reads; the others are
    left for :func:`tell_apart`."""
    bind = session.get_bind()
    groups = [
        group
        for group in _columns(fields).values()
        if _bind_of(group[0].loader.model_admin.session_maker) is bind
    ]
    _read(session, groups)


def _bind_of(session_maker: Any) -> Any:
    bind = session_maker.kw.get("bind")
    return getattr(bind, "sync_engine", bind)  # an async engine's own


def _read(session: Session, groups: list[list[Any]]) -> None:
    for group in groups:
        loader = group[0].loader
        keys = {key_text(v) for f in group for v in _values(f) if _is_key(v)}
        rows = loader.rows_by_key_in(session, keys) if keys else {}
        found = {key: loader.format(row) for key, row in rows.items()}
        labels: set[str] = set()
        for field in group:
            field._admin_choices = _known_choices(field, found)
            labels |= {label for _, label, detail in field._admin_choices if detail}
        same = loader.shared_labels_in(session, labels) if labels else set()
        for field in group:
            field._admin_shared = same


class PickerWidget(AjaxSelect2Widget):
    """A searchable picker whose current choice(s) are selected options."""

    async def __call__(self, field: Any, **kwargs: Any) -> Markup:
        kwargs.setdefault("data-role", "select2-ajax")
        kwargs.setdefault("data-url", field.loader.model_admin.ajax_lookup_url)
        kwargs.setdefault("id", field.id)
        kwargs.pop("type", None)
        if getattr(field, "allow_blank", False) and not self.multiple:
            kwargs.setdefault("data-allow-blank", "1")
        choices = await _told_apart(field, await _choices(field))
        options = "".join(_option(key, label) for key, label in choices)
        if self.multiple:
            kwargs["multiple"] = True
            marker = f'<input type="hidden" name="{escape(field.name)}" value="">'
            select = f"<select {html_params(name=field.name, **kwargs)}>"
            return Markup(marker + select + options + "</select>")  # noqa: S704
        select = f"<select {html_params(name=field.name, **kwargs)}>"
        # The empty option: select2's clear button, and "none" without scripts.
        # A required picker holding its row offers no "none" (as Django's
        # required ModelChoiceField with a value has no empty label): the
        # selected option is always sent, and clearing could only be refused.
        allow_blank = getattr(field, "allow_blank", False)
        blank = _blank_option() if allow_blank or not choices else ""
        return Markup(select + blank + options + "</select>")  # noqa: S704


class PickerField(AjaxSelectField):
    """A many-to-one (or foreign-key) picker: its key, or ``""`` when cleared."""

    widget = PickerWidget()

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist:
            self._data = None
            self._formdata = valuelist[0]

    def pre_validate(self, form: Form) -> None:
        """Required or not is the form's validators' business (forms.py)."""


class MultiplePickerField(AjaxSelectMultipleField):
    """A many-to-many picker: the picked keys in the order submitted, without
    the presence marker. Keys are not split on commas (a string key may hold
    one): each selected option is one key."""

    widget = PickerWidget(multiple=True)

    def process_formdata(self, valuelist: list[Any]) -> None:
        picked = [str(value) for value in valuelist if str(value).strip()]
        self.data = list(dict.fromkeys(picked))

    def pre_validate(self, form: Form) -> None:
        """Every key is checked when the picks are saved (saving.py)."""


class TagsWidget(Select2TagsWidget):
    """A tag input (array columns): each value a selected option, after a
    hidden presence marker."""

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        kwargs.setdefault("data-role", "select2-tags")
        kwargs.setdefault("id", field.id)
        kwargs["multiple"] = True
        values = [v for v in field.data or [] if v is not None]
        options = "".join(_option(v, str(v)) for v in values)
        marker = f'<input type="hidden" name="{escape(field.name)}" value="">'
        select = f"<select {html_params(name=field.name, **kwargs)}>"
        return Markup(marker + select + options + "</select>")  # noqa: S704


class TagsField(Select2TagsField):
    """Array values as typed tags, without the presence marker, each made an
    item of the array by ``coerce`` (the converter's, from the item type). A
    tag it refuses is an error by the field; the tags stay as typed."""

    widget = TagsWidget()

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = [value for value in valuelist if str(value).strip()]
        # The tags, not the marker, are what InputRequired/Optional look at.
        self.raw_data = list(self.data)
        self.data = [self.coerce(value) for value in self.data]


# sqladmin's field class → ours, swapped in when a form class is built.
REPLACEMENTS: Mapping[type[Field], type[Field]] = {
    AjaxSelectField: PickerField,
    AjaxSelectMultipleField: MultiplePickerField,
    Select2TagsField: TagsField,
}
