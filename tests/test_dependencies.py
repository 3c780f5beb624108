"""Declare what you import and import what you declare: pyproject.toml against the code.

A module imported but undeclared works only while some other package happens to pull
it in; a package declared but never imported is weight every install carries.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OURS = {"cxcore", "tests", "__future__"}
TOOLS = {"mypy", "ruff"}  # declared to be run by the CI script, never imported


def _sources() -> list[Path]:
    return [
        *ROOT.glob("cxcore/**/*.py"),
        ROOT / "app.py",
        *ROOT.glob("pages/*.py"),
        *ROOT.glob("tests/**/*.py"),
    ]


def _imported_modules() -> set[str]:
    found: set[str] = set()
    for source in _sources():
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m not in OURS}


def _distribution_name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [*project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        requirements += extra
    return {_distribution_name(r) for r in requirements}


def _imported_distributions() -> dict[str, str]:
    """Each imported module's distribution (as pip names it), by module."""
    owners = packages_distributions()
    return {
        module: _distribution_name(owners.get(module, [module])[0])
        for module in _imported_modules()
    }


def test_every_imported_package_is_declared() -> None:
    undeclared = {m: d for m, d in _imported_distributions().items() if d not in _declared()}
    assert not undeclared, f"imported but not in pyproject.toml: {undeclared}"


def test_every_declared_package_is_imported_or_a_tool() -> None:
    unused = _declared() - set(_imported_distributions().values()) - TOOLS
    assert not unused, f"declared in pyproject.toml but never imported: {sorted(unused)}"
