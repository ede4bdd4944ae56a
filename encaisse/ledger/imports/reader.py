"""Stage 1, reading: bytes → (line number, cells) without loading the file in memory.

1. Sniff the encoding on the first megabyte: a UTF-8 BOM, else valid UTF-8,
   else Windows-1252 (a superset of Latin-1 for text), else Latin-1.
2. Refuse binary files (NUL bytes, many control characters).
3. Sniff the separator on the header line: the most frequent of `; , TAB |`.
4. Stream the rows with the csv module, hashing the bytes as they go.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _

SAMPLE_BYTES = 1 << 20
SEPARATORS = (";", ",", "\t", "|")
csv.field_size_limit(min(sys.maxsize, 1 << 24))


class FileError(Exception):
    """The file as a whole cannot be imported; the message is for the user."""


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


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


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
    """An open delimited file: its header and a lazy iterator over its rows."""

    encoding: str
    separator: str
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    _hasher: _HashingReader = field(repr=False)

    def sha256(self) -> str:
        return self._hasher.drain()

    @property
    def bytes_read(self) -> int:
        return self._hasher.bytes_read


def open_table(
    binary: IO[bytes], *, separators: tuple[str, ...] = SEPARATORS, quoting: bool = True
) -> Table:
    """Open `binary` (seekable) for reading; raise FileError if it is not a text table."""
    sample = binary.read(SAMPLE_BYTES)
    binary.seek(0)
    if not sample.strip():
        raise FileError(_("The file is empty."))
    if looks_binary(sample):
        raise FileError(_("This is not a text file (binary content); expected CSV or FEC text."))
    encoding = detect_encoding(sample)
    hasher = _HashingReader(binary)
    text = io.TextIOWrapper(io.BufferedReader(hasher, 1 << 16), encoding=encoding, newline="")
    first = text.readline()
    separator = max(separators, key=first.count)
    if first.count(separator) == 0:
        raise FileError(
            _("No column separator found in the header line (expected one of ; , TAB |).")
        )
    header = next(csv.reader([first], delimiter=separator))
    header = [normalise_header(name) for name in header]
    reader = csv.reader(
        text, delimiter=separator, quoting=csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE
    )
    return Table(encoding, separator, header, _numbered(reader), hasher)


def _numbered(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """Yield (physical line number, cells); the header, read apart, is line 1."""
    line = 1
    try:
        for cells in reader:
            line = 1 + reader.line_num
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            yield line, cells
    except UnicodeDecodeError as exc:
        raise FileError(
            _("Line %(line)s: the file mixes encodings (%(reason)s).")
            % {"line": line + 1, "reason": exc.reason}
        ) from exc
    except csv.Error as exc:
        raise FileError(
            _("Line %(line)s: unreadable CSV (%(reason)s).") % {"line": line + 1, "reason": exc}
        ) from exc
