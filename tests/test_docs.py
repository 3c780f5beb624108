"""The docs stay honest: they name every KPI, table, column and CLI option the code has.

The KPI registry, the data contract and the argument parser are the sources
of truth; these tests fail when one of them changes and the docs do not.
"""

from __future__ import annotations

import argparse
import ast
import re
from pathlib import Path

import pytest

from cxcore.cli.main import build_parser
from cxcore.data.contract import TABLES, Column, Table
from cxcore.metrics.kpi import Kpi
from cxcore.metrics.registry import KPIS
from cxcore.settings import SETTINGS, Setting

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
KPIS_DOC = DOCS / "kpis.md"
CONTRACT_DOC = DOCS / "data-contract.md"
CORE = ROOT / "cxcore"


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def table_rows(text: str) -> dict[str, list[str]]:
    """Markdown table rows keyed by their first cell's `code` name."""
    rows: dict[str, list[str]] = {}
    for line in text.splitlines():
        match = re.match(r"^\|\s*`([^`]+)`\s*\|(.*)\|\s*$", line)
        if match:
            rows.setdefault(match[1], [c.strip() for c in match[2].split("|")])
    return rows


def contract_section(name: str) -> str:
    """The text under the data contract's `### `name`` heading, up to the next heading."""
    match = re.search(
        rf"^### `{re.escape(name)}`.*?$(.*?)(?=^#)", read(CONTRACT_DOC) + "\n#", re.M | re.S
    )
    assert match, f"docs/data-contract.md has no section for table {name}"
    return match[1]


@pytest.mark.parametrize("kpi", KPIS, ids=lambda k: k.name)
def test_every_kpi_is_documented_with_its_label_unit_and_direction(kpi: Kpi) -> None:
    row = table_rows(read(KPIS_DOC)).get(kpi.name)
    assert row, f"docs/kpis.md has no table row for KPI {kpi.name}"
    label, *_, unit, direction = row
    assert (label, unit, direction) == (kpi.label, str(kpi.unit), str(kpi.direction))


def _rule_words(column: Column) -> list[str]:
    words = ["unique"] if column.unique else []
    words.append(
        "not null" if column.not_null else "optional" if not column.required else "nullable"
    )
    if column.minimum is not None:
        words.append(f">= {column.minimum:g}")
    if column.maximum is not None:
        words.append(f"<= {column.maximum:g}")
    return words


@pytest.mark.parametrize(
    ("table", "column"),
    [(t.name, c) for t in TABLES.values() for c in t.columns],
    ids=lambda v: v if isinstance(v, str) else v.name,
)
def test_every_contract_column_is_documented_under_its_table(table: str, column: Column) -> None:
    row = table_rows(contract_section(table)).get(column.name)
    assert row, f"docs/data-contract.md has no row for {table}.{column.name}"
    kind, rule = row[0], row[-1]
    assert kind == str(column.kind)
    for word in _rule_words(column):
        assert word in rule, f"{table}.{column.name}: rule {rule!r} lacks {word!r}"
    assert ("unique" in rule) == column.unique


@pytest.mark.parametrize("table", TABLES.values(), ids=lambda t: t.name)
def test_every_table_is_documented_with_its_prefixed_columns(table: Table) -> None:
    heading = re.search(rf"^### `{table.name}`(.*)$", read(CONTRACT_DOC), re.M)
    assert heading, f"docs/data-contract.md has no heading for table {table.name}"
    assert ("(required)" in heading[1]) == table.required
    for prefix, kind in table.prefixed.items():
        row = table_rows(contract_section(table.name)).get(f"{prefix}*")
        assert row and row[0] == str(kind), f"{table.name}: no row for `{prefix}*`"


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(commands.choices)


def kpis_options() -> list[str]:
    return [o for a in subcommands()["kpis"]._actions for o in a.option_strings]


README_COMMAND = re.compile(r"^cx-cockpit ([\w|]+)", re.M)


@pytest.mark.parametrize("command", sorted(subcommands()))
def test_every_command_is_listed_in_the_readme_and_the_cli_package(command: str) -> None:
    listed = {
        n for names in README_COMMAND.findall(read(ROOT / "README.md")) for n in names.split("|")
    }
    assert command in listed, f"README.md lists no `cx-cockpit {command}`"
    package = read(CORE / "cli" / "__init__.py")
    assert f"`{command}`" in package, f"cxcore/cli/__init__.py does not name {command}"


@pytest.mark.parametrize("option", kpis_options())
def test_every_kpis_option_is_documented(option: str) -> None:
    assert f"`{option}" in read(KPIS_DOC), f"docs/kpis.md does not document {option}"


@pytest.mark.parametrize(
    "doc",
    ["docs/kpis.md", "docs/data-contract.md", "docs/security.md", "docs/voice-of-customer.md"],
)
def test_readme_links_the_docs(doc: str) -> None:
    readme = ROOT / "README.md"
    assert readme.exists(), "README.md is missing"
    assert f"]({doc})" in read(readme), f"README.md does not link {doc}"


@pytest.mark.parametrize("doc", sorted(DOCS.glob("*.md")), ids=lambda p: p.name)
def test_docs_are_self_contained(doc: Path) -> None:
    text = read(doc)
    for outside in ("../shared", "/work/"):
        assert outside not in text, f"{doc.name} points outside the repository ({outside})"


def _mapped_modules() -> list[str]:
    """Every module by its path in the core; a package's `__init__.py` holds only the
    package's docstring, which the map's layer diagram already says."""
    return sorted(
        str(p.relative_to(CORE))
        for p in CORE.rglob("*.py")
        if p.parent == CORE or p.name != "__init__.py"
    )


@pytest.mark.parametrize("module", _mapped_modules())
def test_the_architecture_map_names_every_module(module: str) -> None:
    """A module added or moved without a word in the map fails here: each is named by its
    own path, so one module's name cannot stand in for another's."""
    assert f"`{module}`" in read(DOCS / "architecture.md"), f"{module} is not in the module map"


def test_package_inits_hold_only_their_docstring() -> None:
    """What `_mapped_modules` leaves out must stay empty of code."""
    for init in CORE.glob("*/__init__.py"):
        body = ast.parse(init.read_text(encoding="utf-8")).body
        assert len(body) == 1 and isinstance(body[0], ast.Expr), init


SECURITY = ROOT / "docs" / "security.md"
PROOF = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def _defined_tests(path: Path) -> set[str]:
    return set(re.findall(r"^def (test_\w+)\(", path.read_text(encoding="utf-8"), re.MULTILINE))


def test_every_test_named_as_proof_of_a_security_promise_exists() -> None:
    named = PROOF.findall(SECURITY.read_text(encoding="utf-8"))
    assert len(named) >= 20
    missing = [
        f"{path}::{test}"
        for path, test in named
        if not (ROOT / path).exists() or test not in _defined_tests(ROOT / path)
    ]
    assert missing == []


SETTINGS_DOCS = ("store.md", "scaling.md")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.env)
def test_every_setting_has_a_row_in_the_docs(setting: Setting) -> None:
    rows = [line for doc in SETTINGS_DOCS for line in read(DOCS / doc).splitlines()]
    named = [row for row in rows if row.startswith("|") and f"`{setting.env}`" in row]
    assert named, f"no table row in docs/{' or docs/'.join(SETTINGS_DOCS)} names {setting.env}"
