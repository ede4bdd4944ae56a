"""The admin shows dunning records without letting anyone rewrite what was decided or sent."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from encaisse.accounts.models import User
from encaisse.dunning.models import CustomerDunning, DunningMessage
from tests.dunning.conftest import invoice_due, remindable_customer, run_day

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model",
    ["dunningplan", "messagetemplate", "latepenaltyrate", "hold", "invoicedunning",
     "dunningrun", "dunningaction", "dunningmessage", "customerdunning", "dunningsettings"],
)  # fmt: skip
def test_every_dunning_list_renders(superuser_client: Client, bob: User, model: str) -> None:
    invoice_due(remindable_customer(bob), dt.date(2026, 3, 2))
    with time_machine.travel(dt.date(2026, 3, 5)):
        run_day(dt.date(2026, 3, 5))
    response = superuser_client.get(reverse(f"admin:dunning_{model}_changelist"))
    assert response.status_code == 200


def test_a_sent_message_cannot_be_edited_or_deleted(superuser_client: Client, bob: User) -> None:
    invoice_due(remindable_customer(bob), dt.date(2026, 3, 2))
    with time_machine.travel(dt.date(2026, 3, 5)):
        run_day(dt.date(2026, 3, 5))
    message = DunningMessage.objects.get()
    url = reverse("admin:dunning_dunningmessage_change", args=[message.pk])
    page = superuser_client.get(url).content.decode()
    assert 'name="subject"' not in page
    delete = superuser_client.post(
        reverse("admin:dunning_dunningmessage_delete", args=[message.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert DunningMessage.objects.filter(pk=message.pk).exists()


def test_saving_a_customers_dunning_settings_keeps_the_status_that_parked_its_invoices(
    superuser_client: Client, bob: User
) -> None:
    """The form does not carry `parked_status`: a save cannot clear it, which would
    leave the parked invoices asleep once the status changes."""
    customer = remindable_customer(bob, status="on_hold")
    invoice_due(customer, dt.date(2026, 3, 2))
    with time_machine.travel(dt.date(2026, 3, 5)):
        run_day(dt.date(2026, 3, 5))
    url = reverse("admin:dunning_customerdunning_change", args=[customer.pk])
    response = superuser_client.post(
        url, {"customer": customer.pk, "plan": "", "last_contact_on": "", "parked_status": ""}
    )
    assert response.status_code == 302
    assert CustomerDunning.objects.get(customer=customer).parked_status == "on_hold"
