"""Allocation planning shared by payments and credit notes, computed in Python per chunk.

The remaining balance of an invoice is read as amount − Σ allocations, so the
allocations this import already inserted (same transaction) count, while the
stored `balance` column is recomputed once at the end (`balances_recompute`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from encaisse.ledger.imports import bulk
from encaisse.ledger.imports.context import money
from encaisse.ledger.models.invoice import InvoiceStatus

OPEN = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID)


class OpenInvoices:
    """(customer id, invoice number) → [invoice id, remaining] for one chunk."""

    def __init__(self, numbers: set[str]) -> None:
        self.by_key: dict[tuple[int, str], list[Any]] = {}
        # Status is filtered in Python: in SQL it would tempt SQLite into the status index.
        rows = bulk.select_in(
            "SELECT i.number, i.customer_id, i.id, i.status, ROUND(i.amount - COALESCE("
            "(SELECT SUM(a.amount) FROM ledger_allocation a WHERE a.invoice_id = i.id), 0), 2) "
            "FROM ledger_invoice i WHERE i.number IN ({marks})",
            numbers,
        )
        for number, customer_id, pk, status, remaining in rows:
            if status in OPEN:
                self.by_key[(customer_id, number)] = [pk, money(remaining)]

    def exists(self, customer_id: int, number: str) -> bool:
        return (customer_id, number) in self.by_key

    def take(self, customer_id: int, number: str, available: Decimal) -> tuple[int, Decimal]:
        """Allocate up to `available` to the invoice; return (invoice id, amount taken)."""
        entry = self.by_key[(customer_id, number)]
        share = min(available, entry[1])
        entry[1] -= share
        return entry[0], share


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
        ("invoice_id", source_column, "amount", "currency", "created_at", "created_by_id"),
        [
            (invoice_id, ids[key], amount, currency, created_at, actor_id)
            for invoice_id, key, amount, currency in rows
        ],
    )
