"""A handover stops internal dunning, a recall resumes it at the right step, and
what the agency recovers and costs is tracked."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from encaisse.accounts.models import User
from encaisse.collab.models import Activity, Task, TaskKind, TaskStatus
from encaisse.dunning.models import DunningMessage, Hold, HoldReason
from encaisse.ledger.services.records import payment_record
from encaisse.ledger.services.reversal import allocation_reverse
from encaisse.lib.errors import Conflict, ValidationFailed
from encaisse.resolution.models.handover import HandoverKind, HandoverStatus
from encaisse.resolution.selectors.handover import handover_figures, handovers_visible_to
from encaisse.resolution.services.handover import (
    handover_close,
    handover_create,
    handover_recall,
)
from encaisse.webhooks.emit import subscribers_forget
from encaisse.webhooks.models import WebhookEndpoint, WebhookEvent
from tests.dunning.conftest import run_day
from tests.resolution.handover_helpers import agency, at, dunned_customer

pytestmark = pytest.mark.django_db


def test_a_handover_stops_dunning_and_a_recall_resumes_at_the_latest_step(
    alice: User, bob: User
) -> None:
    customer, _invoices = dunned_customer(bob, days=(3,))
    assert len(mail.outbox) == 1
    with time_machine.travel(at(5)):
        handover = handover_create(actor=alice, customer=customer, agency=agency(alice))
    hold = handover.hold
    assert hold is not None
    assert hold.reason == HoldReason.AGENCY and hold.invoice_id is None
    for day in (10, 15, 25, 30):
        with time_machine.travel(at(day)):
            run_day(at(day))
    assert len(mail.outbox) == 1  # nothing more while the agency has the file
    with time_machine.travel(at(31)):
        handover_recall(actor=alice, handover=handover, comment="the agency gave up")
        run_day(at(31))
    hold.refresh_from_db()
    assert hold.released_on == at(31)
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.RECALLED and handover.ended_on == at(31)
    # One message only after the recall: the latest step reached, not a burst of missed ones.
    after = DunningMessage.objects.filter(customer=customer, decided_on=at(31))
    assert after.count() == 1
    assert after.get().channel == "formal_notice"


def test_handing_over_some_invoices_holds_those_invoices_only(alice: User, bob: User) -> None:
    customer, (big, small) = dunned_customer(bob, days=())
    with time_machine.travel(at(2)):
        handover = handover_create(
            actor=alice, customer=customer, kind=HandoverKind.LITIGATION, invoices=[big]
        )
    (line,) = handover.lines.all()
    assert handover.hold_id is None and line.hold is not None
    assert line.hold.invoice_id == big.pk and line.balance_handed == big.balance
    with time_machine.travel(at(3)):
        run_day(at(3))
    (sent,) = mail.outbox
    assert small.number in sent.body and big.number not in sent.body


def test_the_open_escalation_task_is_completed_with_the_handover(alice: User, bob: User) -> None:
    customer, _invoices = dunned_customer(bob, days=(45,))
    task = Task.objects.get(customer=customer, kind=TaskKind.ESCALATE, status=TaskStatus.OPEN)
    with time_machine.travel(at(46)):
        handover_create(actor=alice, customer=customer, agency=agency(alice))
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert "Recouvre & Fils" in task.outcome


def test_recovered_counts_payments_dated_during_the_handover_and_fees_follow_the_terms(
    alice: User, bob: User
) -> None:
    customer, _invoices = dunned_customer(bob, days=())
    with time_machine.travel(at(4)):
        payment_record(
            actor=alice, customer=customer, amount=Decimal("100"), date=at(4), external_key="BEFORE"
        )
    with time_machine.travel(at(5)):
        handover = handover_create(actor=alice, customer=customer, agency=agency(alice))
    assert handover.fee_percent == Decimal("12.50") and handover.fixed_fee == Decimal("40.00")
    with time_machine.travel(at(20)):
        payment = payment_record(
            actor=alice, customer=customer, amount=Decimal("300"), date=at(20), external_key="P1"
        )
        payment_record(
            actor=alice, customer=customer, amount=Decimal("50"), date=at(20), external_key="P2"
        )
    figures = handover_figures(handover)
    assert figures.handed == Decimal("1150.00")  # 1 250 less the 100 paid before
    assert figures.recovered == Decimal("350.00")
    assert figures.fees == Decimal("43.75") + Decimal("40.00")
    assert figures.net == Decimal("350.00") - figures.fees
    # An undone allocation recovers nothing.
    allocation = payment.allocations.get()
    with time_machine.travel(at(21)):
        allocation_reverse(actor=alice, allocation=allocation, reason="wrong customer")
    listed = handovers_visible_to(alice).get(pk=handover.pk)
    assert listed.recovered == Decimal("50.00")  # type: ignore[attr-defined]
    # Payments after the end of the handover are ours, not the agency's.
    with time_machine.travel(at(22)):
        handover_close(actor=alice, handover=handover)
    with time_machine.travel(at(23)):
        payment_record(
            actor=alice, customer=customer, amount=Decimal("20"), date=at(23), external_key="AFTER"
        )
    assert handover_figures(handover).recovered == Decimal("50.00")


def test_one_active_handover_per_customer_and_clear_errors(alice: User, bob: User) -> None:
    customer, (big, _small) = dunned_customer(bob, days=())
    firm = agency(alice)
    with pytest.raises(ValidationFailed) as missing:
        handover_create(actor=alice, customer=customer, kind=HandoverKind.AGENCY)
    assert "agency" in missing.value.errors
    with pytest.raises(ValidationFailed) as fees:
        handover_create(actor=alice, customer=customer, agency=firm, fee_percent=Decimal("120"))
    assert "fee_percent" in fees.value.errors
    handover = handover_create(actor=alice, customer=customer, agency=firm)
    with pytest.raises(Conflict):
        handover_create(actor=alice, customer=customer, agency=firm, invoices=[big])
    handover_close(actor=alice, handover=handover)
    with pytest.raises(Conflict):
        handover_recall(actor=alice, handover=handover)
    assert Hold.objects.filter(customer=customer, released_on__isnull=True).count() == 0


def test_each_step_is_in_the_timeline_and_sent_as_an_event(alice: User, bob: User) -> None:
    customer, _invoices = dunned_customer(bob, days=())
    WebhookEndpoint.objects.create(url="https://hooks.example.com/encaisse")
    subscribers_forget()
    handover = handover_create(actor=alice, customer=customer, agency=agency(alice))
    handover_recall(actor=alice, handover=handover)
    verbs = set(Activity.objects.filter(customer=customer).values_list("verb", flat=True))
    assert {"resolution.handover.created", "resolution.handover.recalled"} <= verbs
    events = {event.type: event.payload for event in WebhookEvent.objects.all()}
    assert {"handover.created", "handover.recalled"} <= set(events)
    data = events["handover.recalled"]["data"]
    assert data["id"] == str(handover.public_id) and data["status"] == "recalled"


def test_an_invoice_in_a_live_instalment_plan_is_not_handed_over(alice: User, bob: User) -> None:
    """Found in the demo: an agency chased an invoice whose plan still called for
    instalments. The plan is cancelled (or defaults) first."""
    from encaisse.resolution.models.handover import Handover
    from encaisse.resolution.services.payment_plans import plan_propose

    customer, (big, small) = dunned_customer(bob, days=())
    firm = agency(alice)
    with time_machine.travel(at(5), tick=False):
        plan_propose(
            actor=alice,
            customer=customer,
            invoices=[big],
            instalment_count=3,
            frequency="monthly",
            first_due_on=at(20),
        )
        with pytest.raises(ValidationFailed) as failed:
            handover_create(actor=alice, customer=customer, agency=firm)
        assert "échéancier" in str(failed.value.errors["invoices"][0])
        handover_create(actor=alice, customer=customer, agency=firm, invoices=[small])
    assert Handover.objects.get(customer=customer).lines.get().invoice_id == small.pk
