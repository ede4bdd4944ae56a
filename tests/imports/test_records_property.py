"""Property: records pushed with `import_records` (in any number of calls) and the CSV
import of the same rows produce the same ledger, amounts and balances included."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from encaisse.ledger.models import Allocation
from tests.imports.helpers import run
from tests.imports.records_helpers import ledger_snapshot, push

pytestmark = pytest.mark.django_db

KINDS = ("customers", "invoices", "payments", "credit_notes")
days = st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2026, 12, 31))
amounts = st.integers(min_value=1, max_value=10_000_000).map(lambda c: Decimal(c).scaleb(-2))
names = st.text(
    st.characters(codec="utf-8", exclude_categories=("C", "Zs", "Zl", "Zp")),
    min_size=1,
    max_size=30,
)


@st.composite
def ledgers(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    """Valid records of every kind; values typed (Decimal, date) or as text, at random."""
    as_text = st.booleans()
    customers = [
        {"external_key": f"C{n}", "name": draw(names),
         "terms_days": draw(st.none() | st.integers(0, 120)),
         "terms_end_of_month": draw(st.none() | st.booleans())}
        for n in range(draw(st.integers(1, 3)))
    ]  # fmt: skip
    numbers: dict[str, list[str]] = {c["external_key"]: [] for c in customers}
    invoices = []
    for n in range(draw(st.integers(0, 8))):
        customer = draw(st.sampled_from(customers))["external_key"]
        issue = draw(days)
        due = draw(st.none() | st.integers(0, 90).map(lambda d, i=issue: i + dt.timedelta(days=d)))
        amount = draw(amounts)
        record: dict[str, Any] = {
            "number": f"F{n}", "customer_key": customer,
            "issue_date": issue.isoformat() if draw(as_text) else issue,
            "due_date": due, "amount": str(amount) if draw(as_text) else amount,
            "po_reference": draw(st.none() | st.just(f"PO-{n}")),
        }  # fmt: skip
        invoices.append(record)
        numbers[customer].append(f"F{n}")
    payments = []
    for n in range(draw(st.integers(0, 4))):
        customer = draw(st.sampled_from(customers))["external_key"]
        mine = numbers[customer]
        settles = draw(st.lists(st.sampled_from(mine), unique=True)) if mine else None
        payments.append(
            {"external_key": f"P{n}", "customer_key": customer, "date": draw(days),
             "amount": draw(amounts), "method": draw(st.sampled_from(["transfer", "cheque"])),
             "invoice_numbers": settles}
        )  # fmt: skip
    notes = []
    for n in range(draw(st.integers(0, 3))):
        customer = draw(st.sampled_from(customers))["external_key"]
        mine = numbers[customer]
        credits = draw(st.sampled_from(mine)) if mine and draw(st.booleans()) else None
        notes.append(
            {"number": f"AV{n}", "customer_key": customer, "issue_date": draw(days),
             "amount": draw(amounts), "invoice_number": credits}
        )  # fmt: skip
    return {"customers": customers, "invoices": invoices, "payments": payments,
            "credit_notes": notes}  # fmt: skip


def spreadsheet(value: Any) -> str:
    """The cell as a French spreadsheet writes it: decimal comma, day-first dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, list):
        return "|".join(value)
    return str(value)  # quoted by as_csv: a ";" inside stays


def as_csv(records: list[dict[str, Any]]) -> str:
    columns = list(records[0])
    lines = [";".join(columns)]
    for record in records:
        lines.append(";".join(f'"{spreadsheet(record[c]).replace(chr(34), chr(34) * 2)}"'
                              for c in columns))  # fmt: skip
    return "\n".join(lines) + "\n"


def allocations() -> list[tuple[str, str, Decimal]]:
    return sorted(
        (a.invoice.external_key, (a.payment or a.credit_note).external_key, a.amount)  # type: ignore[union-attr]
        for a in Allocation.objects.select_related("invoice", "payment", "credit_note")
    )


def ledger_after(load: Any) -> tuple[dict[str, Any], list[tuple[str, str, Decimal]]]:
    with transaction.atomic():
        load()
        result = ledger_snapshot(), allocations()
        transaction.set_rollback(True)
    return result


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ledger=ledgers(), split=st.integers(0, 8))
def test_the_api_and_the_csv_import_make_the_same_ledger(
    ledger: dict[str, list[dict[str, Any]]], split: int
) -> None:
    def by_csv() -> None:
        for kind in KINDS:
            if ledger[kind]:
                report = run(kind, as_csv(ledger[kind]))
                assert report.status == "applied", report.errors

    def by_api() -> None:
        for kind in KINDS:
            records = ledger[kind]
            for part in (records[:split], records[split:]):  # any number of calls
                if part:
                    result = push(kind, part)
                    assert result.ok, result.errors

    assert ledger_after(by_api) == ledger_after(by_csv)
