"""What the matching engine reads and returns: plain values, no database.

A *cash item* is money to apply (a payment, a credit note, later a bank
statement line); a *candidate* is an open invoice it could settle. The engine
turns one item and its candidates into ranked suggestions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import IntEnum, StrEnum
from typing import Any


class ItemKind(StrEnum):
    PAYMENT = "payment"
    CREDIT_NOTE = "credit_note"
    BANK_LINE = "bank_line"  # a bank statement line, whose customer may be unknown


class TextSource(StrEnum):
    """Where a reference was read; the reason sentence names it."""

    REMITTANCE = "remittance"
    BANK_REFERENCE = "bank_reference"
    REASON = "reason"  # a credit note's reason
    LABEL = "label"  # a bank statement line's label


class Confidence(IntEnum):
    """How sure a suggestion is; the order is the ranking order."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CERTAIN = 4

    @property
    def code(self) -> str:
        return self.name.lower()


class ReasonCode(StrEnum):
    REFERENCE = "reference"  # invoice numbers found in the texts
    ONLY_INVOICE = "only_invoice"  # the customer's only open invoice, for exactly the amount
    EXACT_AMOUNT = "exact_amount"  # an open invoice whose balance is exactly the amount
    WHOLE_BALANCE = "whole_balance"  # all the customer's open invoices sum to the amount
    COMBINATION = "combination"  # 2 or 3 open invoices sum to the amount
    OLDEST_FIRST = "oldest_first"  # the fallback: oldest due first
    MANUAL = "manual"  # a split typed by hand (not produced by the engine)


@dataclass(frozen=True, slots=True)
class CashItem:
    kind: ItemKind
    id: int
    customer_id: int | None
    amount: Decimal  # what is left to apply
    currency: str
    date: dt.date
    texts: tuple[tuple[TextSource, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    number: str
    customer_id: int
    due_date: dt.date
    balance: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a suggestion was made: a code and the figures its sentence needs."""

    code: ReasonCode
    numbers: tuple[str, ...] = ()
    where: tuple[TextSource, ...] = ()
    count: int = 0  # invoices involved
    remainder: Decimal = Decimal("0.00")  # what stays on account
    partial: bool = False  # the amount does not cover the invoices named
    ambiguous: bool = False  # the reference also reads as another invoice's number

    def as_payload(self) -> dict[str, Any]:
        """JSON-friendly form, kept in the timeline entry of the application."""
        return {
            "code": self.code.value,
            "numbers": list(self.numbers),
            "where": [source.value for source in self.where],
            "count": self.count,
            "remainder": str(self.remainder),
            "partial": self.partial,
            "ambiguous": self.ambiguous,
        }

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Reason:
        return cls(
            code=ReasonCode(data["code"]),
            numbers=tuple(data.get("numbers", ())),
            where=tuple(TextSource(w) for w in data.get("where", ())),
            count=int(data.get("count", 0)),
            remainder=Decimal(str(data.get("remainder", "0"))),
            partial=bool(data.get("partial", False)),
            ambiguous=bool(data.get("ambiguous", False)),
        )


@dataclass(frozen=True, slots=True)
class Suggestion:
    customer_id: int
    allocations: tuple[tuple[int, Decimal], ...]  # (invoice id, amount), in applying order
    confidence: Confidence
    score: int  # 0–100, orders suggestions of the same confidence
    reason: Reason
    numbers: tuple[str, ...] = field(default=())  # the invoices' numbers, in the same order

    @property
    def total(self) -> Decimal:
        return sum((amount for _invoice, amount in self.allocations), Decimal("0.00"))

    @property
    def key(self) -> frozenset[tuple[int, Decimal]]:
        return frozenset(self.allocations)
