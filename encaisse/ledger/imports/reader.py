"""Stage 1, reading: bytes → (line number, cells) without loading the file in memory.

1. Guess the encoding on the first megabyte (`decoding.guess`: a byte order
   mark, else the vote of the non-ASCII lines) and hold every later line to it.
2. Refuse binary files (NUL bytes, many control characters; not UTF-16 with a BOM).
3. Sniff the separator on the header line: the most frequent of `; , TAB |`.
4. Stream the rows with the csv module (strict quoting), hashing the bytes as
   they go. A row with another number of cells than the header (a line cut
   off, a stray separator) or bad quoting is reported through `bad_row`, with
   its line, and never reaches the schema: "Énergies Four" is an error, not a
   name. Blank lines, and lines of separators only, are skipped.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from encaisse.ledger.imports.decoding import (
    ESCAPE,
    SAMPLE_BYTES,
    LineDecoder,
    detect_encoding,
    guess,
)
from encaisse.ledger.imports.errors import FileError

__all__ = ["FileError", "Table", "detect_encoding", "normalise_header", "open_table"]

SEPARATORS = (";", ",", "\t", "|")
csv.field_size_limit(min(sys.maxsize, 1 << 24))

# Called with (line, reason) for a line that cannot be read as a row.
BadRow = Callable[[int, str], None]


class _HashingReader(io.RawIOBase):
    """Feeds every byte read through SHA-256, so hashing costs no second pass."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
        self.digest.update(data)
        self.bytes_read += len(data)
        buffer[: len(data)] = data
        return len(data)

    def drain(self) -> str:
        while self.raw.read(1 << 20):
            pass
        return self.digest.hexdigest()


def looks_binary(sample: bytes) -> bool:
    if b"\x00" in sample:
        return True
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 13))
    return controls > max(8, len(sample) // 100)


def normalise_header(name: str) -> str:
    """ "  Date d'échéance " → "date_d_echeance"."""
    text = unicodedata.normalize("NFKD", name.strip().lstrip("\ufeff"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


@dataclass
class Table:
    """An open delimited file: its header and a lazy iterator over its rows.

    `header` holds the normalised column names, `labels` the names as the file
    writes them (errors quote those).
    """

    separator: str
    header: list[str]
    labels: list[str]
    rows: Iterator[tuple[int, list[str]]]
    _decoder: LineDecoder = field(repr=False)
    _hasher: _HashingReader = field(repr=False)

    @property
    def encoding(self) -> str:
        """The file's encoding; final once the rows are read (ASCII so far says utf-8)."""
        return self._decoder.encoding

    def sha256(self) -> str:
        return self._hasher.drain()

    @property
    def bytes_read(self) -> int:
        return self._hasher.bytes_read


def _is_empty(sample: bytes, encoding: str) -> bool:
    if encoding == "utf-16":  # the BOM, then two bytes per character
        return not sample[2:].replace(b"\x00", b"").strip()
    return not sample.strip()


def open_table(
    binary: IO[bytes],
    *,
    bad_row: BadRow,
    separators: tuple[str, ...] = SEPARATORS,
    quoting: bool = True,
) -> Table:
    """Open `binary` (seekable) for reading; raise FileError if it is not a text table."""
    sample = binary.read(SAMPLE_BYTES)
    binary.seek(0)
    start = guess(sample)
    if _is_empty(sample, start.encoding):
        raise FileError(_("The file is empty."))
    if start.encoding != "utf-16" and looks_binary(sample):
        raise FileError(_("This is not a text file (binary content); expected CSV or FEC text."))
    hasher = _HashingReader(binary)
    text = io.TextIOWrapper(
        io.BufferedReader(hasher, 1 << 16), encoding=start.encoding, errors=ESCAPE, newline=""
    )
    decoder = LineDecoder(start)
    lines = decoder.lines(text)
    first = next(lines, "")
    separator = max(separators, key=first.count)
    if first.count(separator) == 0:
        raise FileError(
            _("No column separator found in the header line (expected one of ; , TAB |).")
        )
    labels = [
        label.strip().lstrip("\ufeff").strip()
        for label in next(csv.reader([first], delimiter=separator))
    ]
    reader = csv.reader(
        lines,
        delimiter=separator,
        quoting=csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE,
        strict=True,
    )
    rows = _numbered(reader, decoder, labels, bad_row)
    header = [normalise_header(label) for label in labels]
    return Table(separator, header, labels, rows, decoder, hasher)


def _numbered(
    reader: Any, decoder: LineDecoder, labels: list[str], bad_row: BadRow
) -> Iterator[tuple[int, list[str]]]:
    """Yield (physical line where the row starts, cells); the header is line 1."""
    width = len(labels)
    while True:
        line = decoder.line + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            bad_row(line, _quoting_reason(exc))
            continue
        if len(cells) == width:
            # A row whose first cell has something is not blank: skip the scan (hot path).
            if cells[0].strip() or any(cell.strip() for cell in cells):
                yield line, cells
            continue
        if not "".join(cells).strip():
            continue  # a blank line, or separators only (spreadsheets add those)
        bad_row(line, _width_reason(len(cells), labels))


def _width_reason(found: int, labels: list[str]) -> str:
    expected = len(labels)
    values = {"expected": expected, "found": found}
    if found < expected:
        missing = ", ".join(label or "?" for label in labels[found:])
        return ngettext(
            "expected %(expected)s cell as in the header, found %(found)s: the line is cut "
            "off or a separator is missing (missing: %(columns)s)",
            "expected %(expected)s cells as in the header, found %(found)s: the line is cut "
            "off or a separator is missing (missing: %(columns)s)",
            expected,
        ) % {**values, "columns": missing}
    return (
        ngettext(
            "expected %(expected)s cell as in the header, found %(found)s: a separator too many, "
            "or a cell holding the separator without quotes",
            "expected %(expected)s cells as in the header, found %(found)s: a separator too many, "
            "or a cell holding the separator without quotes",
            expected,
        )
        % values
    )


def _quoting_reason(exc: csv.Error) -> str:
    if "unexpected end of data" in str(exc):
        return _("the file ends inside a quoted cell: the line is cut off or a quote is not closed")
    if "NUL" in str(exc):
        return _("the line contains a NUL byte: binary content, not text")
    if "field larger than field limit" in str(exc):
        return _("a cell longer than 16 MB: a quote is probably not closed")
    return _("badly quoted cell: text after a closing quote, or a quote not doubled")
