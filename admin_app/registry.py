"""One admin view per table: a view the user declared wins, the rest are built."""

from collections.abc import Iterable, Sequence
from types import ModuleType

from sqladmin import ModelView
from sqlmodel import SQLModel

from admin_app.discovery import discover, is_table_model
from admin_app.views import view_for

ModelsSpec = str | ModuleType | type[SQLModel]


def declared_views(modules: Iterable[ModuleType]) -> list[type[ModelView]]:
    """View classes a models module declares for its tables."""
    found: list[type[ModelView]] = []
    for module in modules:
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, ModelView)
                and getattr(value, "model", None) is not None
                and value not in found
            ):
                found.append(value)
    return found


def resolve_models(
    specs: Sequence[ModelsSpec], exclude: Iterable[str] = ()
) -> tuple[list[type[SQLModel]], list[ModuleType]]:
    """Table classes named directly or exposed by the named modules."""
    modules = [spec for spec in specs if not is_table_model(spec)]
    tables = discover(modules, exclude) if modules else []  # type: ignore[arg-type]
    excluded = set(exclude)
    for spec in specs:
        if (
            is_table_model(spec)
            and spec not in tables
            and spec.__name__ not in excluded
        ):
            tables.append(spec)  # type: ignore[arg-type]
    loaded = [m for m in modules if isinstance(m, ModuleType)]
    loaded += [__import__(m, fromlist=["_"]) for m in modules if isinstance(m, str)]
    return tables, loaded


def build_views(
    tables: Sequence[type[SQLModel]], declared: Iterable[type[ModelView]] = ()
) -> list[type[ModelView]]:
    """A view per table, in table order: the declared one, else an inferred one."""
    by_model = {view.model: view for view in declared}
    return [by_model.get(table) or view_for(table) for table in tables]
