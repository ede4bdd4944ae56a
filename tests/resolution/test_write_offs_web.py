"""The write-off pages: request, approve or reject for the right role, totals, threshold."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from encaisse.accounts.models import Role, User
from encaisse.ledger.models.invoice import InvoiceStatus
from encaisse.resolution.models.write_off import WriteOff, WriteOffSettings, WriteOffStatus
from encaisse.resolution.selectors.write_off import write_offs_pending_for
from tests.conftest import _user
from tests.dunning.conftest import invoice_due, remindable_customer
from tests.resolution.handover_helpers import DUE

pytestmark = pytest.mark.django_db


def test_request_then_approval_by_another_finance_user(
    client: Client, alice: User, bob: User
) -> None:
    fiona = _user("fiona", Role.FINANCE)
    customer = remindable_customer(bob, "Épicerie Fine")
    invoice = invoice_due(customer, DUE, "75.00")
    client.force_login(alice)
    page = client.get(reverse("invoice", args=[invoice.pk])).content.decode()
    assert f"{reverse('write_off_new', args=[customer.pk])}?invoice={invoice.pk}" in page
    missing = client.post(reverse("write_off_new", args=[customer.pk]), {"reason": "too_small"})
    assert "invoices" in missing.context["form"].errors
    response = client.post(
        reverse("write_off_new", args=[customer.pk]),
        {"invoices": [invoice.pk], "reason": "too_small", "note": "75 €"},
    )
    write_off = WriteOff.objects.get()
    assert response["Location"] == reverse("write_off", args=[write_off.public_id])
    detail = client.get(response["Location"]).content.decode()
    assert reverse("write_off_approve", args=[write_off.public_id]) not in detail  # four eyes
    assert client.post(reverse("write_off_approve", args=[write_off.public_id])).status_code == 403
    client.force_login(bob)
    assert client.post(reverse("write_off_approve", args=[write_off.public_id])).status_code == 403
    client.force_login(fiona)
    assert write_offs_pending_for(fiona) == [write_off]
    client.post(reverse("write_off_approve", args=[write_off.public_id]), {"comment": "ok"})
    write_off.refresh_from_db()
    invoice.refresh_from_db()
    assert write_off.status == WriteOffStatus.APPROVED and write_off.decided_by == fiona
    assert invoice.status == InvoiceStatus.WRITTEN_OFF
    listing = client.get(reverse("write_offs")).content.decode()
    assert "Épicerie Fine" in listing and "Trop faible pour être relancé" in listing


def test_only_an_admin_reverses_and_sets_the_threshold(
    client: Client, ada: User, alice: User, bob: User
) -> None:
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, DUE, "75.00")
    client.force_login(alice)
    client.post(
        reverse("write_off_new", args=[customer.pk]),
        {"invoices": [invoice.pk], "reason": "prescription"},
    )
    write_off = WriteOff.objects.get()
    client.force_login(ada)
    client.post(reverse("write_off_approve", args=[write_off.public_id]))
    client.force_login(alice)
    reverse_url = reverse("write_off_reverse", args=[write_off.public_id])
    assert client.post(reverse_url, {"reason": "erreur"}).status_code == 403
    assert (
        client.post(reverse("write_off_settings"), {"approval_threshold": "5"}).status_code == 403
    )
    client.force_login(ada)
    client.post(reverse_url, {"reason": "erreur"})
    write_off.refresh_from_db()
    assert write_off.status == WriteOffStatus.REVERSED
    client.post(reverse("write_off_settings"), {"approval_threshold": "2500"})
    assert WriteOffSettings.current().approval_threshold == Decimal("2500")
    bad = client.post(reverse("write_off_settings"), {"approval_threshold": "-1"})
    assert "approval_threshold" in bad.context["form"].errors


def test_a_decision_returns_to_the_queue_it_came_from_never_elsewhere(
    client: Client, ada: User, alice: User, bob: User
) -> None:
    customer = remindable_customer(bob)
    first = invoice_due(customer, DUE, "10.00")
    second = invoice_due(customer, DUE, "20.00")
    client.force_login(alice)
    for invoice in (first, second):
        client.post(
            reverse("write_off_new", args=[customer.pk]),
            {"invoices": [invoice.pk], "reason": "too_small"},
        )
    one, two = WriteOff.objects.order_by("id")
    client.force_login(ada)
    back = client.post(reverse("write_off_reject", args=[one.public_id]), {"next": "/resolution/"})
    assert back["Location"] == "/resolution/"
    away = client.post(
        reverse("write_off_approve", args=[two.public_id]), {"next": "https://evil.example/"}
    )
    assert away["Location"] == reverse("write_off", args=[two.public_id])
