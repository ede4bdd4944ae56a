"""Holds past their end date are released once, with a timeline entry and an event."""

from __future__ import annotations

import pytest
import time_machine

from encaisse.accounts.models import User
from encaisse.collab.models import Activity
from encaisse.dunning.models import Hold, HoldReason
from encaisse.dunning.services.holds import hold_place
from encaisse.resolution.daily import resolution_daily_run
from encaisse.web.timeline import sentence
from encaisse.webhooks.models import WebhookEndpoint, WebhookEvent
from tests.dunning.conftest import invoice_due, remindable_customer
from tests.resolution.helpers_promises import at

pytestmark = pytest.mark.django_db


def test_an_expired_hold_is_released_once_with_its_timeline_entry(alice: User, bob: User) -> None:
    WebhookEndpoint.objects.create(url="https://hooks.example.com/x")
    customer = remindable_customer(bob)
    invoice_due(customer, at(0))
    with time_machine.travel(at(1), tick=False):
        hold = hold_place(
            actor=alice, customer=customer, reason=HoldReason.CUSTOMER_HOLD, ends_on=at(5)
        )
        endless = hold_place(actor=alice, customer=customer, reason=HoldReason.OTHER)
    for day in (5, 6, 6, 7):
        with time_machine.travel(at(day), tick=False):
            resolution_daily_run(at(day))
    hold.refresh_from_db()
    assert hold.released_on == at(6)  # the day after its last day
    (entry,) = Activity.objects.filter(verb="resolution.hold.expired")
    assert entry.customer == customer and entry.actor is None
    assert "expirée" in sentence(entry) or "expiré" in sentence(entry)
    assert WebhookEvent.objects.filter(type="hold.released").count() == 1
    assert Hold.objects.get(pk=endless.pk).released_on is None


def test_a_hold_released_by_hand_is_not_released_again(alice: User, bob: User) -> None:
    from encaisse.dunning.services.holds import hold_release

    customer = remindable_customer(bob)
    with time_machine.travel(at(1), tick=False):
        hold = hold_place(actor=alice, customer=customer, reason=HoldReason.OTHER, ends_on=at(5))
        hold_release(actor=alice, hold=hold)
    with time_machine.travel(at(8), tick=False):
        assert resolution_daily_run(at(8))["holds_expired"] == 0
    assert not Activity.objects.filter(verb="resolution.hold.expired").exists()
