"""A table's API models and password hashers: what create and edit forms validate.

Where a models module declares ``<Model>Create`` / ``<Model>Update`` (plain
SQLModel or Pydantic classes), the admin's create form shows and validates the
first and its edit form the second, exactly as the application's API does.
"""

import importlib
import re
import sys
from collections.abc import Callable, Iterable
from functools import cache
from types import ModuleType
from typing import Any

from pydantic import BaseModel
from sqlmodel import SQLModel

from admin_app.inspection import admin_options, columns_of, is_sensitive_name
from admin_app.settings import Settings, SettingsError

Hasher = Callable[[str], str]

# A schema field of one of these names carries a plaintext password.
PASSWORD_FIELDS = ("password", "new_password", "plain_password")
_HASH_NAME = re.compile(
    r"^(?:.*_)?(?:password|passwd|pwd|hash|hashed)$|^hashed_.*$|^.*_hash$",
    re.IGNORECASE,
)


def find_schema(
    model: type[SQLModel], modules: Iterable[ModuleType], suffix: str
) -> type[BaseModel] | None:
    """``<Model><suffix>`` from the given modules or the model's own module."""
    name = model.__name__ + suffix
    searched = [*modules, sys.modules.get(model.__module__)]
    for module in searched:
        candidate = getattr(module, name, None) if module is not None else None
        if (
            isinstance(candidate, type)
            and issubclass(candidate, BaseModel)
            and not getattr(candidate, "__table__", None)
        ):
            return candidate
    return None


def import_hasher(spec: str | Hasher) -> Hasher:
    """A hasher given as a callable or as ``"package.module:function"``."""
    if callable(spec):
        return spec
    module_name, _, attribute = spec.partition(":")
    hasher = getattr(importlib.import_module(module_name), attribute or "hash")
    if not callable(hasher):
        raise TypeError(f"{spec} is not callable")
    return hasher  # type: ignore[no-any-return]


def configured_hasher(settings: Settings) -> Hasher:
    """``ADMIN_PASSWORD_HASHER``, imported (raises SettingsError)."""
    try:
        return import_hasher(settings.password_hasher)
    except (ImportError, AttributeError, TypeError, ValueError) as exc:
        raise SettingsError(
            f"ADMIN_PASSWORD_HASHER: cannot use {settings.password_hasher!r} ({exc})"
        ) from None


def marked_hasher(model: type[SQLModel], column: str) -> Hasher | None:
    """The hasher a model marks a column with (``{"admin": {"hasher": ...}}``)."""
    spec = admin_options(model, column).get("hasher")
    return import_hasher(spec) if spec else None


@cache
def password_column(model: type[SQLModel]) -> str | None:
    """The column that stores a password hash: the one marked with a hasher,
    else a sensitive column whose name speaks of a hashed password."""
    for fact in columns_of(model):
        if admin_options(model, fact.name).get("hasher"):
            return fact.name
    for fact in columns_of(model):
        lowered = fact.name.lower()
        if fact.sensitive and "password" in lowered and is_sensitive_name(lowered):
            return fact.name
    return None


def is_hash_name(name: str) -> bool:
    """A column whose name says it holds a hash or a password (``password_hash``,
    ``hashed_password``, ``pin_hash``, ``password``): what is typed into it is
    hashed, never stored as typed."""
    return bool(_HASH_NAME.match(name))


def is_password_field(name: str) -> bool:
    return name.lower() in PASSWORD_FIELDS


def schema_fields(schema: type[BaseModel]) -> dict[str, Any]:
    return dict(schema.model_fields)
