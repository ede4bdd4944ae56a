"""Names in French order, and searched without regard to accents or case.

`folded(text)` is the key both uses share: lower case, accents dropped,
ligatures spelled out, blanks collapsed. Compared code point by code point
(what SQLite's BINARY and PostgreSQL's "C" collation do, and Python's `<`),
folded names come in French dictionary order at its first level: "Agence de
la Côte" < "Agence de Provence", "Aérotec" < "André", "dupont" = "Dupont".
Folding the text and the query the same way makes a plain substring test
accent- and case-insensitive.

The standard library is enough here (Unicode decomposition); a collation
library (ICU) would also order the ties the folding leaves (côte / Côte), at
the price of a compiled dependency.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

# Letters that Unicode does not decompose into a base letter plus an accent.
_LIGATURES = str.maketrans(
    {
        "œ": "oe",
        "æ": "ae",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ł": "l",
        "þ": "th",
        "ı": "i",
        # Typographic apostrophes and dashes, as typed on a keyboard.
        "’": "'",
        "‘": "'",
        "ʼ": "'",
        "‐": "-",
        "‑": "-",
        "–": "-",
        "—": "-",
    }
)
_BLANKS = re.compile(r"\s+")


def folded(text: str) -> str:
    """The text lower-cased, without accents, ligatures spelled out, blanks collapsed."""
    # Decomposed before and after case folding: "ℌ" is a capital only once
    # decomposed, and folding "İ" brings back a combining dot.
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _BLANKS.sub(" ", bare.translate(_LIGATURES)).strip()


def in_french_order(items: Iterable[T], key: Callable[[T], str] = str) -> list[T]:
    """`items` sorted by the folded text of `key` (ties: the text itself), for short lists."""
    return sorted(items, key=lambda item: (folded(key(item)), key(item)))
