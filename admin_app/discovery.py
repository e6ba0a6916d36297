"""Find the SQLModel table classes that a models module exposes."""

import importlib
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import cast

from sqlalchemy import MetaData, Table
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import SQLAlchemyError
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
    (a package re-exporting them may list them in any order).

    Each table is placed by its own metadata (``SQLModel.metadata``, or that
    of a ``registry()`` of the module's own); tables of several metadata come
    one metadata after another, in the order the module first names them.
    """
    found = [value for value in vars(module).values() if is_table_model(value)]
    for model in found:
        if not isinstance(model.__table__, Table):
            raise DiscoveryError(
                f"model {model.__name__} cannot be served: it is mapped to "
                "a join or a query, not to a table of its own"
            )
    metadatas: list[MetaData] = []
    for model in found:
        if metadata_of(model) not in metadatas:
            metadatas.append(metadata_of(model))

    def defined(model: TableModel) -> tuple[int, int]:
        metadata = metadata_of(model)
        names = list(metadata.tables)
        return metadatas.index(metadata), names.index(table_of(model).fullname)

    return sorted(dict.fromkeys(found), key=defined)


def table_of(model: TableModel) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


def metadata_of(model: TableModel) -> MetaData:
    """The metadata ``model``'s table is in: ``SQLModel.metadata``, or that of
    the registry its base class declared."""
    return table_of(model).metadata


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
    check_servable(found)
    return found


def check_servable(models: Iterable[TableModel]) -> None:
    """Raise :class:`DiscoveryError` naming the first model whose mapping
    SQLAlchemy cannot complete (a relationship it cannot join, a target class
    it cannot find): such a model fails every page that touches it, so it is
    refused at start-up, in one line, instead."""
    for model in models:
        mapper = sa_inspect(model)
        try:
            mapper.registry.configure(cascade=True)
        except SQLAlchemyError as exc:
            original = getattr(exc, "_configure_failed", exc)
            failed = next(
                (m for m in mapper.registry.mappers if m._configure_failed),
                mapper,
            )
            reason = str(original).strip().splitlines()[0]
            raise DiscoveryError(
                f"model {failed.class_.__name__} cannot be served: {reason}"
            ) from exc
