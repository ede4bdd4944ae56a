"""Disputes through the REST API, their webhook events, and the root-cause figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from encaisse.accounts.models import User
from encaisse.ledger.models import Customer
from encaisse.resolution.models import Dispute, DisputeReason
from encaisse.resolution.selectors.dispute_causes import median_and_p90, root_causes
from encaisse.resolution.selectors.disputes import disputes_visible_to
from encaisse.resolution.services.disputes import (
    Disputed,
    dispute_open,
    dispute_reject,
    dispute_resolve,
)
from encaisse.webhooks.emit import subscribers_forget
from encaisse.webhooks.models import WebhookEndpoint, WebhookEvent
from tests.api.conftest import token_client
from tests.conftest import make_customer, make_invoice

pytestmark = pytest.mark.django_db


def test_a_rep_opens_finance_resolves_and_receivers_hear_each_step(
    alice: User, bob: User, bobs_customer: Customer, reasons: dict[str, DisputeReason]
) -> None:
    WebhookEndpoint.objects.create(url="http://127.0.0.1:9/hook")
    subscribers_forget()  # the fixtures' events read the endpoints before this one
    invoice = make_invoice(bobs_customer, "600.00")
    body = {
        "customer_id": bobs_customer.pk,
        "reason": "missing_po",
        "invoices": [{"invoice_id": invoice.pk, "amount": "150.00"}],
        "description": "Pas de bon de commande",
    }
    created = token_client(bob).post("/api/v1/disputes", body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["status"], data["amount"], data["source"]) == ("open", "150.00", "sales")
    assert data["invoices"][0]["invoice_id"] == invoice.pk
    again = token_client(bob).post("/api/v1/disputes", body, content_type="application/json")
    assert again.status_code == 422
    assert again.json()["errors"][0]["pointer"] == "/invoices/0"
    finance = token_client(alice)
    listed = finance.get("/api/v1/disputes", {"status": "open", "reason": "missing_po"}).json()
    assert [row["id"] for row in listed["results"]] == [data["id"]]
    url = f"/api/v1/disputes/{data['id']}"
    patched = finance.patch(url, {"status": "in_progress"}, content_type="application/json")
    assert patched.json()["status"] == "in_progress"
    assert token_client(bob).post(f"{url}/reject", {"explanation": "x"},
                                  content_type="application/json").status_code == 403  # fmt: skip
    resolved = finance.post(
        f"{url}/resolve", {"resolution": "corrected_invoice", "note": "refaite"},
        content_type="application/json",
    )  # fmt: skip
    assert resolved.json()["status"] == "resolved"
    types = list(WebhookEvent.objects.order_by("id").values_list("type", flat=True))
    dispute_types = [t for t in types if t.startswith("dispute.")]
    assert dispute_types == ["dispute.opened", "dispute.updated", "dispute.resolved"]
    assert {"hold.created", "hold.released"} <= set(types)


def test_an_amount_above_the_balance_is_a_422_with_its_pointer(
    alice: User, bob: User, bobs_customer: Customer, reasons: dict[str, DisputeReason]
) -> None:
    invoice = make_invoice(bobs_customer, "100.00")
    response = token_client(alice).post(
        "/api/v1/disputes",
        {"customer_id": bobs_customer.pk, "reason": "pricing",
         "invoices": [{"invoice_id": invoice.pk, "amount": "100.01"}]},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/invoices/0/amount"
    assert not Dispute.objects.exists()


@pytest.mark.parametrize(
    ("days", "median", "p90"),
    [
        ([1, 2, 3, 4], "2.5", "4.0"),
        ([5], "5.0", "5.0"),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "5.5", "9.0"),
        ([10, 1, 7, 3, 30, 2, 2, 14, 5, 8, 21], "7.0", "21.0"),
    ],
)
def test_median_and_ninetieth_percentile(days: list[int], median: str, p90: str) -> None:
    got = median_and_p90([Decimal(d) for d in days])
    assert got == (Decimal(median), Decimal(p90))


def test_root_causes_on_a_known_set(
    alice: User, bob: User, carol: User, reasons: dict[str, DisputeReason]
) -> None:
    """Five disputes: closed after 2, 4, 10 and 30 days, one still open."""
    bobs, carols = make_customer(bob, "Bouchon"), make_customer(carol, "Comptoir")
    start = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    plan = [
        (bobs, "pricing", 2, "resolve"),
        (bobs, "pricing", 4, "reject"),
        (carols, "pricing", 10, "resolve"),
        (carols, "delivery", 30, "reject"),
        (bobs, "missing_po", None, None),
    ]
    for customer, code, days, end in plan:
        with time_machine.travel(start, tick=False):
            dispute = dispute_open(
                actor=alice, customer=customer, reason=reasons[code],
                lines=[Disputed(make_invoice(customer, "100.00"))],
            )  # fmt: skip
        if days is None:
            continue
        with time_machine.travel(start + dt.timedelta(days=days), tick=False):
            if end == "resolve":
                dispute_resolve(actor=alice, dispute=dispute, resolution="corrected_invoice")
            else:
                dispute_reject(actor=alice, dispute=dispute, explanation="non")
    today = dt.date(2026, 3, 1)
    figures = root_causes(disputes_visible_to(alice), today, since=dt.date(2025, 12, 1))
    assert (figures.total, figures.open, figures.overdue) == (5, 1, 1)  # missing PO: 10 days
    assert (figures.median_days, figures.p90_days) == (Decimal("7.0"), Decimal("30.0"))
    assert figures.blocked == Decimal("100.00")
    assert [(r.label, r.count) for r in figures.by_reason][:1] == [("Erreur de prix", 3)]
    assert [(r.label, r.count) for r in figures.by_rep] == [("Bob", 3), ("Carol", 2)]
    assert figures.recurring == [("Erreur de prix", "Bouchon", 2)]
    assert [(r.label, r.count) for r in figures.by_month][1:4] == [
        ("2026-01", 5),
        ("2026-02", 0),
        ("2026-03", 0),
    ]
    mine = root_causes(disputes_visible_to(bob), today, since=dt.date(2025, 12, 1))
    assert (mine.total, mine.median_days, mine.p90_days) == (3, Decimal("3.0"), Decimal("4.0"))


def test_the_root_cause_page_shows_the_viewers_figures(
    client: Client, bob: User, carol: User, alice: User, reasons: dict[str, DisputeReason]
) -> None:
    customer = make_customer(carol, "Comptoir Carol")
    dispute_open(
        actor=alice, customer=customer, reason=reasons["duplicate"],
        lines=[Disputed(make_invoice(customer))],
    )  # fmt: skip
    client.force_login(bob)
    page = client.get("/resolution/disputes/causes/").content.decode()
    assert "Causes des litiges" in page and "Comptoir Carol" not in page
    client.force_login(alice)
    page = client.get("/resolution/disputes/causes/").content.decode()
    assert "Comptoir Carol" in page and "Facture en double" in page
