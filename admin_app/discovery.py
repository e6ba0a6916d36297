"""Find the SQLModel table classes that a models module exposes."""

import importlib
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from sqlmodel import SQLModel

TableModel = type[SQLModel]


class DiscoveryError(ImportError):
    """A models module does not import, or exposes no tables."""


def is_table_model(candidate: object) -> bool:
    """True for a ``table=True`` SQLModel class (not ``UserCreate``-style models)."""
    return (
        isinstance(candidate, type)
        and issubclass(candidate, SQLModel)
        and candidate is not SQLModel
        and hasattr(candidate, "__table__")
    )


def import_models_module(name: str) -> ModuleType:
    """Import ``name`` as the user's models module, from the working directory too.

    A console script's ``sys.path`` starts with its own bin folder, not the folder
    it runs in; like uvicorn and alembic, look in the working directory as well.
    """
    cwd = str(Path.cwd())
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise DiscoveryError(f"cannot import models module {name!r}: {exc}") from exc
    except Exception as exc:
        message = f"models module {name!r} failed while importing: {exc!r}"
        raise DiscoveryError(message) from exc


def tables_in(module: ModuleType) -> list[TableModel]:
    """The table classes ``module`` exposes, in the order they were defined
    (a package re-exporting them may list them in any order)."""
    found = {value for value in vars(module).values() if is_table_model(value)}
    defined = {name: index for index, name in enumerate(SQLModel.metadata.tables)}
    return sorted(found, key=lambda table: defined[table.__table__.name])


def discover(
    modules: Iterable[str | ModuleType], exclude: Iterable[str] = ()
) -> list[TableModel]:
    """Every table class exposed by ``modules``, less those named in ``exclude``.

    Raises :class:`DiscoveryError` when a module does not import or has no tables.
    """
    excluded = set(exclude)
    found: list[TableModel] = []
    for module in modules:
        loaded = import_models_module(module) if isinstance(module, str) else module
        tables = tables_in(loaded)
        if not tables:
            raise DiscoveryError(
                f"models module {loaded.__name__!r} defines no SQLModel tables "
                "(classes declared with table=True)"
            )
        found.extend(
            table
            for table in tables
            if table not in found
            and not ({table.__name__, table.__tablename__} & excluded)
        )
    return found
