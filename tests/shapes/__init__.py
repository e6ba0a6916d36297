"""A corpus of model shapes real SQLModel projects use, one small models module
per shape, each served and exercised view by view by ``tests/test_shapes.py``
on SQLite and PostgreSQL.

A module joins the corpus by being in this package (the harness finds it with
``pkgutil``). Every module follows this contract:

* **A module docstring** saying which real-world shape it reproduces.
* ``DIALECTS = ("sqlite", "postgresql")``, or ``("postgresql",)`` for types
  only PostgreSQL has.
* **Names that cannot collide.** Table names start with the module's name
  (``trees_category``); class names are unique across every test module (the
  default SQLModel registry resolves relationship targets by class name). A
  PostgreSQL-only module, or one testing a private registry, declares its own
  ``class Base(SQLModel, registry=registry())`` so that its tables never enter
  ``SQLModel.metadata`` (the ``engine`` fixture of ``tests/conftest.py`` runs
  ``SQLModel.metadata.create_all`` on SQLite too).
* ``def seed(session) -> None``: a few related rows, with awkward values
  (unicode, a label holding ``<b>&"``), and secrets with a recognisable value
  (``SECRET-HASH-VALUE``) that must never appear in a page or an export. The
  harness commits.
* ``CREATE: dict[str, dict[str, str | list[str]]]``: for each view identity (as
  in URLs: ``"trees-category"``) that can be created, the form inputs that make
  a valid create, merged over the values the create form itself holds (as
  ``tests/html.py``'s ``form_values`` reads them). Picker values are keys of
  seeded rows as the picker posts them (a relation's picker is named after the
  relation, a bare foreign key's after its column; a multiple picker posts its
  empty presence marker first: ``["", "2"]``). Every view that can create must
  be listed.
* ``SECRETS: tuple[str, ...]`` (optional): values that must never be rendered.

The harness creates the tables from each table's own ``MetaData``, seeds,
serves the module alone (``models=["tests.shapes.<name>"]``), logs in and, for
every view of the module's tables, requests its list, each sort, a search,
every row's detail and history, each picker's lookup, the CSV export, the
create form and a create, every row's edit form posted back unchanged, and a
delete; see its docstring for what each answer must be.
"""

import ast
import pkgutil
from pathlib import Path

HERE = Path(__file__).parent


def shape_dialects() -> dict[str, tuple[str, ...]]:
    """Each shape module's name and ``DIALECTS``, read without importing it:
    collecting the tests must not put every shape's tables into
    ``SQLModel.metadata`` of every test process."""
    found: dict[str, tuple[str, ...]] = {}
    for info in sorted(pkgutil.iter_modules([str(HERE)]), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        tree = ast.parse((HERE / f"{info.name}.py").read_text())
        for node in tree.body:
            if isinstance(node, ast.Assign) and [
                getattr(t, "id", None) for t in node.targets
            ] == ["DIALECTS"]:
                found[info.name] = tuple(ast.literal_eval(node.value))
        if info.name not in found:
            raise LookupError(f"tests/shapes/{info.name}.py declares no DIALECTS")
    return found
