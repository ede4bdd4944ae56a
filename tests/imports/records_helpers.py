"""Helpers for the API-path tests: records pushed with `import_records`, and a snapshot
of the ledger to compare two runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from encaisse.accounts.models import User
from encaisse.ledger.imports import RecordsResult, import_records
from encaisse.ledger.imports.records import Mode
from encaisse.ledger.models import Company, CreditNote, Customer, Invoice, Payment


def push(
    kind: str,
    records: Sequence[Mapping[str, Any]],
    *,
    actor: User | None = None,
    dry_run: bool = False,
    mode: Mode = "upsert",
    visible: QuerySet[Customer] | None = None,
) -> RecordsResult:
    return import_records(
        company=Company.current(),
        kind=kind,
        records=records,
        actor=actor,
        source_label="test push",
        dry_run=dry_run,
        mode=mode,
        visible_customers=visible,
    )


def ledger_snapshot() -> dict[str, Any]:
    """Everything the ledger says, by external key (ids and timestamps left out)."""
    return {
        "customers": {
            c.external_key: (c.name, c.currency, c.terms_days, c.open_balance, c.account_manager_id)
            for c in Customer.objects.all()
        },
        "invoices": {
            i.external_key: (
                i.number, i.customer.external_key, i.issue_date, i.due_date, i.amount,
                i.amount_excl_tax, i.balance, i.status, i.paid_on, i.po_reference,
            )
            for i in Invoice.objects.select_related("customer")
        },
        "payments": {
            p.external_key: (p.customer.external_key, p.date, p.amount, p.allocated, p.method)
            for p in Payment.objects.select_related("customer")
        },
        "credit_notes": {
            n.external_key: (n.customer.external_key, n.amount, n.allocated, n.reason)
            for n in CreditNote.objects.select_related("customer")
        },
    }  # fmt: skip


def cents(value: Decimal) -> str:
    return f"{value:.2f}"
