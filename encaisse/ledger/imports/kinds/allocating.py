"""Allocation planning shared by payments and credit notes, computed in Python per chunk.

The remaining balance of an invoice is its stored `balance`: the ledger keeps
it equal to amount − Σ allocations in every transaction, and each chunk of an
import writes the final balance, status and settlement date of the invoices it
allocated to (`OpenInvoices.write`) before the next chunk reads them. The
payments and credit notes are inserted with their final `allocated` total, so
no set-based recomputation of invoices is needed after an import, only of the
customers' open balances (see `pipeline._finish`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from encaisse.ledger.imports.context import money
from encaisse.ledger.models.invoice import InvoiceStatus
from encaisse.ledger.services.balances import LIVE_DATE, REVERSED_JOIN
from encaisse.lib import bulk

OPEN = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID)


@dataclass(slots=True)
class OpenInvoice:
    id: int
    remaining: Decimal
    # Allocated to before this chunk: its settlement date may be an older allocation's.
    had_allocations: bool
    # Latest date of the allocations this chunk made to it (None: untouched).
    latest: dt.date | None = None


class OpenInvoices:
    """(customer id, invoice number) → OpenInvoice for one chunk."""

    def __init__(self, numbers: set[str]) -> None:
        self.by_key: dict[tuple[int, str], OpenInvoice] = {}
        # Status is filtered in Python: in SQL it would tempt SQLite into the status index.
        rows = bulk.select_in(
            "SELECT number, customer_id, id, status, amount, balance "
            "FROM ledger_invoice WHERE number IN ({marks})",
            numbers,
        )
        for number, customer_id, pk, status, amount, remaining in rows:
            if status in OPEN:
                left = money(remaining)
                self.by_key[(customer_id, number)] = OpenInvoice(pk, left, left != money(amount))

    def exists(self, customer_id: int, number: str) -> bool:
        return (customer_id, number) in self.by_key

    def take(
        self, customer_id: int, number: str, available: Decimal, on: dt.date
    ) -> tuple[int, Decimal]:
        """Allocate up to `available` on date `on`; return (invoice id, amount taken)."""
        entry = self.by_key[(customer_id, number)]
        share = min(available, entry.remaining)
        if share > 0:
            entry.remaining -= share
            entry.latest = on if entry.latest is None else max(entry.latest, on)
        return entry.id, share

    def write(self, now: Any) -> None:
        """Store balance, status and settlement date of the invoices this chunk allocated to.

        The same values `balances_recompute` derives: paid at zero, else
        partially paid; `paid_on` is the latest allocation date when paid.
        """
        touched = [entry for entry in self.by_key.values() if entry.latest is not None]
        earlier = _latest_allocation_dates(
            [e.id for e in touched if e.remaining == 0 and e.had_allocations]
        )
        rows = []
        for entry in touched:
            if entry.remaining == 0:
                paid_on = max(entry.latest, earlier.get(entry.id, entry.latest))  # type: ignore[type-var]
                rows.append((entry.remaining, InvoiceStatus.PAID.value, paid_on, now, entry.id))
            else:
                rows.append(
                    (entry.remaining, InvoiceStatus.PARTIALLY_PAID.value, None, now, entry.id)
                )
        bulk.update_many("ledger_invoice", ("balance", "status", "paid_on", "updated_at"), rows)


def _latest_allocation_dates(invoice_ids: list[int]) -> dict[int, dt.date]:
    rows = bulk.select_in(
        f"SELECT a.invoice_id, MAX({LIVE_DATE}) FROM ledger_allocation a "
        "LEFT JOIN ledger_payment p ON p.id = a.payment_id "
        "LEFT JOIN ledger_creditnote c ON c.id = a.credit_note_id "
        f"{REVERSED_JOIN} WHERE a.invoice_id IN ({{marks}}) GROUP BY a.invoice_id",
        invoice_ids,
    )
    return {pk: _date(value) for pk, value in rows if value is not None}


def _date(value: Any) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def insert_allocations(
    rows: list[tuple[int, str, Decimal, str]],
    source_column: str,
    ids: dict[str, int],
    created_at: Any,
    actor_id: int | None,
) -> None:
    """rows: (invoice id, source external key, amount, currency)."""
    bulk.insert(
        "ledger_allocation",
        (
            "invoice_id",
            source_column,
            "amount",
            "currency",
            "created_at",
            "updated_at",
            "created_by_id",
        ),
        [
            (invoice_id, ids[key], amount, currency, created_at, created_at, actor_id)
            for invoice_id, key, amount, currency in rows
        ],
    )
