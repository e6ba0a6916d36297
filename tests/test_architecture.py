"""The direction rule of ARCHITECTURE.md holds: the import-linter contracts of
``pyproject.toml`` are kept by the code, and broken by a copy of it with one
wrong import; every feature package says what it owns, and the map names it."""

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACTS = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the ``admin_app`` package found first under ``root``."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(REPO / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_code_keeps_the_contracts() -> None:
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_import", "broken"),
    [
        # The core imports no feature.
        ("settings.py", "from admin_app.lists import listing", "composition above"),
        # A feature does not import the composition layer at run time.
        ("lists/counting.py", "from admin_app import site", "composition above"),
        # Features meet only through a named seam.
        ("lists/rows.py", "from admin_app.deletion import plans", "features apart"),
        ("forms/saving.py", "from admin_app.audit import history", "features apart"),
    ],
)
def test_a_wrong_import_breaks_a_contract(
    tmp_path: Path, module: str, wrong_import: str, broken: str
) -> None:
    shutil.copytree(
        REPO / "admin_app",
        tmp_path / "admin_app",
        ignore=shutil.ignore_patterns("statics", "migrations", "__pycache__"),
    )
    target = tmp_path / "admin_app" / module
    target.write_text(target.read_text() + f"\n{wrong_import}  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert broken in result.stdout
    assert "BROKEN" in result.stdout


def test_an_import_for_type_hints_only_is_no_dependency(tmp_path: Path) -> None:
    shutil.copytree(
        REPO / "admin_app",
        tmp_path / "admin_app",
        ignore=shutil.ignore_patterns("statics", "migrations", "__pycache__"),
    )
    target = tmp_path / "admin_app" / "lists" / "counting.py"
    target.write_text(
        target.read_text()
        + "\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
        + "    from admin_app.site import AdminSite  # noqa\n"
    )
    result = lint_imports(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def feature_packages() -> list[str]:
    (features,) = [
        contract["modules"]
        for contract in CONTRACTS["contracts"]
        if contract["type"] == "independence"
    ]
    return [name.removeprefix("admin_app.") for name in features]


def test_every_package_is_in_a_layer() -> None:
    layers = " ".join(
        layer
        for contract in CONTRACTS["contracts"]
        if contract["type"] == "layers"
        for layer in contract["layers"]
    )
    in_layers = {name.strip() for part in layers.split(":") for name in part.split()}
    packages = {
        f"admin_app.{path.parent.name}"
        for path in (REPO / "admin_app").glob("*/__init__.py")
        if path.parent.name != "migrations"
    }
    modules = {
        f"admin_app.{path.stem}"
        for path in (REPO / "admin_app").glob("*.py")
        if path.stem != "__init__"
    }
    assert packages | modules <= in_layers, (packages | modules) - in_layers


@pytest.mark.parametrize("package", feature_packages())
def test_each_feature_says_what_it_owns_and_is_on_the_map(package: str) -> None:
    init = REPO / "admin_app" / package / "__init__.py"
    docstring = ast.get_docstring(ast.parse(init.read_text()))
    assert docstring is not None and "Imports the core" in docstring
    assert f"`admin_app/{package}/`" in (REPO / "ARCHITECTURE.md").read_text()


def test_the_map_names_every_seam() -> None:
    (seams,) = [
        contract["ignore_imports"]
        for contract in CONTRACTS["contracts"]
        if contract["type"] == "independence"
    ]
    architecture = (REPO / "ARCHITECTURE.md").read_text()
    for seam in seams:
        assert f"`{seam}`" in architecture, seam


def test_every_import_the_readme_shows_works() -> None:
    readme = (REPO / "README.md").read_text()
    lines = [
        line.strip()
        for line in readme.splitlines()
        if line.strip().startswith(("from admin_app", "import admin_app"))
    ]
    assert "from admin_app import AutoModelView" in lines
    for line in lines:
        exec(line, {})  # README's own import lines
