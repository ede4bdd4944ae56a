"""Ledger writes. Each service is atomic, takes `actor=` and writes the timeline."""

from encaisse.ledger.services.allocation import (
    AllocationError,
    allocation_create,
    payment_allocate,
)
from encaisse.ledger.services.balances import balances_recompute
from encaisse.ledger.services.cash_application import (
    CashApplicationError,
    cash_apply,
    cash_apply_confident,
)
from encaisse.ledger.services.company import company_settings_update
from encaisse.ledger.services.records import (
    contact_create,
    credit_note_record,
    customer_create,
    invoice_create,
    payment_record,
)
from encaisse.ledger.services.reversal import allocation_reverse

__all__ = [
    "AllocationError",
    "CashApplicationError",
    "allocation_create",
    "allocation_reverse",
    "balances_recompute",
    "cash_apply",
    "cash_apply_confident",
    "company_settings_update",
    "contact_create",
    "credit_note_record",
    "customer_create",
    "invoice_create",
    "payment_allocate",
    "payment_record",
]
