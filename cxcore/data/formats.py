"""How an export's bytes are to be read: its format, text encoding, delimiter and decimal mark.

Everything is decided from the file's bytes (for text, a sample of its first
lines), never from its name alone, and every choice other than the plain
default (UTF-8, comma, decimal point) is said back as a note, so an analyst
sees how a file was understood before trusting its numbers. An explicit
option (a delimiter, a decimal mark) always wins over what the sample
suggests.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

PARQUET_MAGIC = b"PAR1"
ZIP_MAGIC = b"PK\x03\x04"
OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The file names an export may have; preferred in this order when one was left in several.
BINARY_SUFFIXES = (".parquet", ".xlsx")
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
SUFFIXES = BINARY_SUFFIXES + TEXT_SUFFIXES
SAMPLE_BYTES = 1 << 16
SAMPLE_LINES = 200
# Columns lined up with spaces, as a report printed to text lays them out.
WHITESPACE = "whitespace"
DELIMITERS: dict[str, str] = {
    "comma": ",",
    "semicolon": ";",
    "tab": "\t",
    "pipe": "|",
    WHITESPACE: " ",
}
DECIMALS = ("point", "comma")
_BY_CHAR = {char: name for name, char in DELIMITERS.items()}
# 1.234,56 or 12,5: a number written with a decimal comma (and maybe thousands dots).
_COMMA_NUMBER = re.compile(r"[+-]?(\d{1,3}(\.\d{3})+|\d+),\d+")
# 12.5 or .5 but not 1.234 (which could be a thousands dot): only a decimal point reads so.
_POINT_NUMBER = re.compile(r"[+-]?\d*\.(\d{1,2}|\d{4,})")


class ReadError(ValueError):
    """A file that cannot be read as the table it claims to be."""

    def __init__(self, table: str, path: Path, reason: str) -> None:
        super().__init__(f"{table}: {path.name}: {reason}")
        self.table, self.path, self.reason = table, path, reason


@dataclass(frozen=True)
class ReadOptions:
    """What an analyst may say about a file instead of leaving it to the sniffing."""

    delimiter: str | None = None  # a name in DELIMITERS; None: decided from the sample
    decimal: str | None = None  # "point" or "comma"; None: decided from the sample
    sheet: str | None = None  # an XLSX sheet; None: the first
    date_formats: tuple[tuple[str, str], ...] = ()  # contract column -> strptime format

    @classmethod
    def of(
        cls,
        delimiter: str | None = None,
        decimal: str | None = None,
        sheet: str | None = None,
        date_formats: Mapping[str, str] | None = None,
    ) -> ReadOptions:
        formats = tuple(sorted((k, v) for k, v in (date_formats or {}).items() if v))
        return cls(delimiter or None, decimal or None, sheet or None, formats)

    def date_format(self, column: str) -> str | None:
        return dict(self.date_formats).get(column)


@dataclass(frozen=True)
class TextLayout:
    """How a text export is split into cells."""

    encoding: str  # a Python codec: utf-8, utf-8-sig or utf-16 (whose mark tells the order)
    delimiter: str  # one character, or " " for columns lined up with spaces
    decimal_comma: bool = False
    notes: tuple[str, ...] = ()
    header: tuple[str, ...] = ()  # the first line, as sampled

    @property
    def aligned(self) -> bool:
        return self.delimiter == DELIMITERS[WHITESPACE]

    @property
    def plain(self) -> bool:
        """UTF-8 (with or without a mark) split by one character: DuckDB reads it directly."""
        return self.encoding.startswith("utf-8") and not self.aligned


def sniff_format(table: str, path: Path) -> str:
    """'parquet', 'xlsx' or 'csv' (any delimited text), from the bytes."""
    size = path.stat().st_size
    if size == 0:
        raise ReadError(table, path, "the file is empty")
    with path.open("rb") as handle:
        head = handle.read(8)
        handle.seek(max(size - 4, 0))
        tail = handle.read(4)
    suffix = path.suffix.lower()
    if head.startswith(PARQUET_MAGIC):
        if tail != PARQUET_MAGIC or size < 12:
            raise ReadError(table, path, "the Parquet file is truncated or corrupt")
        return "parquet"
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLD_EXCEL_MAGIC):
        raise ReadError(table, path, "an old Excel (.xls) workbook: save it as .xlsx or CSV")
    if suffix in BINARY_SUFFIXES:
        what = "CSV text" if _decodes(path, text_encoding_of(head)) else "not a known format"
        kind = "a Parquet file" if suffix == ".parquet" else "an XLSX workbook"
        raise ReadError(table, path, f"named {suffix} but it is not {kind} ({what})")
    return "csv"


def text_encoding_of(head: bytes) -> str:
    """The codec a byte-order mark names; UTF-8 without one."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8"


