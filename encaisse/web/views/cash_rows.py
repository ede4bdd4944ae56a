"""The rows of the cash-application workspace: an item on account and its suggestions.

A suggestion is posted back as `invoice:amount` pairs (`encode` / `decode`);
the apply view recomputes the item's suggestions to know the reason, so a
posted reason is never trusted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from encaisse.accounts.models import User
from encaisse.ledger.matching import Confidence, ItemKind, Suggestion
from encaisse.ledger.matching.loader import suggestions_for, unapplied_items
from encaisse.ledger.matching.sentences import confidence_label, reason_sentence
from encaisse.ledger.models import CreditNote, Payment
from encaisse.ledger.selectors import credit_notes_visible_to, payments_visible_to

Source = Payment | CreditNote
Key = tuple[ItemKind, int]
MAX_LINES = 50  # invoices posted in one application (a split lists at most this many)


@dataclass(frozen=True)
class SuggestionRow:
    suggestion: Suggestion
    confidence: str
    label: str
    sentence: str
    lines: list[tuple[str, int, Decimal]]  # (number, invoice id, amount)
    value: str


@dataclass(frozen=True)
class CashRow:
    kind: ItemKind
    source: Source
    suggestions: list[SuggestionRow]

    @property
    def dom_id(self) -> str:
        return f"cash-{self.kind.value}-{self.source.pk}"

    @property
    def left(self) -> Decimal:
        return self.source.unallocated

    @property
    def texts(self) -> list[str]:
        if isinstance(self.source, Payment):
            return [t for t in (self.source.bank_reference, self.source.remittance) if t]
        return [t for t in (self.source.number, self.source.reason) if t]


def encode(allocations: Sequence[tuple[int, Decimal]]) -> str:
    return ",".join(f"{invoice}:{amount}" for invoice, amount in allocations)


def decode(value: str) -> list[tuple[int, Decimal]] | None:
    """`invoice:amount` pairs, or None when the value was not written by `encode`."""
    pairs = []
    for part in value.split(",")[:MAX_LINES]:
        invoice, _sep, amount = part.partition(":")
        try:
            pairs.append((int(invoice), Decimal(amount)))
        except (ValueError, InvalidOperation):
            return None
    return pairs


def best_confidence(suggestions: Sequence[Suggestion]) -> Confidence | None:
    return suggestions[0].confidence if suggestions else None


def suggestion_row(suggestion: Suggestion, currency: str) -> SuggestionRow:
    return SuggestionRow(
        suggestion=suggestion,
        confidence=suggestion.confidence.code,
        label=confidence_label(suggestion.confidence),
        sentence=reason_sentence(suggestion.reason, currency),
        lines=[
            (number, invoice, amount)
            for number, (invoice, amount) in zip(
                suggestion.numbers, suggestion.allocations, strict=True
            )
        ],
        value=encode(suggestion.allocations),
    )


def suggestions_by_key(keys: Sequence[Key]) -> dict[Key, list[Suggestion]]:
    """Suggestions of the given items (those still on account), set-based."""
    items = []
    for kind in (ItemKind.PAYMENT, ItemKind.CREDIT_NOTE):
        ids = [pk for k, pk in keys if k is kind]
        if ids:
            items.extend(unapplied_items(kinds=[kind], ids=ids))
    return {(item.kind, item.id): found for item, found in suggestions_for(items)}


def cash_rows(
    user: User, keys: Sequence[Key], suggestions: dict[Key, list[Suggestion]] | None = None
) -> list[CashRow]:
    """Rows for `keys` in that order; an item the viewer may not see is left out."""
    if suggestions is None:
        suggestions = suggestions_by_key(keys)
    sources: dict[Key, Source] = {}
    for kind, queryset in (
        (ItemKind.PAYMENT, payments_visible_to(user)),
        (ItemKind.CREDIT_NOTE, credit_notes_visible_to(user)),
    ):
        ids = [pk for k, pk in keys if k is kind]
        if ids:
            for source in queryset.filter(pk__in=ids).select_related("customer"):
                sources[(kind, source.pk)] = source
    return [
        CashRow(
            kind=key[0],
            source=sources[key],
            suggestions=[
                suggestion_row(s, sources[key].currency) for s in suggestions.get(key, [])
            ],
        )
        for key in keys
        if key in sources
    ]
