"""The company setting `cash_auto_apply`: unambiguous matches applied after each import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from encaisse.accounts.models import User
from encaisse.collab.models import Activity
from encaisse.ledger.models import Company, ImportBatch, Invoice, Payment
from encaisse.ledger.services import company_settings_update, payment_record
from tests.conftest import make_customer, make_invoice
from tests.imports.helpers import run
from tests.imports.test_fec_rules import HEADER, line

pytestmark = pytest.mark.django_db
D = Decimal


def payments_csv(customer_key: str) -> str:
    return (
        "external_key;customer_key;date;amount;remittance\n"
        f"B1;{customer_key};2026-03-02;250,00;VIR SEPA FACT FA-0042\n"  # certain: reference
        f"B2;{customer_key};2026-03-02;30,00;ACOMPTE\n"  # nothing to say: stays on account
    )


@pytest.fixture
def ledger() -> tuple[str, Invoice, Invoice]:
    customer = make_customer(None)
    named = make_invoice(customer, "250.00", number="FA-42")
    other = make_invoice(customer, "80.00", number="FA-43")
    return customer.external_key, named, other


def test_off_by_default_the_import_leaves_the_cash_on_account(ledger) -> None:  # type: ignore[no-untyped-def]
    key, named, _other = ledger
    assert Company.current().cash_auto_apply is False
    report = run("payments", payments_csv(key))
    assert report.status == "applied" and report.auto_applied == 0
    named.refresh_from_db()
    assert named.status == "open"
    assert Payment.objects.get(external_key="B1").allocated == 0


def test_on_the_unambiguous_matches_of_the_batch_are_applied(ledger, alice: User) -> None:  # type: ignore[no-untyped-def]
    key, named, other = ledger
    company_settings_update(actor=alice, cash_auto_apply=True)
    assert Activity.objects.get(verb="ledger.company.updated").payload == {
        "group": "cash",
        "changes": {"cash_auto_apply": {"from": False, "to": True}},
    }
    older = payment_record(
        actor=None, customer=named.customer, amount=D("80.00"), date=dt.date(2026, 2, 1),
        external_key="OLD", remittance="FA-43", strategy=None,
    )  # fmt: skip

    report = run("payments", payments_csv(key), actor=alice)

    assert report.auto_applied == 1
    assert ImportBatch.objects.get(pk=report.batch_id).counts["auto_applied"] == 1
    named.refresh_from_db()
    other.refresh_from_db()
    assert named.status == "paid"
    assert other.status == "open"  # OLD is not in the batch: left for finance to apply
    assert older.allocated == 0
    assert Payment.objects.get(external_key="B2").allocated == 0
    applied = Activity.objects.get(verb="ledger.allocation.created")
    assert (applied.actor, applied.payload["match"]["code"]) == (alice, "reference")


def test_the_cli_says_how_many_were_applied(ledger, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    key, _named, _other = ledger
    company_settings_update(actor=None, cash_auto_apply=True)
    path = tmp_path / "reglements.csv"
    path.write_text(payments_csv(key), encoding="utf-8")
    out = StringIO()
    call_command("import", "payments", str(path), "--language", "en", stdout=out, stderr=StringIO())
    assert "1 payment or credit note applied automatically" in out.getvalue()


def test_a_fec_payment_whose_piece_is_the_invoice_number_is_applied() -> None:
    """The Quadra case: the payment's PieceRef is the invoice's number, nothing lettered."""
    company_settings_update(actor=None, cash_auto_apply=True)
    content = HEADER + "".join(
        [
            line("VT", "1", "41100000", "TOUT", "190646", "2511,65", "0"),
            line("VT", "1", "70600000", "", "190646", "0", "2511,65"),
            line("BQ", "2", "41100000", "TOUT", "190646", "0", "2511,65", date="20260124"),
            line("BQ", "2", "51200000", "", "190646", "2511,65", "0", date="20260124"),
        ]
    )
    report = run("fec", content, filename="fec.txt")
    assert report.status == "applied" and report.auto_applied == 1
    invoice = Invoice.objects.get(number="190646")
    assert (invoice.status, invoice.paid_on) == ("paid", dt.date(2026, 1, 24))
