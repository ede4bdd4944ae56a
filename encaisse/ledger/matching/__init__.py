"""Cash application: which open invoices a payment or a credit note settles.

`types`, `references`, `combinations` and `engine` are pure Python (no
database, no settings): they take plain values and return ranked
suggestions, so bank statement lines can use them as they are. `loader` reads
the ledger in set-based batches to feed them; `sentences` words the reasons.
"""

from encaisse.ledger.matching.engine import confident, suggest
from encaisse.ledger.matching.types import (
    Candidate,
    CashItem,
    Confidence,
    ItemKind,
    Reason,
    ReasonCode,
    Suggestion,
    TextSource,
)

__all__ = [
    "Candidate",
    "CashItem",
    "Confidence",
    "ItemKind",
    "Reason",
    "ReasonCode",
    "Suggestion",
    "TextSource",
    "confident",
    "suggest",
]
