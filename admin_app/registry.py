"""One admin view per table: a view the user declared wins, the rest are built."""

from collections.abc import Iterable, Sequence
from types import ModuleType

from sqladmin import ModelView
from sqlmodel import SQLModel

from admin_app.discovery import discover, import_models_module
from admin_app.keys import key_parts
from admin_app.schemas import find_schema
from admin_app.views.inferred import AutoModelView, view_for

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
    excluded = set(exclude)
    modules = [
        import_models_module(spec) if isinstance(spec, str) else spec
        for spec in specs
        if isinstance(spec, str | ModuleType)
    ]
    tables = discover(modules, excluded) if modules else []
    tables += [
        spec
        for spec in specs
        if isinstance(spec, type)
        and spec not in tables
        and spec.__name__ not in excluded
    ]
    return tables, modules


def build_views(
    tables: Sequence[type[SQLModel]],
    declared: Iterable[type[ModelView]] = (),
    modules: Sequence[ModuleType] = (),
) -> list[type[ModelView]]:
    """A view per table, in table order: the declared one, else an inferred one.

    Inferred views, and declared ones that leave them unset, validate their
    forms with the ``<Model>Create`` / ``<Model>Update`` models of ``modules``.
    Raises :class:`~admin_app.keys.UnsupportedKey` for a table whose primary
    key URLs cannot name, at start-up rather than on its first page.
    """
    by_model = {view.model: view for view in declared}
    views = [by_model.get(table) or view_for(table) for table in tables]
    for view in views:
        key_parts(view.model)
        if issubclass(view, AutoModelView):
            if view.create_schema is None:
                view.create_schema = find_schema(view.model, modules, "Create")
            if view.update_schema is None:
                view.update_schema = find_schema(view.model, modules, "Update")
    return views
