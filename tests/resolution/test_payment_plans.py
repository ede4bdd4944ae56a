"""Instalment plans: proposing, deciding, following the instalments, completion and default."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core import mail
from django_tasks_db.models import DBTaskResult
from time_machine import Traveller

from encaisse.accounts.models import User
from encaisse.collab.models import Activity, Task
from encaisse.dunning.models import DunningAction, DunningSettings, Hold, HoldReason, InvoiceDunning
from encaisse.ledger.services import payment_record
from encaisse.lib.errors import Conflict, ValidationFailed
from encaisse.resolution.models import Instalment, PaymentPlan, PlanInvoice
from encaisse.resolution.models.payment_plans import InstalmentStatus, PlanStatus
from encaisse.resolution.services.payment_plan_progress import plan_progress
from encaisse.resolution.services.payment_plans import (
    plan_approve,
    plan_cancel,
    plan_propose,
    plan_refuse,
)
from encaisse.resolution.tasks_payment_plans import check_payment_plans_of
from encaisse.webhooks.models import WebhookEndpoint, WebhookEvent
from tests.dunning.conftest import invoice_due, remindable_customer, run_day

pytestmark = pytest.mark.django_db
DUE = dt.date(2026, 9, 1)
TODAY = dt.date(2026, 10, 1)


def _pay(customer, amount: str, on: dt.date, key: str):  # type: ignore[no-untyped-def]
    return payment_record(
        actor=None, customer=customer, amount=Decimal(amount), date=on, external_key=key
    )


def _plan(actor: User, customer, invoices, **kwargs):  # type: ignore[no-untyped-def]
    fields: dict[str, Any] = {"instalment_count": 3, "frequency": "monthly", "first_due_on": TODAY}
    fields.update(kwargs)
    return plan_propose(actor=actor, customer=customer, invoices=invoices, **fields)


@pytest.fixture(autouse=True)
def _today() -> Iterator[Traveller]:
    with time_machine.travel(dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC), tick=False) as traveller:
        yield traveller


def test_a_reps_proposal_waits_for_finance_and_holds_nothing(alice: User, bob: User) -> None:
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, DUE, "1000.00")
    plan = _plan(bob, customer, [invoice])
    assert plan.status == PlanStatus.PROPOSED and plan.source == "sales"
    assert plan.total == Decimal("1000.00")
    amounts = list(plan.instalments.values_list("amount", flat=True))
    assert amounts == [Decimal("333.33"), Decimal("333.33"), Decimal("333.34")]
    assert not Hold.objects.filter(customer=customer).exists()
    assert Activity.objects.filter(verb="resolution.payment_plan.proposed").exists()


def test_approval_activates_and_holds_each_covered_invoice(alice: User, bob: User) -> None:
    customer = remindable_customer(bob)
    first, second = invoice_due(customer, DUE, "600.00"), invoice_due(customer, DUE, "400.00")
    plan = plan_approve(actor=alice, plan=_plan(bob, customer, [first, second]), comment="ok")
    assert plan.status == PlanStatus.ACTIVE and plan.approved_by == alice
    holds = Hold.objects.filter(customer=customer, reason=HoldReason.INSTALMENT_PLAN)
    assert {h.invoice_id for h in holds} == {first.pk, second.pk}
    assert set(PlanInvoice.objects.filter(plan=plan).values_list("hold_id", flat=True)) == {
        h.pk for h in holds
    }
    with pytest.raises(Conflict):
        plan_approve(actor=alice, plan=plan)


def test_finance_may_activate_its_own_plan_at_once_a_rep_may_not(alice: User, bob: User) -> None:
    customer = remindable_customer(bob)
    mine = _plan(alice, customer, [invoice_due(customer, DUE)], activate=True)
    assert mine.status == PlanStatus.ACTIVE and mine.source == "finance"
    his = _plan(bob, customer, [invoice_due(customer, DUE)], activate=True)
    assert his.status == PlanStatus.PROPOSED


def test_a_deposit_is_instalment_zero_and_the_rest_is_split(alice: User, bob: User) -> None:
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, DUE, "1000.00")
    plan = _plan(
        alice,
        customer,
        [invoice],
        deposit=Decimal("100.00"),
        deposit_due_on=TODAY,
        first_due_on=dt.date(2026, 10, 31),
    )
    rows = list(plan.instalments.values_list("sequence", "is_deposit", "due_on", "amount"))
    assert rows == [
        (0, True, TODAY, Decimal("100.00")),
        (1, False, dt.date(2026, 10, 31), Decimal("300.00")),
        (2, False, dt.date(2026, 11, 30), Decimal("300.00")),  # clamped at the month's end
        (3, False, dt.date(2026, 12, 31), Decimal("300.00")),
    ]


def test_payments_pay_the_instalments_in_order_partial_counted(alice: User, bob: User) -> None:
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, DUE, "900.00")
    plan = _plan(alice, customer, [invoice], activate=True)
    _pay(customer, "450.00", TODAY, "P1")
    plan = plan_progress(plan=plan)
    rows = list(plan.instalments.values_list("paid_amount", "status"))
    assert rows == [
        (Decimal("300.00"), InstalmentStatus.PAID),
        (Decimal("150.00"), InstalmentStatus.PARTIALLY_PAID),
        (Decimal("0.00"), InstalmentStatus.PENDING),
    ]
    assert plan.status == PlanStatus.ACTIVE
    assert Activity.objects.filter(verb="resolution.payment_plan.instalment_paid").count() == 1


def test_the_last_payment_completes_the_plan_and_releases_the_holds(alice: User, bob: User) -> None:
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, DUE, "900.00")
    plan = _plan(alice, customer, [invoice], activate=True)
    _pay(customer, "900.00", TODAY, "P1")
    plan = plan_progress(plan=plan)
    assert plan.status == PlanStatus.COMPLETED and plan.ended_on == TODAY
    assert not Hold.objects.filter(customer=customer, released_on__isnull=True).exists()
    assert not PlanInvoice.objects.filter(plan=plan, live=True).exists()
    assert Activity.objects.filter(verb="resolution.payment_plan.completed").count() == 1


def test_a_payment_made_before_approval_does_not_count_as_an_instalment(
    alice: User, bob: User
) -> None:
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, DUE, "900.00")
    plan = _plan(bob, customer, [invoice])
    _pay(customer, "100.00", TODAY, "P1")
    plan = plan_progress(plan=plan_approve(actor=alice, plan=plan))
    assert plan.instalments.first().paid_amount == Decimal("0")  # type: ignore[union-attr]


def test_default_after_grace_resumes_dunning_on_the_residual(
    alice: User, bob: User, _today: Traveller
) -> None:
    """Grace 3 days: 31 Oct is the last day of grace, 1 Nov the default.

    Dunning was held while the plan ran; once released, the run performs only
    the step the invoice's lateness calls for, on what is left to pay.
    """
    WebhookEndpoint.objects.create(url="https://hooks.example.com/x")
    DunningSettings.objects.update(freshness_max_hours=0)  # the ledger is not refreshed here
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, dt.date(2026, 10, 20), "900.00")
    plan = _plan(alice, customer, [invoice], first_due_on=dt.date(2026, 10, 28), grace_days=3)
    plan = plan_approve(actor=alice, plan=plan)
    _pay(customer, "200.00", TODAY, "P1")
    _today.move_to(dt.datetime(2026, 10, 25, 12, tzinfo=dt.UTC))
    run_day(dt.date(2026, 10, 25))  # J+5: the first reminder's date has come
    assert mail.outbox == []  # held by the plan
    assert InvoiceDunning.objects.get(invoice=invoice).reason == "blocked"
    _today.move_to(dt.datetime(2026, 10, 31, 12, tzinfo=dt.UTC))
    assert plan_progress(plan=plan).status == PlanStatus.ACTIVE  # still in grace
    _today.move_to(dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC))
    plan = plan_progress(plan=plan)
    assert plan.status == PlanStatus.DEFAULTED and plan.ended_on == dt.date(2026, 11, 1)
    first = plan.instalments.get(sequence=1)
    assert first.status == InstalmentStatus.MISSED and first.paid_amount == Decimal("200.00")
    assert not Hold.objects.filter(customer=customer, released_on__isnull=True).exists()
    assert Task.objects.filter(source_key__startswith=f"plan-default:{plan.pk}:").count() == 2
    plan_progress(plan=plan)  # again: nothing more
    assert Activity.objects.filter(verb="resolution.payment_plan.defaulted").count() == 1
    assert WebhookEvent.objects.filter(type="payment_plan.defaulted").count() == 1
    assert WebhookEvent.objects.filter(type="instalment.missed").count() == 1
    run_day(dt.date(2026, 11, 1))
    # J+12: the second reminder only (J-5 and J+3 recorded as skipped), on the residual.
    performed = DunningAction.objects.filter(invoice=invoice, message__isnull=False)
    (action,) = performed
    assert action.balance == Decimal("700.00")  # what is left, not the invoice total
    (sent,) = mail.outbox
    assert "second rappel" in sent.subject and "700,00" in sent.body


def test_refusal_needs_a_comment_and_frees_the_invoices(alice: User, bob: User) -> None:
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, DUE)
    plan = _plan(bob, customer, [invoice])
    with pytest.raises(ValidationFailed) as error:
        plan_refuse(actor=alice, plan=plan, comment="  ")
    assert "comment" in error.value.errors
    plan = plan_refuse(actor=alice, plan=plan, comment="Trop long")
    assert plan.status == PlanStatus.REFUSED and plan.decision_comment == "Trop long"
    assert _plan(bob, customer, [invoice]).status == PlanStatus.PROPOSED  # free again


def test_cancel_releases_the_holds(alice: User, bob: User) -> None:
    customer = remindable_customer(bob)
    plan = _plan(alice, customer, [invoice_due(customer, DUE)], activate=True)
    plan = plan_cancel(actor=alice, plan=plan, comment="accord rompu")
    assert plan.status == PlanStatus.CANCELLED
    assert not Hold.objects.filter(customer=customer, released_on__isnull=True).exists()
    with pytest.raises(Conflict):
        plan_cancel(actor=alice, plan=plan)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"instalment_count": 0}, "instalment_count"),
        ({"instalment_count": 61}, "instalment_count"),
        ({"first_due_on": dt.date(2026, 9, 30)}, "first_due_on"),
        ({"total": Decimal("1000.01")}, "total"),
        ({"total": Decimal("0")}, "total"),
        ({"deposit": Decimal("1000.00")}, "deposit"),
        ({"deposit": Decimal("-1")}, "deposit"),
        ({"deposit": Decimal("10"), "deposit_due_on": dt.date(2026, 9, 1)}, "deposit_due_on"),
        ({"frequency": "daily"}, "frequency"),
        ({"grace_days": 61}, "grace_days"),
    ],
)
def test_bad_input_is_refused_field_by_field_and_nothing_is_written(
    alice: User, bob: User, fields: dict[str, object], field: str
) -> None:
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, DUE, "1000.00")
    with pytest.raises(ValidationFailed) as error:
        _plan(alice, customer, [invoice], activate=True, **fields)
    assert field in error.value.errors
    assert not PaymentPlan.objects.exists() and not Instalment.objects.exists()
    assert not Hold.objects.exists()


def test_overlapping_plans_are_refused(alice: User, bob: User) -> None:
    customer = remindable_customer(bob)
    shared, other = invoice_due(customer, DUE), invoice_due(customer, DUE)
    _plan(bob, customer, [shared])
    with pytest.raises(ValidationFailed) as error:
        _plan(alice, customer, [other, shared], activate=True)
    assert shared.number in error.value.errors["invoices"][0]
    assert PaymentPlan.objects.count() == 1


def test_no_invoice_or_another_customers_invoice_is_refused(
    alice: User, bob: User, carol: User
) -> None:
    customer, stranger = remindable_customer(bob), remindable_customer(carol)
    with pytest.raises(ValidationFailed) as error:
        _plan(alice, customer, [])
    assert "invoices" in error.value.errors
    with pytest.raises(ValidationFailed) as error:
        _plan(alice, customer, [invoice_due(stranger, DUE)])
    assert "invoices" in error.value.errors
    assert not PaymentPlan.objects.exists()


def test_a_payment_enqueues_the_check_of_the_customers_active_plan(
    alice: User, bob: User, django_capture_on_commit_callbacks: Any
) -> None:
    customer, other = remindable_customer(bob), remindable_customer(bob)
    invoice = invoice_due(customer, DUE, "900.00")
    invoice_due(other, DUE, "900.00")
    _plan(alice, customer, [invoice], activate=True)
    with django_capture_on_commit_callbacks(execute=True):
        _pay(customer, "300.00", TODAY, "P1")
        _pay(other, "300.00", TODAY, "P2")  # no plan: no task for it
    (queued,) = DBTaskResult.objects.filter(task_path__endswith="check_payment_plans_of")
    assert queued.args_kwargs["args"] == [[customer.pk]]
    check_payment_plans_of.call([customer.pk])  # what the worker does
    first = Instalment.objects.get(plan__customer=customer, sequence=1)
    assert first.status == InstalmentStatus.PAID
