"""Django admin cannot break the ledger: money fields read-only, records not added or deleted."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from encaisse.ledger.models import Customer, Invoice
from tests.conftest import make_customer, make_invoice

pytestmark = pytest.mark.django_db


def test_editing_an_invoice_keeps_its_amount_and_balance(superuser_client: Client) -> None:
    customer = make_customer(None)
    invoice = make_invoice(customer, "300.00", number="ADM-1")
    url = reverse("admin:ledger_invoice_change", args=[invoice.pk])
    form = superuser_client.get(url).content.decode()
    assert 'name="amount"' not in form and 'name="balance"' not in form
    response = superuser_client.post(url, {
        "number": "ADM-1-BIS", "due_date": "2026-03-15", "po_reference": "PO-9",
        "amount": "500.00", "balance": "0.00", "status": "paid",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    invoice.refresh_from_db()
    assert (invoice.number, invoice.po_reference) == ("ADM-1-BIS", "PO-9")
    assert (invoice.amount, invoice.balance, invoice.status) == (
        Decimal("300.00"),
        Decimal("300.00"),
        "open",
    )
    assert Customer.objects.get(pk=customer.pk).open_balance == Decimal("300.00")


@pytest.mark.parametrize("model", ["invoice", "payment", "creditnote", "allocation"])
def test_money_records_cannot_be_added_in_the_admin(superuser_client: Client, model: str) -> None:
    assert superuser_client.get(reverse(f"admin:ledger_{model}_add")).status_code == 403


def test_an_invoice_cannot_be_deleted_in_the_admin(superuser_client: Client) -> None:
    invoice = make_invoice(make_customer(None), "10.00")
    url = reverse("admin:ledger_invoice_delete", args=[invoice.pk])
    assert superuser_client.post(url, {"post": "yes"}).status_code == 403
    assert Invoice.objects.filter(pk=invoice.pk).exists()
