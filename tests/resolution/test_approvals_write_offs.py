"""The approvals queue lists write-offs waiting for a decision, with the buttons
only for whoever may decide (an admin above the threshold, never the requester)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from encaisse.accounts.models import Role, User
from encaisse.ledger.models import Customer
from encaisse.resolution.models.write_off import WriteOffSettings, WriteOffStatus
from encaisse.resolution.services.write_off import write_off_request
from tests.conftest import _user
from tests.dunning.conftest import invoice_due, remindable_customer
from tests.resolution.handover_helpers import DUE

pytestmark = pytest.mark.django_db


@pytest.fixture
def fiona(db: None) -> User:
    return _user("fiona", Role.FINANCE)


@pytest.fixture
def customer(bob: User) -> Customer:
    return remindable_customer(bob, "Épicerie Fine")


def _page(client: Client, user: User) -> str:
    client.force_login(user)
    response = client.get("/resolution/approvals/")
    assert response.status_code == 200
    return response.content.decode()


def test_finance_approves_a_write_off_from_the_queue(
    client: Client, alice: User, fiona: User, customer: Customer
) -> None:
    invoice = invoice_due(customer, DUE, "120.00")
    request = write_off_request(
        actor=fiona, customer=customer, invoices=[invoice], reason="too_small"
    )
    page = _page(client, alice)
    assert f"approval-write-off-{request.pk}" in page and invoice.number in page
    assert f"/resolution/write-offs/{request.public_id}/approve/" in page
    response = client.post(
        f"/resolution/write-offs/{request.public_id}/approve/",
        {"comment": "ok", "next": "/resolution/approvals/"},
    )
    assert response.status_code == 302 and response["Location"] == "/resolution/approvals/"
    request.refresh_from_db()
    assert request.status == WriteOffStatus.APPROVED
    assert f"approval-write-off-{request.pk}" not in _page(client, alice)


def test_the_requester_and_finance_above_the_threshold_see_it_wait(
    client: Client, alice: User, fiona: User, ada: User, bob: User, customer: Customer
) -> None:
    WriteOffSettings.current()  # the row exists from its first read
    WriteOffSettings.objects.update(approval_threshold=Decimal("100.00"))
    invoice = invoice_due(customer, DUE, "500.00")
    request = write_off_request(
        actor=alice, customer=customer, invoices=[invoice], reason="insolvency"
    )
    approve = f"/resolution/write-offs/{request.public_id}/approve/"
    assert approve not in _page(client, alice)  # her own request
    assert approve not in _page(client, fiona)  # above the threshold: an admin
    assert invoice.number in _page(client, fiona)
    assert approve in _page(client, ada)
    rep_page = _page(client, bob)  # his customer's request, no button
    assert invoice.number in rep_page and approve not in rep_page


def test_a_proposed_plan_waits_in_the_queue_and_finance_approves_it_there(
    client: Client, alice: User, bob: User, customer: Customer
) -> None:
    from encaisse.resolution.models import PaymentPlan
    from encaisse.resolution.services.payment_plans import plan_propose

    invoice = invoice_due(customer, DUE, "300.00")
    with time_machine.travel(DUE + dt.timedelta(days=10), tick=False):
        plan = plan_propose(
            actor=bob,
            customer=customer,
            invoices=[invoice],
            instalment_count=3,
            frequency="monthly",
            first_due_on=DUE + dt.timedelta(days=30),
        )
    approve = f"/resolution/plans/{plan.public_id}/approve/"
    rep_page = _page(client, bob)
    assert f"approval-payment-plan-{plan.pk}" in rep_page and approve not in rep_page
    page = _page(client, alice)
    assert approve in page and invoice.number in page
    with time_machine.travel(DUE + dt.timedelta(days=11), tick=False):
        response = client.post(approve, {"comment": "", "next": "/resolution/approvals/"})
    assert response["Location"] == "/resolution/approvals/"
    assert PaymentPlan.objects.get(pk=plan.pk).status == "active"
