"""Loading into the database: consistent balances, the demo staff, and the command."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from encaisse.accounts.models import Role, Team, User
from encaisse.collab.models import Activity
from encaisse.demo.loader import DemoDatabaseNotEmpty, load_into_database
from encaisse.demo.staff import DEMO_PASSWORD
from encaisse.ledger.models import Allocation, Company, CreditNote, Customer, Invoice, Payment
from encaisse.ledger.models.invoice import InvoiceStatus
from tests.demo.conftest import TODAY

pytestmark = pytest.mark.django_db


def test_balances_equal_a_recomputation_from_the_allocations() -> None:
    result = load_into_database(invoices=1000, seed=42, today=TODAY)
    assert result.counts["invoices"] == Invoice.objects.count() == 1000
    assert result.counts["customers"] == Customer.objects.count() == 100

    by_invoice: dict[int, Decimal] = defaultdict(Decimal)
    by_payment: dict[int, Decimal] = defaultdict(Decimal)
    by_note: dict[int, Decimal] = defaultdict(Decimal)
    invoices = {invoice.pk: invoice for invoice in Invoice.objects.all()}
    payments = {payment.pk: payment for payment in Payment.objects.all()}
    notes = {note.pk: note for note in CreditNote.objects.all()}
    for allocation in Allocation.objects.all():
        invoice = invoices[allocation.invoice_id]
        source = (
            payments[allocation.payment_id]
            if allocation.payment_id
            else notes[allocation.credit_note_id]  # type: ignore[index]
        )
        assert source.customer_id == invoice.customer_id
        assert allocation.currency == invoice.currency == source.currency
        by_invoice[invoice.pk] += allocation.amount
        if allocation.payment_id:
            by_payment[allocation.payment_id] += allocation.amount
        else:
            by_note[allocation.credit_note_id] += allocation.amount  # type: ignore[index]

    customer_open: dict[int, Decimal] = defaultdict(Decimal)
    for invoice in invoices.values():
        assert invoice.balance == invoice.amount - by_invoice[invoice.pk]
        assert Decimal(0) <= invoice.balance <= invoice.amount
        expected = (
            InvoiceStatus.PAID
            if invoice.balance == 0
            else InvoiceStatus.PARTIALLY_PAID
            if by_invoice[invoice.pk]
            else InvoiceStatus.OPEN
        )
        assert invoice.status == expected
        assert (invoice.paid_on is not None) == (invoice.balance == 0)
        customer_open[invoice.customer_id] += invoice.balance
    for payment in payments.values():
        assert payment.allocated == by_payment[payment.pk] <= payment.amount
    for note in notes.values():
        assert note.allocated == by_note[note.pk] == note.amount
    for customer in Customer.objects.all():
        assert customer.open_balance == customer_open[customer.pk]
    statuses = set(Invoice.objects.values_list("status", flat=True))
    assert statuses == {InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID}
    assert Payment.objects.filter(allocated__lt=Decimal("1")).exists()  # money on account


def test_staff_roles_teams_and_company() -> None:
    load_into_database(invoices=200, seed=1, today=TODAY)
    roles = sorted(User.objects.values_list("role", flat=True))
    assert roles == sorted([Role.ADMIN, Role.FINANCE, Role.MANAGER] + [Role.SALES] * 5)
    manager = User.objects.get(username="manager")
    north, south = Team.objects.get(name="Équipe Nord"), Team.objects.get(name="Équipe Sud")
    assert north.lead == manager
    assert south.lead is not None and south.lead.role == Role.SALES
    assert sorted(m.username for m in north.members.filter(role=Role.SALES)) == [
        "commercial1",
        "commercial2",
        "commercial3",
    ]
    assert south.members.count() == 2
    for user in User.objects.all():
        assert user.check_password(DEMO_PASSWORD)
        assert user.language == "fr" and user.first_name and user.last_name and user.email
    assert set(Customer.objects.values_list("account_manager__role", flat=True)) == {Role.SALES}
    company = Company.current()
    assert company.legal_name == "Atelier Lumière SAS" and company.language == "fr"
    assert Activity.objects.filter(verb="demo.loaded").count() == 1
    assert Activity.objects.filter(verb="collab.comment.added").exists()


def test_loading_twice_is_refused() -> None:
    load_into_database(invoices=100, seed=1, today=TODAY)
    with pytest.raises(DemoDatabaseNotEmpty):
        load_into_database(invoices=100, seed=1, today=TODAY)


def run(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out, stderr=StringIO(), verbosity=0)
    return out.getvalue()


def test_command_loads_and_prints_the_logins_then_if_empty_does_nothing() -> None:
    output = run("--invoices", "300", "--today", "2026-11-24", "--if-empty", "--history-days", "0")
    for username in ("admin", "finance", "manager", *(f"commercial{n}" for n in range(1, 6))):
        assert f"  {username} " in output
    assert output.count(DEMO_PASSWORD) == 8
    counts = (Customer.objects.count(), Invoice.objects.count(), Payment.objects.count())
    assert counts[1] == 300
    # In the demo company's language (French), each count named: "Factures : 300".
    assert "Factures\u00a0: 300\n" in output and f"Clients\u00a0: {counts[0]}\n" in output
    assert "Terminé en " in output

    again = run("--invoices", "300", "--today", "2026-11-24", "--if-empty")
    assert (Customer.objects.count(), Invoice.objects.count(), Payment.objects.count()) == counts
    # Every later start (`make run`) reminds the demo's logins.
    assert "Marc Delorme, manager" in again
    assert again.count(DEMO_PASSWORD) == 8
    with pytest.raises(CommandError):
        run("--invoices", "300")


def test_a_real_companys_database_gets_no_demo_logins(db: None) -> None:
    # A real company with customers, and an `admin` like many have.
    User.objects.create_user(username="admin", email="admin@example.com", password="x" * 12)
    Customer.objects.create(external_key="C1", name="Client réel")
    again = run("--invoices", "300", "--if-empty")
    assert "données de démonstration non chargées" in again
    assert DEMO_PASSWORD not in again
    assert Invoice.objects.count() == 0


def test_command_writes_csv_and_fec(tmp_path: Path) -> None:
    output = run("--invoices", "200", "--today", "2026-11-24", "--csv", str(tmp_path / "csv"))
    assert "invoices.csv\u00a0: 200 lignes\n" in output
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == [
        "credit_notes.csv",
        "customers.csv",
        "invoices.csv",
        "payments.csv",
    ]
    run("--invoices", "200", "--today", "2026-11-24", "--fec", str(tmp_path / "FEC.txt"))
    assert (tmp_path / "FEC.txt").read_text(encoding="utf-8").startswith("JournalCode\t")
    assert not Customer.objects.exists()


def test_command_rejects_a_bad_date() -> None:
    with pytest.raises(CommandError):
        run("--today", "24/11/2026")
