"""Column mappings: a file's own column names renamed to the contract's before it is checked.

A mapping is {file column: contract column}, names matched as the contract
matches them (trimmed, case-insensitive). It comes from `--map` on the
command line, the upload page, or, for a data folder read as it is, a file
beside the exports: `mapping.json` or `mapping.toml`, holding
{table: {file column: contract column}}. A mistyped name is an error named
with the closest right one, never a mapping that silently does nothing.
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cxcore.data.contract import TABLES
from cxcore.data.names import did_you_mean, normalise
from cxcore.data.reading import RawTable

MAPPING_FILES = ("mapping.json", "mapping.toml")
Mapping_ = dict[str, str]


class MappingError(ValueError):
    """A mapping that names a column it cannot: one line, with a suggestion."""


def targets(table: str) -> list[str]:
    """The names a file column may be mapped to."""
    return [c.name for c in TABLES[table].columns]


def is_target(table: str, name: str) -> bool:
    spec = TABLES[table]
    key = normalise(name)
    return key in targets(table) or any(key.startswith(p) for p in spec.prefixed)


def normalised(mapping: Mapping[str, str]) -> Mapping_:
    """Names as the contract compares them; identical pairs dropped."""
    pairs = {normalise(k): normalise(v) for k, v in mapping.items()}
    return {k: v for k, v in pairs.items() if k and v and k != v}


def mapping_problems(table: str, mapping: Mapping[str, str], columns: Iterable[str]) -> list[str]:
    """Each mapped name that is not a contract column, or not a column of the file."""
    present = {normalise(c) for c in columns}
    problems = []
    for source, target in mapping.items():
        if not is_target(table, target):
            problems.append(
                f"{target!r} is not a column of {table}"
                + did_you_mean(normalise(target), targets(table))
            )
        if normalise(source) not in present:
            problems.append(
                f"{source!r} is not a column of the file" + did_you_mean(normalise(source), present)
            )
    return problems


def apply_mapping(raw: RawTable, mapping: Mapping[str, str]) -> tuple[RawTable, list[str]]:
    """Rename the file's columns (normalised names) before the contract sees them."""
    columns: dict[str, str] = {}
    types: dict[str, str] = {}
    clashes: list[str] = []
    for key, original in raw.columns.items():
        target = mapping.get(key, key)
        if target in columns:
            clashes.append(
                f"columns {columns[target]!r} and {original!r} both become {target!r}"
                " (check the column mapping)"
            )
            continue
        columns[target], types[target] = original, raw.types[key]
    return dataclasses.replace(raw, columns=columns, types=types), clashes


def read_mapping_file(folder: Path) -> dict[str, Mapping_]:
    """The mapping file beside a folder's exports: table -> {file column: contract column}."""
    found = [folder / name for name in MAPPING_FILES if (folder / name).is_file()]
    if not found:
        return {}
    if len(found) > 1:
        raise MappingError(f"both {MAPPING_FILES[0]} and {MAPPING_FILES[1]} exist: keep one")
    path = found[0]
    try:
        text = path.read_text(encoding="utf-8-sig")
        data: Any = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (ValueError, UnicodeDecodeError) as err:
        reason = (str(err).splitlines() or [type(err).__name__])[0]
        raise MappingError(f"{path.name} cannot be read: {reason}") from None
    if not isinstance(data, dict):
        raise MappingError(f"{path.name} must hold {{table: {{file column: contract column}}}}")
    mappings: dict[str, Mapping_] = {}
    for table, pairs in data.items():
        name = normalise(str(table))
        if name not in TABLES:
            hint = did_you_mean(name, TABLES)
            raise MappingError(f"{path.name}: {table!r} is not a table{hint}")
        if not isinstance(pairs, dict) or not all(isinstance(v, str) for v in pairs.values()):
            raise MappingError(f"{path.name}: {table} must map file columns to column names")
        for target in pairs.values():
            if not is_target(name, target):
                raise MappingError(
                    f"{path.name}: {target!r} is not a column of {name}"
                    + did_you_mean(normalise(target), targets(name))
                )
        mappings[name] = {str(k): v for k, v in pairs.items()}
    return mappings
