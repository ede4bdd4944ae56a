"""Accounting entries that a FEC holds twice.

An entry is a run of consecutive lines with the same journal, entry number and
date. When the same key comes back later in the file with the same lines (in
any order, every cell compared), the entry is in the file twice: imported, it
would double the receivables, and a doubled FEC still balances. A key that comes
back with other lines is legitimate (some packages number every entry 0), and so
are repeated piece references in different entries; a run whose lines repeat
inside it is one entry (a real Agrigest export has one).

Each run is remembered by a digest of its sorted lines, so memory stays small.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

Key = tuple[str, str, str]  # JournalCode, EcritureNum, EcritureDate


@dataclass(frozen=True, slots=True)
class Copy:
    """The entry `key` at lines first…first_end appears again at lines start…end."""

    key: Key
    first: tuple[int, int]
    again: tuple[int, int]


@dataclass
class EntryCopies:
    seen: dict[Key, list[tuple[int, int, bytes]]] = field(default_factory=dict)
    copies: list[Copy] = field(default_factory=list)
    _key: Key | None = None
    _start: int = 0
    _end: int = 0
    _lines: list[str] = field(default_factory=list)

    def add(self, line: int, key: Key, cells: list[str]) -> None:
        if key != self._key:
            self._close()
            self._key, self._start = key, line
        self._end = line
        self._lines.append("\x1f".join(cell.strip() for cell in cells))

    def finish(self) -> list[Copy]:
        self._close()
        return self.copies

    def _close(self) -> None:
        if self._key is None:
            return
        digest = hashlib.sha256("\n".join(sorted(self._lines)).encode()).digest()
        runs = self.seen.setdefault(self._key, [])
        match = next(((s, e) for s, e, d in runs if d == digest), None)
        if match is not None:
            self.copies.append(Copy(self._key, match, (self._start, self._end)))
        else:
            runs.append((self._start, self._end, digest))
        self._key, self._lines = None, []


def span(lines: tuple[int, int]) -> str:
    """ "12–14", or "12" for one line."""
    start, end = lines
    return str(start) if start == end else f"{start}–{end}"
