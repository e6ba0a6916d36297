"""Human labels for rows: what the admin prints wherever a row stands for itself.

SQLModel's inherited ``__str__`` prints every field, password hashes included, so
it is used only when the model defines its own.
"""

from functools import cache
from typing import Any

from pydantic import BaseModel
from sqlmodel import SQLModel

from admin_app.inspection import columns_of
from admin_app.keys import format_key

LABEL_MAX_LENGTH = 120

# Tried in this order; the first non-sensitive column of these names labels a row.
LABEL_ATTRIBUTES = (
    "name",
    "title",
    "label",
    "display_name",
    "full_name",
    "username",
    "email",
    "reference",
    "code",
    "slug",
    "sku",
)

# Where two rows share a label, the first of these (other than the label's own
# column) tells them apart; without one, the row's key does.
DETAIL_ATTRIBUTES = (
    "email",
    "username",
    "code",
    "sku",
    "reference",
    "slug",
    "name",
    "title",
)

_INHERITED_STR_OWNERS = (SQLModel, BaseModel, object)


@cache
def _defines_own_str(model: type[Any]) -> bool:
    for klass in model.__mro__:
        if "__str__" in vars(klass):
            return klass not in _INHERITED_STR_OWNERS
    return False


@cache
def label_attribute(model: type[SQLModel]) -> str | None:
    """The column whose value labels rows of ``model``, if it has one."""
    visible = {fact.name for fact in columns_of(model) if not fact.sensitive}
    return next((name for name in LABEL_ATTRIBUTES if name in visible), None)


def row_label(obj: Any) -> str:
    """``str(obj)`` where the model defines it, else a name-like column, else
    ``Model #pk``. Long labels are cut, so a label never floods a page."""
    model: type = obj.__class__
    label: str | None = None
    if _defines_own_str(model):
        label = str(obj)
    elif isinstance(obj, SQLModel) and (attribute := label_attribute(model)):
        value = getattr(obj, attribute, None)
        label = None if value in (None, "") else str(value)
    if label is None:
        label = f"{model.__name__} #{format_key(obj)}"
    if len(label) > LABEL_MAX_LENGTH:
        label = label[: LABEL_MAX_LENGTH - 1] + "…"
    return label


@cache
def detail_attribute(model: type[SQLModel]) -> str | None:
    """The column that tells apart rows of ``model`` sharing a label."""
    visible = {fact.name for fact in columns_of(model) if not fact.sensitive}
    label = None if _defines_own_str(model) else label_attribute(model)
    return next((n for n in DETAIL_ATTRIBUTES if n in visible and n != label), None)


@cache
def labelled_by_column(model: type[SQLModel]) -> str | None:
    """The column whose value is the label, when the label is just that
    column (no ``__str__`` of the model's own)."""
    return None if _defines_own_str(model) else label_attribute(model)


def row_detail(obj: Any) -> str:
    """What tells ``obj`` apart from another row with the same label: its
    detail column (an e-mail), else ``#key``."""
    model: type[SQLModel] = type(obj)
    attribute = detail_attribute(model)
    value = getattr(obj, attribute, None) if attribute else None
    if value in (None, ""):
        return f"#{format_key(obj)}"
    text = str(value)
    return text if len(text) <= LABEL_MAX_LENGTH else text[: LABEL_MAX_LENGTH - 1] + "…"


def pluralize(name: str) -> str:
    """The English plural of a class's words (a view's ``name_plural``)."""
    if name.endswith("y") and not name.endswith(("ay", "ey", "oy", "uy")):
        return name[:-1] + "ies"
    if name.endswith(("s", "x", "ch", "sh")):
        return name + "es"
    return name + "s"
