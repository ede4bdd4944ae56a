"""Invoice numbers in free text, compared by a normalised *key*.

The rule (docs/cash-application.md, "References"):

1. Fold: accents removed, upper case. A *word* is a run of letters and digits,
   possibly joined by `-` `/` `.` `_` (and by a decimal comma: "2511,65" stays
   one word, so an amount is never read as an invoice number).
2. A word's key is its groups of letters and of digits, in order, with the
   leading zeros of each digit group removed, and one leading generic prefix
   dropped (FACTURE, FACT, FAC, FA, F, INV, INVOICE, N, NO, NUM, NUMERO, REF)
   when a digit group follows it. Separators do not count, their place does:
   "FAC 00123", "F-123", "fa123" and "N° 123" all have the key "123";
   "FA2026-0001234" and "FA 2026/1234" have "2026.1234"; "AV-123" has "AV.123"
   (a credit note's prefix is not generic, so it never reads as invoice F-123).
3. Two adjacent words are also read together ("FACT 190646", "2026 1234").
4. A number needs a digit: a word without one is never a reference.
5. The false-positive guard: a word made only of digits, with no letter and no
   generic prefix word before it, counts only with at least four digits as
   written ("0123", "190646"). "12" in "VIR 12 JUILLET" names nothing; "F 12",
   "FACT 12" and "F-12" do name invoice F-12.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

PREFIXES = frozenset(
    {"F", "FA", "FAC", "FACT", "FACTURE", "FACTURES", "INV", "INVOICE", "N", "NO", "NUM",
     "NUMERO", "REF"}
)  # fmt: skip
MIN_BARE_DIGITS = 4

_WORD = re.compile(r"[A-Z0-9]+(?:(?:[-/._]|(?<=\d),(?=\d{2}(?!\d)))[A-Z0-9]+)*")
_GROUP = re.compile(r"[A-Z]+|[0-9]+")


# Symbols whose compatibility decomposition holds digits: the CJK telegraph
# symbols for months, hours and days ("㋀" → "1月", "㍘" → "0点") and the squared
# units ("㎟" → "mm2"), all in U+32C0–U+33FE. A digit nobody wrote as a digit
# names no invoice: they read as a blank (found by hypothesis: "A㍘" named "A.0").
_DIGIT_SYMBOLS = {
    code: " "
    for code in range(0x3200, 0x3400)
    if unicodedata.category(chr(code)) == "So"
    and any(char.isdigit() for char in unicodedata.normalize("NFKD", chr(code)))
}


def fold(text: str) -> str:
    """Upper case without accents ("Réf. n°12" → "REF. NO12"; º and ° read as O)."""
    text = text.translate(_DIGIT_SYMBOLS).replace("°", "O").replace("º", "O")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def _groups(word: str) -> list[str]:
    groups = _GROUP.findall(word)
    if len(groups) > 1 and groups[0] in PREFIXES and groups[1].isdigit():
        groups = groups[1:]
    return [g.lstrip("0") or "0" if g.isdigit() else g for g in groups]


@lru_cache(maxsize=65_536)
def number_key(number: str) -> str | None:
    """The key of an invoice number, or None when it has no digit (never matched).

    Cached: the same open invoices are candidates for many items of a batch.
    """
    groups = _groups(fold(number))
    if not any(group.isdigit() for group in groups):
        return None
    return ".".join(groups)


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def reference_keys(text: str) -> set[str]:
    """Every key the text may name, after the false-positive guard."""
    found: set[str] = set()
    items = words(text)
    for index, word in enumerate(items):
        previous = items[index - 1] if index else ""
        key = number_key(word)
        if key is not None and _anchored(word, previous):
            found.add(key)
        if index + 1 < len(items):
            following = items[index + 1]
            pair = number_key(f"{word}-{following}")
            if pair is not None and _pair_reads_as_number(word, following):
                found.add(pair)
    return found


def _anchored(word: str, previous: str) -> bool:
    """A letter in the word or a generic prefix word before it; else enough digits."""
    if not word.isdigit():
        return True
    return previous in PREFIXES or len(word) >= MIN_BARE_DIGITS


def _pair_reads_as_number(first: str, second: str) -> bool:
    """ "FACT 190646", "FA2026 0001234", "2026 1234"; not "12 07" (a date, an amount)."""
    if first.isdigit() and second.isdigit():
        return len(first) >= MIN_BARE_DIGITS
    return True


def lookup_numbers(texts: Iterable[str]) -> set[str]:
    """Spellings to look up in the invoice-number index when the customer is unknown.

    The index compares exact strings, so the words are taken as the text
    writes them (and upper-cased); the keys then decide what matches.
    """
    spellings: set[str] = set()
    for text in texts:
        for word in re.findall(r"[\w./-]*\d[\w./-]*", text):
            word = word.strip("./-_")
            if word:
                spellings.update({word, word.upper()})
    return spellings
