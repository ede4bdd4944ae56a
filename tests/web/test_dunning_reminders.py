"""'Send a reminder now' from a customer's page: invoices, template, minimum gap override."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from encaisse.accounts.models import User
from encaisse.collab.models import Activity
from encaisse.dunning.models import CustomerDunning, DunningAction, DunningMessage
from tests.conftest import make_invoice
from tests.web.conftest import TODAY, Portfolio

pytestmark = pytest.mark.usefixtures("frozen_today")


def url(portfolio: Portfolio) -> str:
    return f"/customers/{portfolio.customer.pk}/remind/"


def test_the_form_offers_every_open_invoice_checked(
    client: Client, bob: User, bobs: Portfolio
) -> None:
    second = make_invoice(bobs.customer, "80.00", number="BOB-SECOND")
    client.force_login(bob)
    page = client.get(url(bobs)).content.decode()
    for invoice in (bobs.invoice, second):
        assert f'value="{invoice.pk}"' in page
    assert page.count("checked") == 2
    assert "BOB-PAID" not in page  # settled: nothing to remind
    assert 'name="override_reason"' not in page  # no recent contact


def test_the_account_manager_sends_a_reminder_for_the_invoices_chosen(
    client: Client, bob: User, bobs: Portfolio
) -> None:
    second = make_invoice(bobs.customer, "80.00", number="BOB-SECOND")
    client.force_login(bob)
    response = client.post(url(bobs), {"invoices": [second.pk], "template_code": "manual"})
    message = DunningMessage.objects.get()
    assert response["Location"] == f"/dunning/messages/{message.pk}/"
    assert message.created_by == bob and message.template_code == "manual"
    assert list(
        DunningAction.objects.filter(message=message).values_list("invoice", flat=True)
    ) == [second.pk]
    assert CustomerDunning.objects.get(customer=bobs.customer).last_contact_on == TODAY


def test_within_the_minimum_gap_the_form_asks_why_and_records_who_overrode(
    client: Client, alice: User, bobs: Portfolio
) -> None:
    CustomerDunning.objects.create(
        customer=bobs.customer, last_contact_on=TODAY - dt.timedelta(days=1)
    )
    client.force_login(alice)
    page = client.get(url(bobs)).content.decode()
    assert 'id="gap-warning"' in page and "14/03/2026" in page  # the last contact
    assert 'name="override_reason"' in page
    refused = client.post(url(bobs), {"invoices": [bobs.invoice.pk], "template_code": "manual"})
    assert refused.status_code == 200 and not DunningMessage.objects.exists()
    assert 'id="id_override_reason-error"' in refused.content.decode()
    client.post(
        url(bobs),
        {
            "invoices": [bobs.invoice.pk],
            "template_code": "manual",
            "override_reason": "Le client a demandé un duplicata",
        },
    )
    message = DunningMessage.objects.get()
    assert message.gap_overridden_by == alice
    assert message.gap_override_reason == "Le client a demandé un duplicata"
    history = client.get(f"/customers/{bobs.customer.pk}/").content.decode()
    assert "Le client a demandé un duplicata" in history and "gap-override" in history
    entry = Activity.objects.get(verb="dunning.manual.requested")
    assert entry.actor == alice and entry.payload["gap_override"] == message.gap_override_reason


def test_letters_and_formal_notices_are_not_offered_for_an_email_reminder(
    client: Client, alice: User, bobs: Portfolio
) -> None:
    client.force_login(alice)
    page = client.get(url(bobs)).content.decode()
    assert 'value="manual"' in page and 'value="reminder_1"' in page
    assert 'value="formal_notice"' not in page and 'value="letter"' not in page
    response = client.post(url(bobs), {"invoices": [bobs.invoice.pk], "template_code": "letter"})
    assert response.status_code == 200 and not DunningMessage.objects.exists()


def test_a_manager_reads_but_does_not_send_and_another_rep_does_not_see(
    client: Client, dave: User, carol: User, bobs: Portfolio
) -> None:
    client.force_login(dave)
    assert client.get(url(bobs)).status_code == 403
    assert client.post(url(bobs), {"invoices": [bobs.invoice.pk]}).status_code == 403
    assert 'id="remind-now"' not in client.get(f"/customers/{bobs.customer.pk}/").content.decode()
    client.force_login(carol)
    assert client.get(url(bobs)).status_code == 404
    assert not DunningMessage.objects.exists()


def test_another_customers_invoice_cannot_be_slipped_in(
    client: Client, bob: User, bobs: Portfolio, carols: Portfolio
) -> None:
    client.force_login(bob)
    response = client.post(url(bobs), {"invoices": [carols.invoice.pk], "template_code": "manual"})
    assert response.status_code == 200 and not DunningMessage.objects.exists()
