"""Instalment plans through the web pages and the REST API: who may do what, and
bad input refused field by field with nothing written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from encaisse.accounts.models import User
from encaisse.dunning.models import Hold
from encaisse.ledger.models import Customer, Invoice
from encaisse.resolution.models import PaymentPlan
from encaisse.resolution.models.payment_plans import PlanStatus
from encaisse.resolution.selectors.payment_plans import plans_pending_for
from encaisse.resolution.services.payment_plans import plan_propose
from tests.api.conftest import token_client
from tests.conftest import make_customer, make_invoice

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 15)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 15, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def bobs_invoice(bob: User) -> Invoice:
    return make_invoice(make_customer(bob, "Boulangerie Bob"), "1000.00", number="BOB-1")


def _form(invoice: Invoice, **extra: Any) -> dict[str, Any]:
    data = {
        "invoices": [invoice.pk],
        "instalment_count": "4",
        "frequency": "monthly",
        "first_due_on": "2026-03-31",
    }
    data.update(extra)
    return data


def _proposed(bob: User, invoice: Invoice) -> PaymentPlan:
    return plan_propose(
        actor=bob,
        customer=invoice.customer,
        invoices=[invoice],
        instalment_count=2,
        frequency="monthly",
        first_due_on=TODAY,
    )


def test_the_preview_shows_the_schedule_without_writing(
    client: Client, bob: User, bobs_invoice: Invoice
) -> None:
    client.force_login(bob)
    url = reverse("payment_plan_preview", args=[bobs_invoice.customer_id])
    response = client.get(url, _form(bobs_invoice), headers={"HX-Request": "true"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "31/03/2026" in text and "30/04/2026" in text and "30/06/2026" in text
    assert "250,00" in text
    assert not PaymentPlan.objects.exists()


def test_a_rep_proposes_from_his_customer_page_and_finance_approves(
    client: Client, alice: User, bob: User, bobs_invoice: Invoice
) -> None:
    client.force_login(bob)
    customer_page = client.get(reverse("customer", args=[bobs_invoice.customer_id]))
    assert reverse("payment_plan_new", args=[bobs_invoice.customer_id]) in customer_page.text
    url = reverse("payment_plan_new", args=[bobs_invoice.customer_id])
    response = client.post(url, _form(bobs_invoice, activate="on"))  # not his to activate
    plan = PaymentPlan.objects.get()
    assert response.status_code == 302 and plan.status == PlanStatus.PROPOSED
    assert list(plans_pending_for(bob)) == [] and list(plans_pending_for(alice)) == [plan]
    refused = client.post(reverse("payment_plan_approve", args=[plan.public_id]))
    assert refused.status_code == 403
    client.force_login(alice)
    page = client.get(reverse("payment_plan", args=[plan.public_id]))
    assert reverse("payment_plan_approve", args=[plan.public_id]) in page.text
    client.post(reverse("payment_plan_approve", args=[plan.public_id]), {"comment": "ok"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE and plan.approved_by == alice
    assert Hold.objects.filter(invoice=bobs_invoice, released_on__isnull=True).exists()
    listed = client.get(reverse("payment_plans"), {"view": "active"})
    assert "Boulangerie Bob" in listed.text


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"instalment_count": "0"}, "instalment_count"),
        ({"first_due_on": "2026-03-01"}, "first_due_on"),
        ({"total": "1000,01"}, "total"),
        ({"deposit": "1000"}, "deposit"),
        ({"first_due_on": "pas une date"}, "first_due_on"),
    ],
)
def test_bad_input_comes_back_on_its_field_and_writes_nothing(
    client: Client, alice: User, bobs_invoice: Invoice, extra: dict[str, str], field: str
) -> None:
    client.force_login(alice)
    url = reverse("payment_plan_new", args=[bobs_invoice.customer_id])
    response = client.post(url, _form(bobs_invoice, **extra))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not PaymentPlan.objects.exists() and not Hold.objects.exists()


def test_an_invoice_already_in_a_plan_cannot_be_in_another(
    client: Client, alice: User, bob: User, bobs_invoice: Invoice
) -> None:
    _proposed(bob, bobs_invoice)
    client.force_login(alice)
    url = reverse("payment_plan_new", args=[bobs_invoice.customer_id])
    response = client.post(url, _form(bobs_invoice))
    assert "BOB-1" in str(response.context["form"].errors["invoices"])
    assert PaymentPlan.objects.count() == 1


def test_the_manager_reads_but_may_not_propose(
    client: Client, dave: User, bob: User, bobs_invoice: Invoice
) -> None:
    plan = _proposed(bob, bobs_invoice)
    client.force_login(dave)
    assert client.get(reverse("payment_plan", args=[plan.public_id])).status_code == 200
    url = reverse("payment_plan_new", args=[bobs_invoice.customer_id])
    assert client.get(url).status_code == 403
    assert client.post(url, _form(bobs_invoice)).status_code == 403


def test_another_rep_sees_nothing_of_the_plan(
    client: Client, carol: User, bob: User, bobs_invoice: Invoice
) -> None:
    plan = _proposed(bob, bobs_invoice)
    client.force_login(carol)
    assert client.get(reverse("payment_plan", args=[plan.public_id])).status_code == 404
    assert "Boulangerie Bob" not in client.get(reverse("payment_plans"), {"view": "proposed"}).text


def _api_body(invoice: Invoice, **extra: Any) -> dict[str, Any]:
    return {
        "customer_id": invoice.customer_id,
        "invoice_ids": [invoice.pk],
        "instalment_count": 3,
        "frequency": "monthly",
        "first_due_on": "2026-04-01",
        **extra,
    }


def test_api_a_rep_proposes_finance_approves_with_the_schedule_embedded(
    alice: User, bob: User, bobs_invoice: Invoice
) -> None:
    created = token_client(bob).post(
        "/api/v1/payment-plans", _api_body(bobs_invoice), content_type="application/json"
    )
    assert created.status_code == 201, created.content
    plan = created.json()
    assert plan["status"] == "proposed" and plan["total"] == "1000.00"
    assert [i["amount"] for i in plan["instalments"]] == ["333.33", "333.33", "333.34"]
    approve = f"/api/v1/payment-plans/{plan['id']}/approve"
    assert token_client(bob).post(approve, {}, content_type="application/json").status_code == 403
    approved = token_client(alice).post(approve, {}, content_type="application/json")
    assert approved.status_code == 200 and approved.json()["status"] == "active"
    again = token_client(alice).post(approve, {}, content_type="application/json")
    assert again.status_code == 409
    listed = token_client(bob).get("/api/v1/payment-plans", {"status": "active"}).json()
    assert [row["id"] for row in listed["results"]] == [plan["id"]]


def test_api_bad_input_is_a_problem_naming_the_field(alice: User, bobs_invoice: Invoice) -> None:
    response = token_client(alice).post(
        "/api/v1/payment-plans",
        _api_body(bobs_invoice, first_due_on="2026-03-01"),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert any(e.get("pointer") == "/first_due_on" for e in response.json()["errors"])
    assert not PaymentPlan.objects.exists()


def test_api_a_rep_cannot_propose_for_another_portfolio(carol: User, bobs_invoice: Invoice) -> None:
    response = token_client(carol).post(
        "/api/v1/payment-plans", _api_body(bobs_invoice), content_type="application/json"
    )
    assert response.status_code == 404 and not PaymentPlan.objects.exists()


def test_api_the_manager_reads_only(dave: User, bob: User, bobs_invoice: Invoice) -> None:
    plan = _proposed(bob, bobs_invoice)
    client = token_client(dave)
    assert client.get(f"/api/v1/payment-plans/{plan.public_id}").status_code == 200
    response = client.post(
        "/api/v1/payment-plans",
        _api_body(make_invoice(Customer.objects.get(), "10.00")),
        content_type="application/json",
    )
    assert response.status_code == 403