def text_encoding(table: str, path: Path) -> str:
    """The file's encoding, after checking every byte decodes with it."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    encoding = text_encoding_of(head)
    if encoding == "utf-8" and head.count(0) > len(head) // 4:
        raise ReadError(
            table,
            path,
            "the text looks like UTF-16 without a byte-order mark; save it as UTF-8"
            " (or UTF-16 with a byte-order mark) and upload again",
        )
    require_decodable(table, path, encoding)
    return encoding


def _decodes(path: Path, encoding: str) -> bool:
    try:
        require_decodable("", path, encoding)
    except ReadError:
        return False
    return True


def require_decodable(table: str, path: Path, encoding: str) -> None:
    name = "UTF-16" if encoding == "utf-16" else "UTF-8"
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as err:
                at = offset + err.start
                raise ReadError(
                    table,
                    path,
                    f"the text is not {name} (byte 0x{chunk[err.start]:02x} at offset {at});"
                    " save it as UTF-8 and upload again",
                ) from None
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise ReadError(
            table, path, f"the text is not {name} (it ends inside a character)"
        ) from None


def sample_lines(path: Path, encoding: str) -> list[str]:
    """The first non-blank lines of a text file; a line the sample cuts short is left out."""
    with path.open("rb") as handle:
        data = handle.read(SAMPLE_BYTES)
        more = bool(handle.read(1))
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(data)
    lines = text.splitlines()
    if more and len(lines) > 1:
        lines = lines[:-1]
    return [line for line in lines if line.strip()][:SAMPLE_LINES]


def text_layout(table: str, path: Path, options: ReadOptions, whole: bool = True) -> TextLayout:
    """Encoding, delimiter and decimal mark of a text export, with a note for each surprise.

    `whole`: every byte is checked to decode first; without it only the
    sample is read (enough to name the columns, as the upload page does).
    """
    if whole:
        encoding = text_encoding(table, path)
    else:
        with path.open("rb") as handle:
            encoding = text_encoding_of(handle.read(4))
    lines = sample_lines(path, encoding)
    notes: list[str] = []
    if encoding == "utf-16":
        notes.append("read as UTF-16 text (its byte-order mark says so)")
    if options.delimiter is not None:
        delimiter = DELIMITERS[options.delimiter]
    else:
        delimiter = sniff_delimiter(lines)
        if delimiter != ",":
            notes.append(f"read as {_delimiter_words(delimiter)} (not comma-separated)")
    if options.decimal is not None:
        decimal_comma = options.decimal == "comma"
    else:
        decimal_comma = delimiter == ";" and looks_decimal_comma(lines[1:], delimiter)
        if decimal_comma:
            notes.append("numbers read with a decimal comma (1.234,5 is 1234.5)")
    return TextLayout(encoding, delimiter, decimal_comma, tuple(notes), tuple(lines[:1]))


def _delimiter_words(delimiter: str) -> str:
    name = _BY_CHAR[delimiter]
    return "columns lined up with spaces" if name == WHITESPACE else f"{name}-separated"


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits every sampled line into the same number (> 1) of cells.

    The most cells wins; on a tie the usual order (comma, semicolon, tab,
    pipe). When no character does, columns lined up with spaces are tried;
    failing that, comma (and the missing columns then say what was read).
    """
    best, most = ",", 1
    for char in (",", ";", "\t", "|"):
        counts = {len(row) for row in csv.reader(lines, delimiter=char)}
        if len(counts) == 1 and (n := counts.pop()) > most:
            best, most = char, n
    if most == 1 and WhitespaceColumns().learn(lines).readable:
        return DELIMITERS[WHITESPACE]
    return best


def looks_decimal_comma(lines: list[str], delimiter: str) -> bool:
    """Some cell reads as 12,5 or 1.234,56 and none as 12.5."""
    cells = [cell.strip() for row in csv.reader(lines, delimiter=delimiter) for cell in row]
    commas = any(_COMMA_NUMBER.fullmatch(cell) for cell in cells)
    return commas and not any(_POINT_NUMBER.fullmatch(cell) for cell in cells)


class WhitespaceColumns:
    """How lines of columns lined up with spaces split into cells, learnt from every line.

    Columns are the runs of positions that some line fills; the runs blank on
    every line separate them, so a value with a space inside ("North East")
    stays one cell and an empty cell stays empty. When the columns do not line
    up, lines that all split on spaces into as many words still read.
    """

    def __init__(self) -> None:
        self._filled: list[bool] = []
        self._header: str | None = None
        self._words: set[int] = set()

    def learn(self, lines: Iterable[str]) -> WhitespaceColumns:
        for line in lines:
            text = line.expandtabs()
            if not text.strip():
                continue
            if self._header is None:
                self._header = text
            self._words.add(len(text.split()))
            if len(text) > len(self._filled):
                self._filled.extend([False] * (len(text) - len(self._filled)))
            for i, char in enumerate(text):
                if not char.isspace():
                    self._filled[i] = True
        return self

    def spans(self) -> list[tuple[int, int]] | None:
        """Each column's positions, when there are several and the header names each one."""
        found: list[tuple[int, int]] = []
        start: int | None = None
        for i, on in enumerate([*self._filled, False]):
            if on and start is None:
                start = i
            elif not on and start is not None:
                found.append((start, i))
                start = None
        header = self._header or ""
        named = all(header[a:b].strip() for a, b in found)
        return found if len(found) > 1 and named else None

    @property
    def readable(self) -> bool:
        return self.spans() is not None or self.words is not None

    @property
    def words(self) -> int | None:
        """The number of words every line has, when it is the same (> 1) for all."""
        return next(iter(self._words)) if len(self._words) == 1 and max(self._words) > 1 else None

    def split(self, line: str) -> list[str]:
        spans = self.spans()
        if spans is None:
            return line.split()
        text = line.expandtabs()
        return [text[a:b].strip() for a, b in spans]
