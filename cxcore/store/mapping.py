"""Column mapping for an upload: which contract columns a file lacks, and what could fill them.

Only the header is read (a Parquet schema, a CSV's first line), so the upload
page can offer the mapping for a 200 MB file at once, before the full check.
Names are matched as the contract matches them: case-insensitively, trimmed.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cxcore.data.contract import TABLES, Column, Table
from cxcore.data.formats import ReadError, ReadOptions
from cxcore.data.headers import read_header
from cxcore.data.names import closest, normalise


@dataclass(frozen=True)
class MappingPlan:
    """What the mapping step offers for one table and a set of files."""

    table: str
    missing: tuple[Column, ...]  # contract columns absent from at least one file
    candidates: tuple[str, ...]  # file columns the contract does not know (normalised)
    unreadable: dict[str, str]  # file name -> why its header could not be read


def file_columns(table: str, path: Path | str, options: ReadOptions | None = None) -> list[str]:
    """The header of one file, normalised; raises ReadError for a file that is not readable."""
    return [normalise(n) for n in read_header(table, Path(path), options or ReadOptions())]


def plan(
    table: str, paths: Sequence[Path | str], options: ReadOptions | None = None
) -> MappingPlan:
    """The contract columns to map and the file columns that could be mapped to them."""
    spec = TABLES[table]
    known = {c.name for c in spec.columns}
    headers: list[list[str]] = []
    unreadable: dict[str, str] = {}
    for path in paths:
        try:
            headers.append(file_columns(table, path, options))
        except (ReadError, OSError, UnicodeDecodeError, csv.Error) as err:
            unreadable[Path(path).name] = getattr(err, "reason", str(err))
    missing = tuple(c for c in spec.columns if any(c.name not in h for h in headers))
    extras = _unique(
        n
        for h in headers
        for n in h
        if n and n not in known and not any(n.startswith(p) for p in spec.prefixed)
    )
    return MappingPlan(table, missing, tuple(extras), unreadable)


def prefill(
    saved: Mapping[str, str], missing: Column, candidates: Sequence[str], table: str
) -> str | None:
    """The file column last mapped to `missing`, when this upload has it again; else a guess
    from the names."""
    for file_column, contract_column in saved.items():
        if normalise(contract_column) == missing.name and normalise(file_column) in candidates:
            return normalise(file_column)
    return suggest(table, [missing.name], candidates).get(missing.name)


def name_words(name: str) -> tuple[str, ...]:
    """A name's words: case, punctuation, spaces and a unit in brackets ("(usd)") ignored."""
    return tuple(_WORD.findall(_UNIT.sub(" ", name.lower())))


def suggest(table: str, missing: Iterable[str], candidates: Iterable[str]) -> dict[str, str]:
    """A guessed file column for each missing contract column: {contract column: file column}.

    Tried in order, each file column used once: the same words ("Order Date"); the same
    words once synonyms are read ("client" for customer, "day" for date, "revenue" for
    amount); the file's words naming one contract column alone ("date" when the table has
    one date); a close spelling. A name that fits two columns is not guessed.
    """
    wanted = [name for name in missing if name in {c.name for c in TABLES[table].columns}]
    files = {name: {name_words(name), _canonical(name_words(name))} for name in candidates}
    found: dict[str, str] = {}
    for match in (_same_words, _part_of, _close):
        for column_name in wanted:
            if column_name in found:
                continue
            free = {f: forms for f, forms in files.items() if f not in found.values()}
            hits = [
                f
                for f, forms in free.items()
                if any(match(column_name, words, TABLES[table]) for words in forms)
            ]
            if len(hits) == 1:
                found[column_name] = hits[0]
    return found


def _canonical(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_SYNONYMS.get(word, word) for word in words)


def _same_words(column_name: str, words: tuple[str, ...], spec: Table) -> bool:
    return words == tuple(column_name.split("_")) or "_".join(words) == column_name


def _part_of(column_name: str, words: tuple[str, ...], spec: Table) -> bool:
    """The file's words are the start or end of this contract column's name and of no other."""
    if not words:
        return False

    def fits(name: str) -> bool:
        parts = tuple(name.split("_"))
        return parts[: len(words)] == words or parts[-len(words) :] == words

    return fits(column_name) and sum(fits(c.name) for c in spec.columns) == 1


def _close(column_name: str, words: tuple[str, ...], spec: Table) -> bool:
    return closest("_".join(words), (c.name for c in spec.columns), cutoff=0.8) == column_name


_UNIT = re.compile(r"[(\[][^)\]]*[)\]]")
_WORD = re.compile(r"[a-z0-9]+")
# A word as exports write it -> the word the contract uses.
_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(("day", "dt", "when", "timestamp", "datetime", "time"), "date"),
    **dict.fromkeys(("total", "value", "revenue", "price", "sales", "sum", "amt"), "amount"),
    **dict.fromkeys(("client", "cust", "buyer", "account", "user"), "customer"),
    **dict.fromkeys(("number", "no", "nr", "num", "key", "code", "ref"), "id"),
    **dict.fromkeys(("categories", "cat", "group", "family"), "category"),
    **dict.fromkeys(("item", "sku", "article"), "product"),
    **dict.fromkeys(("nps", "rating", "recommend"), "score"),
    **dict.fromkeys(("costs", "expense", "expenses"), "cost"),
    "signed": "signup",
    "joined": "signup",
    "registered": "signup",
}


def clashes(mapping: Mapping[str, str]) -> list[str]:
    """Two contract columns fed by one file column: said before the check, not after."""
    seen: dict[str, str] = {}
    problems = []
    for contract_column, file_column in mapping.items():
        if file_column in seen:
            problems.append(
                f"the file column {file_column!r} is mapped to both"
                f" {seen[file_column]!r} and {contract_column!r}"
            )
        seen[file_column] = contract_column
    return problems


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))
