"""A dimension is named by whoever exported the data: its widget key and link parameter must
never be one the app owns, and a link with it must still reproduce the view."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from cxcore.app.links import parse_params, to_params
from cxcore.app.views import (
    APP_KEY_PREFIXES,
    APP_KEYS,
    RESERVED,
    Coverage,
    View,
    filter_key,
)

ROOT = Path(__file__).resolve().parents[2]
APP_SOURCES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
APP_SOURCES += sorted((ROOT / "cxcore" / "ui").glob("*.py"))


def _owned(key: str) -> bool:
    return key in APP_KEYS or key in RESERVED or key.startswith(APP_KEY_PREFIXES)


@pytest.mark.parametrize(
    ("dimension", "key"),
    [
        ("tier", "tier"),
        ("channel_2", "channel_2"),
        ("check", "Dim:check"),
        ("start", "Dim:start"),
        ("v", "Dim:v"),
        ("_cx_view", "Dim:_cx_view"),
        ("crumb_0", "Dim:crumb_0"),
        ("dl_trend", "Dim:dl_trend"),
        ("Tier", "Dim:Tier"),
        ("plan type", "Dim:plan type"),
        ("<b>x</b>", "Dim:<b>x</b>"),
    ],
)
def test_a_dimension_key_is_its_name_only_when_the_app_owns_no_such_key(
    dimension: str, key: str
) -> None:
    assert filter_key(dimension) == key
    assert not _owned(filter_key(dimension))


def _literal_keys(tree: ast.AST, constants: dict[str, str]) -> list[str]:
    """The fixed part of every widget key written in a module: literal strings, the literal
    start of an f-string, and module constants named in `key=`."""
    found: list[str] = []
    for node in ast.walk(tree):
        values: list[ast.expr] = []
        if isinstance(node, ast.Call):
            values = [k.value for k in node.keywords if k.arg == "key"]
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "key" for t in node.targets
        ):
            values = [node.value]
        for value in values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                found.append(value.value)
            elif isinstance(value, ast.JoinedStr) and isinstance(value.values[0], ast.Constant):
                found.append(str(value.values[0].value))
            elif isinstance(value, ast.JoinedStr) and _named_start(value, constants):
                found.append(constants[_named_start(value, constants)])
            elif isinstance(value, ast.Name) and value.id in constants:
                found.append(constants[value.id])
    return found


def _named_start(value: ast.JoinedStr, constants: dict[str, str]) -> str:
    """The module constant an f-string key starts with (`f"{STACKS}{name}"`), or ''."""
    first = value.values[0]
    if isinstance(first, ast.FormattedValue) and isinstance(first.value, ast.Name):
        return first.value.id if first.value.id in constants else ""
    return ""


def _module_constants(tree: ast.Module) -> dict[str, str]:
    constants: dict[str, str] = {}
    for node in tree.body:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target, value = node.targets[0], node.value
        if isinstance(target, ast.Name) and isinstance(value, ast.Constant):
            constants[target.id] = str(value.value)
        elif isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
            for name, item in zip(target.elts, value.elts, strict=True):
                if isinstance(name, ast.Name) and isinstance(item, ast.Constant):
                    constants[name.id] = str(item.value)
    return constants


def test_every_widget_key_the_app_writes_is_declared_as_its_own() -> None:
    keys: dict[str, str] = {}
    for source in APP_SOURCES:
        tree = ast.parse(source.read_text())
        for key in _literal_keys(tree, _module_constants(tree)):
            keys[key] = source.name
    assert {"check", "share_pin", "_cx_up_files_", "_cx_stack_"} <= set(keys)  # real keys
    undeclared = {k: f for k, f in keys.items() if not _owned(k)}
    assert undeclared == {}


def test_a_link_filtering_a_dimension_named_like_an_app_key_round_trips() -> None:
    cov = Coverage(
        dt.date(2024, 1, 1),
        dt.date(2024, 12, 31),
        {"segment": ["SMB"], "region": ["North"], "check": ["yes", "no"], "start": ["a"]},
    )
    view = View(
        dt.date(2024, 4, 1),
        dt.date(2024, 6, 30),
        "previous",
        (("check", ("no",)), ("start", ("a",))),
    )
    grouped: dict[str, list[str]] = {}
    for key, value in to_params(view, "Revenue", ()):
        grouped.setdefault(key, []).append(value)
    assert grouped["Dim:check"] == ["no"] and grouped["Dim:start"] == ["a"]
    parsed = parse_params(grouped, cov, ["Revenue"])
    assert (parsed.view, parsed.problems) == (view, [])
