"""Which encoding a file is in, and holding every line of the file to it.

1. A byte order mark decides: UTF-8 (`utf-8-sig`), or UTF-16 (what Excel writes as
   "Unicode text").
2. Otherwise the non-ASCII lines of the first megabyte vote: valid UTF-8, or not
   (then Windows-1252, a superset of Latin-1 for French text, or Latin-1 when a
   byte is undefined in Windows-1252). When the sample has no non-ASCII line the
   question stays open, and the first non-ASCII line of the file answers it.
3. Every non-ASCII line must then read the same way. The first one that does not
   (a Latin-1 line in a UTF-8 file, a UTF-8 line in a Latin-1 one, anything after
   a UTF-8 byte order mark that is not UTF-8) rejects the file, naming that line:
   read with one encoding it would come out as "CafÃ©", with the other as "Caf?".

Bytes that do not decode become lone surrogates (U+DC00 + byte, as with Python's
"surrogateescape") instead of stopping the stream, so the line is known exactly.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from encaisse.ledger.imports.errors import FileError

SAMPLE_BYTES = 1 << 20
ESCAPE = "encaisse-escape"
UTF8, EIGHT_BIT = "utf-8", "8-bit"
_ESCAPED = re.compile("[\udc00-\udcff]")


def _escape(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(chr(0xDC00 + byte) for byte in bad), error.end


codecs.register_error(ESCAPE, _escape)


@dataclass(frozen=True)
class Guess:
    """The codec to stream the file with; `decided` is False while only ASCII was seen."""

    encoding: str
    decided: bool


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _eight_bit(data: bytes) -> str:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1"
    return "cp1252"


def guess(sample: bytes) -> Guess:
    if sample.startswith(codecs.BOM_UTF8):
        return Guess("utf-8-sig", True)
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Guess("utf-16", True)
    lines = sample.splitlines()
    if len(sample) >= SAMPLE_BYTES and lines:
        lines.pop()  # the sample may end in the middle of a character
    utf8 = 0
    other: list[bytes] = []
    for line in lines:
        if line.isascii():
            continue
        if _is_utf8(line):
            utf8 += 1
        else:
            other.append(line)
    if not utf8 and not other:
        return Guess("utf-8", False)
    if utf8 >= len(other):
        return Guess("utf-8", True)
    return Guess(_eight_bit(b"\n".join(other)), True)


def detect_encoding(sample: bytes) -> str:
    return guess(sample).encoding


class LineDecoder:
    """Follows the decoded lines of one file: counts them, checks each non-ASCII one."""

    def __init__(self, start: Guess) -> None:
        self.codec = start.encoding  # what the stream is decoded with
        self.encoding = start.encoding  # what the file turned out to be (for the report)
        self.kind: str | None = None
        if start.decided:
            self.kind = EIGHT_BIT if start.encoding in ("cp1252", "latin-1") else UTF8
        self.line = 0

    def lines(self, text: Iterable[str]) -> Iterator[str]:
        # Hot loop (a million lines): ASCII lines, most of them, cost one isascii().
        for line in text:
            self.line += 1
            if not line.isascii():
                line = self._check(line)
            yield line

    def _check(self, line: str) -> str:
        escaped = _ESCAPED.search(line) is not None
        if self.codec == "utf-16":
            if escaped:
                raise FileError(
                    _("Line %(line)s is not valid UTF-16 (is the file cut off?).")
                    % {"line": self.line}
                )
            return line
        if self.codec in ("utf-8", "utf-8-sig"):
            raw = line.encode("utf-8", "surrogateescape") if escaped else b""
            kind = EIGHT_BIT if escaped else UTF8
        else:
            raw = line.encode(self.codec, "surrogateescape")
            kind = UTF8 if _is_utf8(raw) else EIGHT_BIT
        if self.kind is None:
            self.kind = kind
            if kind == EIGHT_BIT:
                self.encoding = _eight_bit(raw)
        elif kind != self.kind:
            raise FileError(self._mixed(kind))
        if kind == EIGHT_BIT and escaped:
            return raw.decode(_eight_bit(raw))
        return line

    def _mixed(self, found: str) -> str:
        values = {"line": self.line}
        if found == UTF8:
            return (
                _(
                    "Line %(line)s is UTF-8 while the rest of the file is Windows-1252 / "
                    "Latin-1: the file mixes encodings. Save it again in one encoding (UTF-8)."
                )
                % values
            )
        if self.codec == "utf-8-sig":
            return (
                _(
                    "Line %(line)s is not UTF-8 although the file starts with a UTF-8 byte "
                    "order mark (it looks like Windows-1252 / Latin-1). Save the whole file "
                    "again as UTF-8."
                )
                % values
            )
        return (
            _(
                "Line %(line)s is not UTF-8 like the rest of the file (it looks like "
                "Windows-1252 / Latin-1): the file mixes encodings. Save it again in one "
                "encoding (UTF-8)."
            )
            % values
        )
