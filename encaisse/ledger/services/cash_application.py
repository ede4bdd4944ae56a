"""Applying cash on account to invoices: one suggestion, a hand split, or every confident one.

Every application is a set of allocations made by `allocation_create`, whose
conditional UPDATEs hold the invariants: two finance users applying the same
payment at once cannot over-allocate it; the second gets a clear error
(`CashApplicationError`) and nothing of his application is written. The checks
below only word the errors; they are not what keeps the ledger right.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from encaisse.accounts.models import User
from encaisse.ledger.matching import CashItem, ItemKind, Reason, ReasonCode, Suggestion, confident
from encaisse.ledger.matching.loader import suggestions_for, unapplied_items
from encaisse.ledger.models import Allocation, CreditNote, Invoice, Payment
from encaisse.ledger.models.invoice import OPEN_STATUSES
from encaisse.ledger.services.allocation import AllocationError, allocation_create
from encaisse.lib.money import format_money

Source = Payment | CreditNote
CENT = Decimal("0.01")


class CashApplicationError(AllocationError):
    """The application was refused as a whole; the message says why, for the user."""


def _money(amount: Decimal, currency: str) -> str:
    return format_money(amount, currency, get_language() or "fr")


def source_label(source: Source) -> str:
    if isinstance(source, Payment):
        return _("payment %(ref)s") % {"ref": source}
    return _("credit note %(number)s") % {"number": source.number}


def _check(source: Source, shares: Sequence[tuple[int, Decimal]]) -> dict[int, Invoice]:
    """Word the errors a user can fix; return the invoices by id."""
    if not shares:
        raise CashApplicationError(_("Enter an amount for at least one invoice."))
    ids = [invoice_id for invoice_id, _amount in shares]
    if len(set(ids)) != len(ids):
        raise CashApplicationError(_("An invoice appears twice in this application."))
    for _invoice, amount in shares:
        if amount <= 0 or amount != amount.quantize(CENT):
            raise CashApplicationError(
                _("Amounts must be positive, to the cent (%(amount)s).") % {"amount": amount}
            )
    invoices = Invoice.objects.in_bulk(ids)
    currency = source.currency
    for invoice_id, amount in shares:
        invoice = invoices.get(invoice_id)
        if invoice is None or invoice.customer_id != source.customer_id:
            raise CashApplicationError(
                _("This invoice does not belong to the customer of %(source)s.")
                % {"source": source_label(source)}
            )
        if invoice.status not in OPEN_STATUSES or amount > invoice.balance:
            raise CashApplicationError(
                _("%(amount)s exceeds the open balance of invoice %(number)s (%(balance)s).")
                % {
                    "amount": _money(amount, currency),
                    "number": invoice.number,
                    "balance": _money(invoice.balance, currency),
                }
            )
    total = sum((amount for _invoice, amount in shares), Decimal("0.00"))
    if total > source.unallocated:
        raise CashApplicationError(
            _("The amounts (%(total)s) exceed what is left to apply on %(source)s (%(left)s).")
            % {
                "total": _money(total, currency),
                "source": source_label(source),
                "left": _money(source.unallocated, currency),
            }
        )
    return invoices


@transaction.atomic
def cash_apply(
    *,
    actor: User | None,
    source: Source,
    allocations: Sequence[tuple[int, Decimal]],
    reason: Reason | None = None,
) -> list[Allocation]:
    """Apply `source` to invoices: [(invoice id, amount)], from a suggestion or typed by hand.

    What is not applied stays on account. All or nothing: if one allocation is
    refused (someone applied the same money or paid the same invoice meanwhile),
    none is made.
    """
    source.refresh_from_db(fields=["allocated"])
    invoices = _check(source, allocations)
    why = reason or Reason(ReasonCode.MANUAL, count=len(allocations))
    details = {"via": "cash_application", "match": why.as_payload()}
    made = []
    try:
        for invoice_id, amount in allocations:
            made.append(
                allocation_create(
                    actor=actor,
                    invoice=invoices[invoice_id],
                    amount=amount,
                    payment=source if isinstance(source, Payment) else None,
                    credit_note=source if isinstance(source, CreditNote) else None,
                    details=details,
                    via_cash_application=True,
                )
            )
    except AllocationError as exc:
        raise CashApplicationError(_changed_meanwhile(source)) from exc
    return made


def _changed_meanwhile(source: Source) -> str:
    """The error when a conditional UPDATE refused: the ledger moved since the page was shown."""
    fresh = type(source).objects.get(pk=source.pk)
    label = source_label(source)
    return _(
        "%(source)s changed meanwhile (someone else applied it, or settled these invoices): "
        "%(left)s is left to apply. Nothing was applied; look again and retry."
    ) % {"source": label[:1].upper() + label[1:], "left": _money(fresh.unallocated, fresh.currency)}


@dataclass
class ConfidentResult:
    """What `cash_apply_confident` did: the items applied, and those skipped with why."""

    applied: list[tuple[CashItem, Suggestion]] = field(default_factory=list)
    skipped: list[tuple[CashItem, Suggestion, str]] = field(default_factory=list)


def load_source(kind: ItemKind, pk: int) -> Source:
    model = Payment if kind is ItemKind.PAYMENT else CreditNote
    return model.objects.select_related("customer").get(pk=pk)


def confident_items(
    *,
    customer_ids: Collection[int] | None = None,
    batch_id: int | None = None,
    kinds: Collection[ItemKind] = (ItemKind.PAYMENT, ItemKind.CREDIT_NOTE),
) -> list[tuple[CashItem, Suggestion]]:
    """The unapplied items whose match is unambiguous, with that match."""
    items = unapplied_items(kinds=kinds, customer_ids=customer_ids, batch_id=batch_id)
    found = []
    for item, suggestions in suggestions_for(items):
        chosen = confident(suggestions)
        if chosen is not None:
            found.append((item, chosen))
    return found


@transaction.atomic
def cash_apply_confident(
    *,
    actor: User | None,
    customer_ids: Collection[int] | None = None,
    batch_id: int | None = None,
    kinds: Collection[ItemKind] = (ItemKind.PAYMENT, ItemKind.CREDIT_NOTE),
) -> ConfidentResult:
    """Apply every unambiguous suggestion (of some customers, or of one import batch).

    Each item is applied in its own savepoint: when one is refused (two
    payments naming the same invoice: the first one settles it), it is
    skipped with the reason and the others stay applied.
    """
    result = ConfidentResult()
    for item, chosen in confident_items(customer_ids=customer_ids, batch_id=batch_id, kinds=kinds):
        try:
            with transaction.atomic():
                source = load_source(item.kind, item.id)
                cash_apply(
                    actor=actor, source=source, allocations=chosen.allocations, reason=chosen.reason
                )
        except AllocationError as exc:
            result.skipped.append((item, chosen, str(exc)))
        else:
            result.applied.append((item, chosen))
    return result
