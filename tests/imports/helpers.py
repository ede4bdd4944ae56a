"""Helpers for import tests: run an import from text, read balances back."""

from __future__ import annotations

import io
from collections import defaultdict
from decimal import Decimal

from django.db.models import F, Sum

from encaisse.accounts.models import User
from encaisse.ledger.imports import ImportReport, import_file
from encaisse.ledger.models import CreditNote, Customer, Invoice, Payment


def run(
    kind: str,
    content: str | bytes,
    *,
    filename: str = "file.csv",
    actor: User | None = None,
    dry_run: bool = False,
    valid_rows_only: bool = False,
    encoding: str = "utf-8",
) -> ImportReport:
    data = content.encode(encoding) if isinstance(content, str) else content
    return import_file(
        kind=kind,
        file=io.BytesIO(data),
        filename=filename,
        actor=actor,
        dry_run=dry_run,
        valid_rows_only=valid_rows_only,
    )


def net_balances() -> dict[str, Decimal]:
    """Per customer key: open invoice balances − unallocated payments and credit notes."""
    result: dict[str, Decimal] = defaultdict(Decimal)
    for key, total in Invoice.objects.values_list("customer__external_key").annotate(
        t=Sum("balance")
    ):
        result[key] += total
    for model in (Payment, CreditNote):
        for key, total in model.objects.values_list("customer__external_key").annotate(
            t=Sum(F("amount") - F("allocated"))
        ):
            result[key] -= Decimal(total).quantize(Decimal("0.01"))
    return {key: value for key, value in result.items() if value}


def ledger_counts() -> tuple[int, int, int, int]:
    return (
        Customer.objects.count(),
        Invoice.objects.count(),
        Payment.objects.count(),
        CreditNote.objects.count(),
    )
