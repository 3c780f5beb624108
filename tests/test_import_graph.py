"""The core stays importable without Streamlit: only `cxcore/ui/` may use it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[1] / "cxcore"
CORE_MODULES = sorted(p for p in CORE.rglob("*.py") if "ui" not in p.relative_to(CORE).parts)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", CORE_MODULES, ids=lambda p: str(p.relative_to(CORE)))
def test_core_module_does_not_import_streamlit(path: Path) -> None:
    assert not {m for m in imported_modules(path) if m.split(".")[0] == "streamlit"}


def test_core_modules_exist() -> None:
    names = {p.stem for p in CORE_MODULES}
    assert {"engine", "registry", "catalog", "query", "cli"} <= names


def test_importing_every_core_module_loads_no_streamlit() -> None:
    """Transitive imports count too: a core module must not pull in cxcore.ui."""
    modules = [
        "cxcore." + ".".join(p.relative_to(CORE).with_suffix("").parts)
        for p in CORE_MODULES
        if p.name != "__main__.py"
    ]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name.removesuffix('.__init__'))\n"
        "print('streamlit' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
