"""The customer asks for an instalment plan from the portal: it waits for finance,
reads "by the customer", offers only his own open invoices, writes nothing on bad input."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from encaisse.accounts.models import User
from encaisse.collab.models import Activity
from encaisse.ledger.models import Invoice
from encaisse.resolution.models import PaymentPlan
from tests.resolution.portal_helpers import customer_with_invoices, link_for

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def url(token: str) -> str:
    return f"/portal/{token}/actions/plan/"


def test_a_plan_request_waits_for_finance_and_reads_by_the_customer(
    client: Client, alice: User
) -> None:
    customer = customer_with_invoices("Menuiserie du Lac")
    token = link_for(customer).token
    invoices = list(Invoice.objects.filter(customer=customer).order_by("due_date"))
    response = client.post(
        url(token),
        {
            "invoices": [invoices[0].pk],
            "instalment_count": "3",
            "frequency": "monthly",
            "first_due_on": "2026-12-15",
            "note": "Trésorerie tendue ce trimestre",
        },
    )
    assert response.status_code == 200
    assert "3 échéances" in response.content.decode()
    plan = PaymentPlan.objects.get(customer=customer)
    assert (plan.status, plan.source, plan.proposed_by_id) == ("proposed", "portal", None)
    assert [i.amount for i in plan.instalments.order_by("sequence")] == [
        invoices[0].balance / 3
    ] * 3
    entry = Activity.objects.get(verb="resolution.payment_plan.proposed", customer_id=customer.pk)
    assert entry.payload["by"] == "customer"
    client.force_login(alice)
    queue = client.get("/resolution/approvals/").content.decode()
    assert f"approval-payment-plan-{plan.pk}" in queue
    # The invoice is in a live plan now: the action offers only the other one.
    client.logout()
    form = client.get(url(token)).content.decode()
    assert invoices[0].number not in form and invoices[1].number in form


def test_bad_plan_requests_write_nothing(client: Client) -> None:
    customer = customer_with_invoices("Menuiserie du Lac")
    other = customer_with_invoices("Boulangerie Voisine")
    token = link_for(customer).token
    mine = Invoice.objects.filter(customer=customer).first()
    theirs = Invoice.objects.filter(customer=other).first()
    assert mine is not None and theirs is not None
    base = {"instalment_count": "3", "frequency": "monthly", "first_due_on": "2026-12-15"}
    for data, field in (
        ({**base, "invoices": [theirs.pk]}, "invoices"),  # another customer's invoice
        ({**base, "invoices": []}, "invoices"),
        ({**base, "invoices": [mine.pk], "first_due_on": "2026-11-01"}, "first_due_on"),
        ({**base, "invoices": [mine.pk], "instalment_count": "0"}, "instalment_count"),
        ({**base, "invoices": [mine.pk], "frequency": "daily"}, "frequency"),
    ):
        response = client.post(url(token), data)
        assert response.status_code == 200, field
        assert response.context["form"].errors.get(field), (field, response.context["form"].errors)
    assert PaymentPlan.objects.count() == 0


def test_the_action_is_hidden_when_every_invoice_is_in_a_plan(client: Client) -> None:
    customer = customer_with_invoices("Menuiserie du Lac")
    token = link_for(customer).token
    invoices = list(Invoice.objects.filter(customer=customer))
    response = client.post(
        url(token),
        {
            "invoices": [i.pk for i in invoices],
            "instalment_count": "2",
            "frequency": "monthly",
            "first_due_on": "2026-12-15",
        },
    )
    assert response.status_code == 200 and PaymentPlan.objects.count() == 1
    assert url(token) not in client.get(f"/portal/{token}/").content.decode()
    assert client.get(url(token)).status_code == 404
