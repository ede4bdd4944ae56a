"""Instalments are reminded like invoices, with their own amount, through the outbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from time_machine import Traveller

from encaisse.accounts.models import User
from encaisse.dunning.delivery.tasks import deliveries_process
from encaisse.dunning.models import DunningMessage, DunningSettings, MessageState
from encaisse.ledger.models import Company
from encaisse.ledger.services import payment_record
from encaisse.resolution.models import PaymentPlan
from encaisse.resolution.services.instalment_reminders import instalment_reminders_queue
from encaisse.resolution.services.payment_plan_progress import plan_progress
from encaisse.resolution.services.payment_plans import plan_propose
from tests.dunning.conftest import invoice_due, remindable_customer

pytestmark = pytest.mark.django_db
FIRST = dt.date(2026, 10, 20)


@pytest.fixture(autouse=True)
def _clock() -> Iterator[Traveller]:
    DunningSettings.objects.update(freshness_max_hours=0)
    with time_machine.travel(dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC), tick=False) as t:
        yield t


def _plan(alice: User, bob: User) -> PaymentPlan:
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, dt.date(2026, 9, 1), "900.00")
    return plan_propose(
        actor=alice,
        customer=customer,
        invoices=[invoice],
        instalment_count=3,
        frequency="monthly",
        first_due_on=FIRST,
        grace_days=5,
        activate=True,
    )


def _day(traveller: Traveller, day: dt.date) -> int:
    traveller.move_to(dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC))
    queued = instalment_reminders_queue(on=day)
    deliveries_process()
    return queued


def test_a_preventive_email_goes_once_with_the_instalments_amount(
    alice: User, bob: User, _clock: Traveller
) -> None:
    plan = _plan(alice, bob)
    assert _day(_clock, dt.date(2026, 10, 14)) == 0  # 6 days before: not yet
    assert _day(_clock, dt.date(2026, 10, 15)) == 1  # 5 days before
    (sent,) = mail.outbox
    assert "300,00" in sent.body and "20/10/2026" in sent.body and "900,00" in sent.body
    assert sent.to == ["compta@client.test"]
    assert _day(_clock, dt.date(2026, 10, 15)) == 0  # the same day again: nothing
    assert _day(_clock, dt.date(2026, 10, 19)) == 0  # once per instalment and kind
    message = DunningMessage.objects.get(
        key=f"instalment:{plan.instalments.get(sequence=1).pk}:due"
    )
    assert message.state == MessageState.SENT and message.total == Decimal("300.00")


def test_an_instalment_paid_before_delivery_is_not_reminded(
    alice: User, bob: User, _clock: Traveller
) -> None:
    plan = _plan(alice, bob)
    _clock.move_to(dt.datetime(2026, 10, 15, 12, tzinfo=dt.UTC))
    assert instalment_reminders_queue(on=dt.date(2026, 10, 15)) == 1
    payment_record(
        actor=None,
        customer=plan.customer,
        amount=Decimal("300.00"),
        date=dt.date(2026, 10, 15),
        external_key="P1",
    )
    plan_progress(plan=plan)
    deliveries_process()
    assert mail.outbox == []
    assert DunningMessage.objects.get().state == MessageState.CANCELLED


def test_a_late_instalment_is_reminded_within_the_grace_days_after_the_gap(
    alice: User, bob: User, _clock: Traveller
) -> None:
    Company.objects.update(min_contact_gap_days=3)
    _plan(alice, bob)
    _day(_clock, dt.date(2026, 10, 19))  # the preventive email: a contact on the 19th
    assert _day(_clock, dt.date(2026, 10, 21)) == 0  # late, but the gap postpones it
    assert _day(_clock, dt.date(2026, 10, 22)) == 1
    late = mail.outbox[-1]
    assert "non reçue" in late.subject and "300,00" in late.body
    assert _day(_clock, dt.date(2026, 10, 25)) == 0  # once
    assert _day(_clock, dt.date(2026, 10, 26)) == 0  # grace over: the plan defaults instead
    assert len(mail.outbox) == 2
