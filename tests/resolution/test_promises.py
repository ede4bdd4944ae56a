"""Promises to pay: kept or broken on the grace boundary, partial payments, once only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from encaisse.accounts.models import User
from encaisse.collab.models import Activity, Task, TaskQueue
from encaisse.dunning.models import Hold
from encaisse.ledger.models import Customer
from encaisse.resolution.daily import resolution_daily_run
from encaisse.resolution.models import Promise, PromiseSource, PromiseStatus
from encaisse.resolution.selectors.promises import broken_promises_count
from encaisse.resolution.services.promises import promise_cancel, promise_make
from encaisse.webhooks.models import WebhookEndpoint, WebhookEvent
from tests.dunning.conftest import invoice_due, remindable_customer, run_day
from tests.resolution.helpers_promises import at, pay

pytestmark = pytest.mark.django_db
DUE = at(0)


def promise_on(customer: Customer, actor: User, amount: str = "500.00") -> Promise:
    """A promise made at(2) for at(8): 3 grace days by default, so it holds through at(11)."""
    with time_machine.travel(at(2), tick=False):
        return promise_make(
            actor=actor,
            customer=customer,
            amount=Decimal(amount),
            promised_on=at(8),
        )


def released(promise: Promise) -> Hold:
    assert promise.hold_id is not None
    return Hold.objects.get(pk=promise.hold_id)


def status(promise: Promise) -> str:
    promise.refresh_from_db()
    return promise.status


def test_a_promise_holds_dunning_until_the_promised_date_plus_grace(bob: User) -> None:
    customer = remindable_customer(bob)
    invoice_due(customer, DUE)
    promise = promise_on(customer, bob)
    assert promise.source == PromiseSource.SALES
    assert promise.grace_until == at(11)
    assert promise.hold is not None and promise.hold.ends_on == at(11)
    assert Activity.objects.filter(verb="resolution.promise.made", customer=customer).exists()


def test_paid_on_the_last_grace_day_the_promise_is_kept(bob: User) -> None:
    customer = remindable_customer(bob)
    invoice_due(customer, DUE, "800.00")
    promise = promise_on(customer, bob)
    pay(customer, "500.00", at(11))
    with time_machine.travel(at(11), tick=False):
        resolution_daily_run(at(11))
    assert status(promise) == PromiseStatus.KEPT
    assert promise.paid_amount == Decimal("500.00")
    assert released(promise).released_on == at(11)


def test_unpaid_it_is_still_open_on_the_last_grace_day_and_broken_the_day_after(
    bob: User,
) -> None:
    customer = remindable_customer(bob)
    invoice_due(customer, DUE)
    promise = promise_on(customer, bob)
    with time_machine.travel(at(11), tick=False):
        resolution_daily_run(at(11))
    assert status(promise) == PromiseStatus.OPEN
    with time_machine.travel(at(12), tick=False):
        resolution_daily_run(at(12))
    assert status(promise) == PromiseStatus.BROKEN
    assert promise.settled_on == at(12)


def test_a_payment_dated_after_the_grace_does_not_keep_it(bob: User) -> None:
    customer = remindable_customer(bob)
    invoice_due(customer, DUE)
    promise = promise_on(customer, bob)
    pay(customer, "500.00", at(12))
    with time_machine.travel(at(12), tick=False):
        resolution_daily_run(at(12))
    assert status(promise) == PromiseStatus.BROKEN
    assert promise.paid_amount == Decimal("0.00")


@pytest.mark.parametrize(
    ("payments", "outcome", "paid"),
    [
        (["300.00", "200.00"], PromiseStatus.KEPT, "500.00"),
        (["300.00"], PromiseStatus.BROKEN, "300.00"),
        (["499.99"], PromiseStatus.BROKEN, "499.99"),
    ],
)
def test_partial_payments_add_up(bob: User, payments: list[str], outcome: str, paid: str) -> None:
    customer = remindable_customer(bob)
    invoice_due(customer, DUE, "900.00")
    promise = promise_on(customer, bob)
    for day, amount in enumerate(payments, start=4):
        pay(customer, amount, at(day))
    with time_machine.travel(at(12), tick=False):
        resolution_daily_run(at(12))
    assert status(promise) == outcome
    assert promise.paid_amount == Decimal(paid)


def test_cash_left_on_account_counts_toward_the_promise(bob: User) -> None:
    customer = remindable_customer(bob)
    invoice_due(customer, DUE)
    promise = promise_on(customer, bob)
    pay(customer, "500.00", at(5), on_account=True)  # not applied to any invoice
    with time_machine.travel(at(5), tick=False):
        resolution_daily_run(at(5))
    assert status(promise) == PromiseStatus.KEPT


def test_detection_runs_once_however_often_the_daily_job_runs(alice: User, bob: User) -> None:
    WebhookEndpoint.objects.create(url="https://hooks.example.com/x")
    customer = remindable_customer(bob)
    invoice_due(customer, DUE)
    promise = promise_on(customer, bob)
    with time_machine.travel(at(12), tick=False):
        first = resolution_daily_run(at(12))
        second = resolution_daily_run(at(12))
    with time_machine.travel(at(13), tick=False):
        resolution_daily_run(at(13))
    assert first["promises"] == 1 and second["promises"] == 0
    assert status(promise) == PromiseStatus.BROKEN
    assert Activity.objects.filter(verb="resolution.promise.broken").count() == 1
    assert WebhookEvent.objects.filter(type="promise.broken").count() == 1
    assert broken_promises_count(customer.pk) == 1


def test_a_broken_promise_resumes_dunning_and_asks_the_rep_and_finance(bob: User) -> None:
    customer = remindable_customer(bob)
    invoice_due(customer, DUE)
    promise_on(customer, bob)
    for day in (3, 11):
        with time_machine.travel(at(day), tick=False):
            resolution_daily_run(at(day))
            run_day(at(day))
    assert mail.outbox == []  # held through the last grace day
    with time_machine.travel(at(12), tick=False):
        resolution_daily_run(at(12))
        run_day(at(12))
    (sent,) = mail.outbox  # the step lateness calls for, once
    assert "second rappel" in sent.subject
    call = Task.objects.get(source_key__endswith=":broken:call")
    assert call.assignee == bob and call.customer == customer
    follow_up = Task.objects.get(source_key__endswith=":broken:finance")
    assert follow_up.queue == TaskQueue.FINANCE


def test_a_payment_keeps_the_promise_at_once_through_the_hook(
    bob: User, django_capture_on_commit_callbacks: object
) -> None:
    from tests.resolution.helpers_promises import work

    customer = remindable_customer(bob)
    invoice_due(customer, DUE)
    promise = promise_on(customer, bob)
    with time_machine.travel(at(4), tick=False):
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            pay(customer, "500.00", at(4))
        assert status(promise) == PromiseStatus.OPEN  # the listener only enqueued
        assert work() == 1
    assert status(promise) == PromiseStatus.KEPT
    assert promise.settled_on == at(4)
    assert released(promise).released_on == at(4)


def test_a_payment_of_a_customer_without_promise_enqueues_nothing(
    bob: User, django_capture_on_commit_callbacks: object
) -> None:
    from django_tasks_db.models import DBTaskResult

    customer = remindable_customer(bob)
    invoice_due(customer, DUE)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        pay(customer, "10.00", at(4))
    assert not DBTaskResult.objects.filter(task_path__endswith="promises_check").exists()


def test_cancelling_releases_the_hold(alice: User, bob: User) -> None:
    customer = remindable_customer(bob)
    invoice_due(customer, DUE)
    promise = promise_on(customer, bob)
    with time_machine.travel(at(4), tick=False):
        promise_cancel(actor=alice, promise=promise)
    assert status(promise) == PromiseStatus.CANCELLED
    assert released(promise).released_on == at(4)
    with time_machine.travel(at(12), tick=False):
        resolution_daily_run(at(12))
    assert status(promise) == PromiseStatus.CANCELLED  # not broken afterwards


def test_a_promise_on_chosen_invoices_is_capped_by_their_balances(bob: User) -> None:
    from encaisse.lib.errors import ValidationFailed

    customer = remindable_customer(bob)
    chosen = invoice_due(customer, DUE, "200.00")
    invoice_due(customer, DUE, "900.00")
    with time_machine.travel(at(2), tick=False):
        with pytest.raises(ValidationFailed) as refused:
            promise_make(
                actor=bob,
                customer=customer,
                amount=Decimal("300.00"),
                promised_on=at(8),
                invoices=[chosen],
            )
        assert "amount" in refused.value.errors
        promise = promise_make(
            actor=bob,
            customer=customer,
            amount=Decimal("200.00"),
            promised_on=at(8),
            invoices=[chosen],
        )
    assert list(promise.invoices.all()) == [chosen]


def test_the_promise_keeps_its_grace_when_the_setting_changes(bob: User) -> None:
    from encaisse.dunning.models import DunningSettings

    customer = remindable_customer(bob)
    invoice_due(customer, DUE)
    promise = promise_on(customer, bob)
    DunningSettings.objects.update(promise_grace_days=0)
    with time_machine.travel(at(10), tick=False):
        resolution_daily_run(at(10))
    assert status(promise) == PromiseStatus.OPEN
    assert promise.grace_until == at(11)
    _ = dt  # dates come from `at`
