"""Each CSV kind, happy path: what the file says ends up in the ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from encaisse.accounts.models import User
from encaisse.collab.models import Activity
from encaisse.ledger.models import Contact, CreditNote, Customer, ImportBatch, Invoice, Payment
from tests.imports.helpers import run

pytestmark = pytest.mark.django_db

CUSTOMERS = (
    "external_key,name,siren,vat_number,city,terms_days,terms_end_of_month,account_manager,"
    "credit_limit,risk_class,status,tags,contact_name,contact_email\n"
    'C1,Boulangerie Dupont,732829320,FR40303265045,Lyon,45,1,bob,"10 000,00",b,active,'
    "vip|bakery,Marie Dupont,marie@dupont.test\n"
    "C2,Garage Martin,,,Paris,,,bob@encaisse.test,,,prospect,,,\n"
)

INVOICES = """number;customer_key;issue_date;due_date;amount;amount_excl_tax;po_reference
F1;C1;2026-01-10;2026-02-09;1200,00;1000,00;PO-1
F2;C1;15/01/2026;;600,00;;
F3;C2;2026-01-20;;99.90;;
"""


def test_customers_are_created_with_contact_terms_and_manager(bob: User, alice: User) -> None:
    report = run("customers", CUSTOMERS, actor=alice)
    assert report.status == "applied", report.errors
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    dupont = Customer.objects.get(external_key="C1")
    assert dupont.account_manager == bob
    assert (dupont.siren, dupont.vat_number) == ("732829320", "FR40303265045")
    assert (dupont.terms_days, dupont.terms_end_of_month) == (45, True)
    assert dupont.credit_limit == Decimal("10000.00")
    assert (dupont.risk_class, dupont.tags) == ("B", ["vip", "bakery"])
    contact = Contact.objects.get(customer=dupont)
    assert (contact.email, contact.preferred_for_reminders) == ("marie@dupont.test", True)
    martin = Customer.objects.get(external_key="C2")
    assert (martin.account_manager, martin.status) == (bob, "prospect")
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert (batch.status, batch.actor, batch.counts["created"]) == ("applied", alice, 2)
    assert batch.finished_at is not None and len(batch.sha256) == 64
    entries = Activity.objects.filter(verb="ledger.import.applied")
    assert entries.count() == 2
    assert entries.get(customer=dupont).payload["created"] == 1


def test_invoices_get_default_due_dates_and_raise_customer_balance(bob: User) -> None:
    run("customers", CUSTOMERS)
    report = run("invoices", INVOICES)
    assert report.status == "applied", report.errors
    assert report.created == 3
    f1 = Invoice.objects.get(number="F1")
    assert (f1.amount, f1.amount_excl_tax, f1.balance, f1.po_reference) == (
        Decimal("1200.00"), Decimal("1000.00"), Decimal("1200.00"), "PO-1",
    )  # fmt: skip
    assert (f1.source, f1.import_batch_id) == ("csv", report.batch_id)
    # C1 pays "45 jours fin de mois"; C2 has no terms: the company's 30 days.
    assert Invoice.objects.get(number="F2").due_date == dt.date(2026, 3, 31)
    assert Invoice.objects.get(number="F3").due_date == dt.date(2026, 2, 19)
    assert Customer.objects.get(external_key="C1").open_balance == Decimal("1800.00")
    # One summary entry per customer, not one per invoice.
    assert Activity.objects.filter(verb="ledger.import.applied").count() == 4


def test_payments_are_allocated_in_order_and_rest_stays_on_account(bob: User) -> None:
    run("customers", CUSTOMERS)
    run("invoices", INVOICES)
    report = run(
        "payments",
        "external_key,customer_key,date,amount,method,invoice_numbers,remittance\n"
        "TX1,C1,2026-02-01,1500.00,transfer,F1|F2,virement F1 F2\n"
        "TX2,C1,2026-02-02,500.00,cheque,F2,\n"
        "TX3,C2,2026-02-03,10.00,card,,\n",
    )
    assert report.status == "applied", report.errors
    assert (report.created, report.allocations) == (3, 3)
    f1, f2 = Invoice.objects.get(number="F1"), Invoice.objects.get(number="F2")
    assert (f1.balance, f1.status, f1.paid_on) == (Decimal("0.00"), "paid", dt.date(2026, 2, 1))
    assert (f2.balance, f2.status) == (Decimal("0.00"), "paid")
    tx2 = Payment.objects.get(external_key="TX2")
    assert (tx2.allocated, tx2.unallocated) == (Decimal("300.00"), Decimal("200.00"))
    assert Payment.objects.get(external_key="TX3").allocated == Decimal("0.00")
    assert Customer.objects.get(external_key="C1").open_balance == Decimal("0.00")


def test_credit_notes_reduce_the_invoice_they_name(bob: User) -> None:
    run("customers", CUSTOMERS)
    run("invoices", INVOICES)
    report = run(
        "credit_notes",
        "number,customer_key,issue_date,amount,invoice_number,reason\n"
        "AV1,C1,2026-01-25,200.00,F1,remise\n"
        "AV2,C2,2026-01-26,5.00,,geste commercial\n",
    )
    assert report.status == "applied", report.errors
    assert report.created == 2
    f1 = Invoice.objects.get(number="F1")
    assert (f1.balance, f1.status) == (Decimal("1000.00"), "partially_paid")
    av1 = CreditNote.objects.get(number="AV1")
    assert (av1.allocated, av1.reason, av1.external_key) == (Decimal("200.00"), "remise", "AV1")
    assert Customer.objects.get(external_key="C1").open_balance == Decimal("1600.00")
