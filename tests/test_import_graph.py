"""The core's layers, kept by its imports.

Each package of `cxcore` has a floor; a module may import only from lower
floors or from its own package, so the data layer never learns about the
store, the engine never about the app, and only `cxcore/ui/` touches
Streamlit. Late imports inside functions count too, and the whole graph
stays free of cycles.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[1] / "cxcore"
MODULES = sorted(p for p in CORE.rglob("*.py"))
# The floor of every package (or top-level module) of cxcore, lowest first.
FLOORS: dict[str, int] = {
    "sqlkit": 0,
    "settings": 0,
    "database": 1,
    "data": 2,
    "metrics": 3,
    "analytics": 4,
    "store": 5,
    "app": 5,
    "voice": 5,
    "cockpit": 6,
    "__init__": 7,
    "bench": 7,
    "cli": 8,
    "__main__": 9,
    "ui": 9,
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(CORE.parent).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


NAMES = {module_name(p) for p in MODULES}


def part(module: str) -> str:
    """The package (or top-level module) of `cxcore.x.y`: `x`; of `cxcore` itself: `__init__`."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "__init__"


def imports_of(path: Path) -> set[str]:
    """Every module imported anywhere in the file, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            submodules = {f"{module}.{alias.name}" for alias in node.names} & NAMES
            # `from cxcore import database` imports a module, not the package's face
            found.update(submodules or {module})
    return found


GRAPH = {module_name(p): {m for m in imports_of(p) if m.split(".")[0] == "cxcore"} for p in MODULES}
KNOWN = set(GRAPH)


def targets(module: str) -> set[str]:
    return {m for m in GRAPH[module] if m in KNOWN and m != module}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(CORE)))
def test_only_the_ui_package_imports_streamlit(path: Path) -> None:
    streamlit = {m for m in imports_of(path) if m.split(".")[0] == "streamlit"}
    if part(module_name(path)) != "ui":
        assert not streamlit


def test_every_package_has_a_floor() -> None:
    assert {part(m) for m in KNOWN} <= set(FLOORS), {part(m) for m in KNOWN} - set(FLOORS)


@pytest.mark.parametrize("module", sorted(KNOWN))
def test_imports_go_down_the_floors(module: str) -> None:
    own = part(module)
    wrong = [
        target
        for target in targets(module)
        if part(target) != own and FLOORS[part(target)] >= FLOORS[own]
    ]
    assert not wrong, f"{module} (floor {FLOORS[own]}) imports {wrong} from its floor or above"


def test_the_import_graph_has_no_cycles() -> None:
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = [*path[path.index(module) :], module]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if module in done:
            return
        for target in sorted(targets(module)):
            if not target.endswith("__init__"):
                visit(target, [*path, module])
        done.add(module)

    for module in sorted(KNOWN):
        visit(module, [])


def test_importing_every_core_module_loads_no_streamlit() -> None:
    """Transitive imports count too: a core module must not pull in cxcore.ui."""
    modules = [m for m in sorted(KNOWN) if part(m) != "ui" and not m.endswith("__main__")]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print('streamlit' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
