"""The customer's resolution actions on the portal: dispute, promise, extension.

Each is bound to the link's customer (another customer's invoice is an invalid
choice), calls the service with the portal source and no actor (the timeline
reads "The customer"), answers with a confirmation, and writes nothing on bad input.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from encaisse.accounts.models import User
from encaisse.collab.models import Activity
from encaisse.dunning.models import Hold, HoldReason
from encaisse.ledger.models import Customer, Invoice
from encaisse.resolution.models import (
    Dispute,
    DisputeReason,
    DisputeSource,
    Extension,
    ExtensionStatus,
    Promise,
    PromiseSource,
    PromiseStatus,
)
from encaisse.resolution.models.disputes import DisputeAttachment
from encaisse.resolution.services.promises import promise_make
from tests.resolution.portal_helpers import customer_with_invoices, link_for

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _frozen() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def url(token: str, key: str) -> str:
    return f"/portal/{token}/actions/{key}/"


def first_invoice(customer: Customer) -> Invoice:
    return Invoice.objects.filter(customer=customer).order_by("due_date").first()  # type: ignore[return-value]


def writes() -> tuple[int, int, int, int, int]:
    return (
        Dispute.objects.count(),
        Promise.objects.count(),
        Extension.objects.count(),
        Hold.objects.count(),
        Activity.objects.exclude(verb="resolution.portal.viewed").count(),
    )


# The home page lists what is possible ---------------------------------------------


def test_the_home_lists_the_three_actions_when_they_are_possible(
    client: Client, reasons: dict[str, DisputeReason]
) -> None:
    token = link_for(customer_with_invoices("Menuiserie du Lac")).token
    text = client.get(f"/portal/{token}/").content.decode()
    for key in ("dispute", "promise", "extension", "plan"):
        assert url(token, key) in text


def test_without_open_invoice_the_actions_are_hidden_and_refused(
    client: Client, reasons: dict[str, DisputeReason]
) -> None:
    customer = customer_with_invoices("Menuiserie du Lac")
    Invoice.objects.filter(customer=customer).update(status="paid", balance=Decimal("0"))
    token = link_for(customer).token
    text = client.get(f"/portal/{token}/").content.decode()
    for key in ("dispute", "promise", "extension", "plan"):
        assert url(token, key) not in text
        assert client.get(url(token, key)).status_code == 404
    assert url(token, "contact") in text


def test_an_open_promise_hides_the_promise_action(client: Client) -> None:
    customer = customer_with_invoices("Menuiserie du Lac")
    promise_make(
        actor=None, customer=customer, amount=Decimal("100"), promised_on=TODAY,
        source=PromiseSource.PORTAL,
    )  # fmt: skip
    token = link_for(customer).token
    assert url(token, "promise") not in client.get(f"/portal/{token}/").content.decode()
    assert client.get(url(token, "promise")).status_code == 404
    assert (
        client.post(
            url(token, "promise"), {"promised_on": "2026-12-20", "amount": "10"}
        ).status_code
        == 404
    )
    assert Promise.objects.count() == 1


# Promise -------------------------------------------------------------------------


def test_the_promise_form_defaults_to_the_open_balance(client: Client) -> None:
    token = link_for(customer_with_invoices("Menuiserie du Lac")).token
    text = client.get(url(token, "promise")).content.decode()
    assert 'value="1550.50"' in text and "Promettre une date de paiement" in text


def test_a_promise_from_the_portal_pauses_dunning_and_reads_by_the_customer(
    client: Client, alice: User
) -> None:
    customer = customer_with_invoices("Menuiserie du Lac")
    token = link_for(customer).token

    response = client.post(
        url(token, "promise"), {"promised_on": "2026-12-15", "amount": "1000.00"}
    )

    assert response.status_code == 200
    assert "nous avons bien noté votre promesse" in response.content.decode()
    promise = Promise.objects.get(customer=customer)
    assert (promise.status, promise.source, promise.created_by) == (
        PromiseStatus.OPEN, PromiseSource.PORTAL, None,
    )  # fmt: skip
    assert promise.amount == Decimal("1000.00") and promise.promised_on == dt.date(2026, 12, 15)
    hold = promise.hold
    assert hold is not None and hold.reason == HoldReason.PROMISE and hold.is_active(TODAY)
    entry = Activity.objects.get(verb="resolution.promise.made")
    assert entry.actor is None and entry.payload["by"] == "customer"
    client.force_login(alice)
    page = client.get(reverse("customer", args=[customer.pk])).content.decode()
    assert "Le client" in page and "faite par le client" in page and "15/12/2026" in page
    invoice_page = client.get(reverse("invoice", args=[first_invoice(customer).pk]))
    assert (
        "Bloquée (Promesse de paiement) jusqu&#x27;au 18/12/2026" in invoice_page.content.decode()
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"promised_on": "2026-12-05", "amount": "100.00"}, "aujourd’hui ou une date"),
        ({"promised_on": "2026-12-15", "amount": "1550.51"}, "Au plus ce que vous devez"),
        ({"promised_on": "2026-12-15", "amount": "0"}, "supérieur à zéro"),
        ({"promised_on": "31/02/2026", "amount": "100.00"}, "date valide"),
        ({"promised_on": "2026-12-15", "amount": "abc"}, "nombre"),
    ],
)
def test_a_bad_promise_shows_the_error_and_writes_nothing(
    client: Client, data: dict[str, str], message: str
) -> None:
    token = link_for(customer_with_invoices("Menuiserie du Lac")).token
    client.get(f"/portal/{token}/")  # the page view is logged before counting
    before = writes()

    response = client.post(url(token, "promise"), data)

    assert response.status_code == 200
    text = response.content.decode().replace("&#x27;", "’").replace("'", "’")
    assert 'class="error"' in text and message.replace("'", "’") in text
    assert writes() == before


def test_a_second_promise_recorded_meanwhile_is_refused_with_a_clear_message(
    client: Client,
) -> None:
    customer = customer_with_invoices("Menuiserie du Lac")
    token = link_for(customer).token
    client.get(url(token, "promise"))  # the form is open…
    promise_make(  # …when finance records a promise
        actor=None, customer=customer, amount=Decimal("100"), promised_on=TODAY
    )
    # The action is now unavailable: the post is refused and writes nothing.
    response = client.post(url(token, "promise"), {"promised_on": "2026-12-15", "amount": "10"})
    assert response.status_code == 404 and Promise.objects.count() == 1


# Dispute -------------------------------------------------------------------------


def test_a_dispute_from_the_portal_goes_to_the_finance_queue_with_its_document(
    client: Client, reasons: dict[str, DisputeReason], alice: User
) -> None:
    customer = customer_with_invoices("Menuiserie du Lac")
    invoice = first_invoice(customer)
    token = link_for(customer).token
    upload = SimpleUploadedFile("bon.pdf", PDF, content_type="application/pdf")

    response = client.post(
        url(token, "dispute"),
        {
            "invoice": invoice.pk,
            "reason": reasons["pricing"].pk,
            "message": "Prix faux",
            "file": upload,
        },
    )

    assert response.status_code == 200
    assert invoice.number in response.content.decode()
    dispute = Dispute.objects.get()
    assert dispute.source == DisputeSource.PORTAL and dispute.opened_by is None
    assert dispute.owner is None  # nobody: the finance queue
    assert dispute.description == "Prix faux" and dispute.customer == customer
    assert [line.invoice for line in dispute.lines.all()] == [invoice]
    assert DisputeAttachment.objects.get().dispute == dispute
    assert Hold.objects.get(invoice=invoice).reason == HoldReason.DISPUTE
    entry = Activity.objects.get(verb="resolution.dispute.opened")
    assert entry.actor is None and entry.payload["by"] == "customer"
    client.force_login(alice)
    queue = client.get(reverse("disputes") + "?owner=finance").content.decode()
    assert invoice.number in queue or customer.name in queue


def test_a_renamed_script_is_refused_and_nothing_is_written(
    client: Client, reasons: dict[str, DisputeReason]
) -> None:
    customer = customer_with_invoices("Menuiserie du Lac")
    token = link_for(customer).token
    client.get(f"/portal/{token}/")
    before = writes()
    upload = SimpleUploadedFile("facture.pdf", b"#!/bin/sh\nrm -rf /\n")

    response = client.post(
        url(token, "dispute"),
        {"invoice": first_invoice(customer).pk, "reason": reasons["pricing"].pk,
         "message": "x", "file": upload},
    )  # fmt: skip

    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert writes() == before and not DisputeAttachment.objects.exists()


@pytest.mark.parametrize("missing", ["invoice", "reason", "message"])
def test_a_dispute_missing_a_field_writes_nothing(
    client: Client, reasons: dict[str, DisputeReason], missing: str
) -> None:
    customer = customer_with_invoices("Menuiserie du Lac")
    token = link_for(customer).token
    client.get(f"/portal/{token}/")
    before = writes()
    data = {"invoice": first_invoice(customer).pk, "reason": reasons["pricing"].pk, "message": "x"}
    data.pop(missing)
    response = client.post(url(token, "dispute"), data)
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert writes() == before


def test_an_inactive_reason_is_not_offered(
    client: Client, reasons: dict[str, DisputeReason]
) -> None:
    customer = customer_with_invoices("Menuiserie du Lac")
    token = link_for(customer).token
    DisputeReason.objects.filter(pk=reasons["pricing"].pk).update(active=False)
    response = client.post(
        url(token, "dispute"),
        {"invoice": first_invoice(customer).pk, "reason": reasons["pricing"].pk, "message": "x"},
    )
    assert 'class="error"' in response.content.decode() and not Dispute.objects.exists()


# Extension -----------------------------------------------------------------------


def test_an_extension_request_waits_in_the_approvals_queue(client: Client, alice: User) -> None:
    customer = customer_with_invoices("Menuiserie du Lac")
    invoice = first_invoice(customer)
    token = link_for(customer).token

    response = client.post(
        url(token, "extension"),
        {"invoice": invoice.pk, "due_on": "2027-01-15", "reason": "Trésorerie tendue"},
    )

    assert response.status_code == 200 and invoice.number in response.content.decode()
    extension = Extension.objects.get()
    assert (extension.status, extension.source, extension.requested_by) == (
        ExtensionStatus.PENDING, PromiseSource.PORTAL, None,
    )  # fmt: skip
    assert extension.due_on == dt.date(2027, 1, 15) and extension.invoice == invoice
    entry = Activity.objects.get(verb="resolution.extension.requested")
    assert entry.actor is None and entry.payload["by"] == "customer"
    client.force_login(alice)
    queue = client.get(reverse("resolution_approvals")).content.decode()
    assert invoice.number in queue and "Trésorerie tendue" in queue


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"due_on": "2026-09-01"}, "après l’échéance actuelle"),
        ({"reason": ""}, "Ce champ est obligatoire"),
        ({"due_on": ""}, "Ce champ est obligatoire"),
    ],
)
def test_a_bad_extension_request_writes_nothing(
    client: Client, data: dict[str, str], message: str
) -> None:
    customer = customer_with_invoices("Menuiserie du Lac")
    token = link_for(customer).token
    client.get(f"/portal/{token}/")
    before = writes()
    full = {"invoice": first_invoice(customer).pk, "due_on": "2027-01-15", "reason": "x"}
    response = client.post(url(token, "extension"), {**full, **data})
    text = response.content.decode().replace("&#x27;", "’").replace("'", "’")
    assert response.status_code == 200 and message in text
    assert writes() == before


# Bound to the link's customer ----------------------------------------------------


@pytest.mark.parametrize("key", ["dispute", "extension"])
def test_another_customers_invoice_is_refused(
    client: Client, reasons: dict[str, DisputeReason], key: str
) -> None:
    mine = customer_with_invoices("Menuiserie du Lac")
    other = customer_with_invoices("Boulangerie Martin")
    token = link_for(mine).token
    client.get(f"/portal/{token}/")
    before = writes()
    theirs = first_invoice(other)
    data = {
        "invoice": theirs.pk, "reason": reasons["pricing"].pk if key == "dispute" else "x",
        "message": "x", "due_on": "2027-01-15",
    }  # fmt: skip

    response = client.post(url(token, key), data)

    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert writes() == before
    assert theirs.number not in client.get(url(token, key)).content.decode()


def test_the_actions_speak_the_customers_language(
    client: Client, reasons: dict[str, DisputeReason]
) -> None:
    token = link_for(customer_with_invoices("Lakeside Ltd", language="en")).token
    assert "Promise a payment date" in client.get(url(token, "promise")).content.decode()
    assert "Ask for more time" in client.get(url(token, "extension")).content.decode()
    assert "Dispute an invoice" in client.get(url(token, "dispute")).content.decode()
