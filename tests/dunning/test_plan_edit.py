"""Editing plans and steps (dunning.services.plan_edit): what the next runs do afterwards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from encaisse.accounts.models import User
from encaisse.collab.models import Activity
from encaisse.dunning.models import (
    CustomerDunning,
    DunningAction,
    DunningPlan,
    DunningStep,
    InvoiceDunning,
    StepAction,
)
from encaisse.dunning.services.plan_edit import (
    PlanEditRefused,
    StepFields,
    customers_of_plan,
    plan_assign_customer,
    plan_create,
    plan_update,
    step_delete,
    step_save,
)
from encaisse.dunning.services.plans import plan_book_load
from encaisse.ledger.models import Customer
from encaisse.ledger.services import payment_record
from tests.dunning.conftest import invoice_due, remindable_customer, run_day

pytestmark = pytest.mark.django_db
DUE = dt.date(2026, 3, 2)


def day(n: int) -> dt.date:
    return DUE + dt.timedelta(days=n)


def standard() -> DunningPlan:
    return DunningPlan.objects.get(is_default=True)


def step_named(name: str) -> DunningStep:
    return standard().steps.get(name=name)


def fields_of(step: DunningStep, **changes: object) -> StepFields:
    values = {
        "name": step.name,
        "offset_days": step.offset_days,
        "action": step.action,
        "template_code": step.template_code,
        "mode": step.mode,
        "min_balance": step.min_balance,
        "sender": step.sender,
        "sender_user": step.sender_user,
        "assignee": step.assignee,
        "registered_mail": step.registered_mail,
    }
    return StepFields(**(values | changes))  # type: ignore[arg-type]


def performed(invoice_id: int) -> list[str]:
    return list(
        DunningAction.objects.filter(invoice_id=invoice_id, status__in=["done", "planned"])
        .order_by("decided_on", "id")
        .values_list("step_name", flat=True)
    )


def test_moving_a_step_makes_the_open_states_of_the_plan_due_today(alice: User, bob: User) -> None:
    customer = remindable_customer(bob)
    enrolled = invoice_due(customer, day(8))  # enrolled on day 3 (J-5: preventive reminder)
    paid = invoice_due(customer, day(0), "100.00")
    other = remindable_customer(bob, email="other@client.test")
    CustomerDunning.objects.create(customer=other, plan=plan_create(actor=alice, name="Autre"))
    elsewhere = invoice_due(other, day(8))
    with time_machine.travel(day(1), tick=False):
        run_day(day(1))
        payment_record(
            actor=None, customer=customer, amount=Decimal("100.00"), date=day(1), external_key="P1"
        )
    with time_machine.travel(day(3), tick=False):
        run_day(day(3))  # the paid invoice's next step was due: it is found settled
        assert InvoiceDunning.objects.get(invoice=paid).reason == "settled"
        step = step_named("Relance 1")
        step_save(actor=alice, plan=standard(), step=step, fields=fields_of(step, offset_days=4))
    assert InvoiceDunning.objects.get(invoice=enrolled).next_action_on == day(3)
    assert InvoiceDunning.objects.get(invoice=paid).next_action_on is None  # settled: left alone
    assert InvoiceDunning.objects.get(invoice=elsewhere).next_action_on != day(3)  # other plan
    entry = Activity.objects.get(verb="dunning.step.updated")
    assert entry.actor == alice and entry.payload["offset"] == 4


def test_a_step_moved_after_an_invoice_reached_it_is_not_performed_again(
    alice: User, bob: User
) -> None:
    """Relance 1 done at J+3, then moved to J+12: the invoice does not get it twice
    (and the run does not trip over the (invoice, step) uniqueness)."""
    invoice = invoice_due(remindable_customer(bob), DUE)
    with time_machine.travel(day(3), tick=False):
        run_day(day(3))
        step = step_named("Relance 1")
        step_save(actor=alice, plan=standard(), step=step, fields=fields_of(step, offset_days=12))
    for n in (4, 13, 15):
        with time_machine.travel(day(n), tick=False):
            run_day(day(n))
    assert performed(invoice.pk) == ["Relance 1", "Appel du commercial"]
    assert InvoiceDunning.objects.get(invoice=invoice).last_offset == 15


def test_a_step_moved_earlier_comes_due_at_its_new_date(alice: User, bob: User) -> None:
    invoice = invoice_due(remindable_customer(bob), DUE, "900.00")
    with time_machine.travel(day(15), tick=False):
        run_day(day(15))  # catch-up: the courtesy call
        notice = step_named("Mise en demeure")
        step_save(
            actor=alice, plan=standard(), step=notice, fields=fields_of(notice, offset_days=20)
        )
    with time_machine.travel(day(20), tick=False):
        report = run_day(day(20))
    assert report.to_review == 1
    assert DunningAction.objects.get(invoice=invoice, step=notice).status == "to_review"


def test_two_steps_cannot_share_an_offset(alice: User) -> None:
    step = step_named("Relance 2")
    with pytest.raises(PlanEditRefused) as refused:
        step_save(actor=alice, plan=standard(), step=step, fields=fields_of(step, offset_days=3))
    assert refused.value.field == "offset_days"
    assert step_named("Relance 2").offset_days == 10


def test_a_new_step_is_performed_by_the_next_run(alice: User, bob: User) -> None:
    invoice = invoice_due(remindable_customer(bob), DUE)
    with time_machine.travel(day(4), tick=False):
        run_day(day(4))
        step_save(
            actor=alice,
            plan=standard(),
            fields=StepFields(name="Relance 1 bis", offset_days=6, action=StepAction.EMAIL),
        )
    with time_machine.travel(day(7), tick=False):  # J+6 falls within the minimum gap
        run_day(day(7))
    assert performed(invoice.pk) == ["Relance 1", "Relance 1 bis"]


def test_a_deleted_step_is_passed_over_and_the_next_one_follows(alice: User, bob: User) -> None:
    invoice = invoice_due(remindable_customer(bob), DUE)
    with time_machine.travel(day(4), tick=False):
        run_day(day(4))
        step_delete(actor=alice, step=step_named("Relance 2"))
    assert InvoiceDunning.objects.get(invoice=invoice).next_action_on == day(4)
    with time_machine.travel(day(5), tick=False):
        run_day(day(5))
    state = InvoiceDunning.objects.get(invoice=invoice)
    assert state.next_step == step_named("Appel du commercial") and state.next_action_on == day(15)
    assert Activity.objects.filter(verb="dunning.step.deleted", actor=alice).exists()


def test_the_default_plan_stays_default_until_another_plan_takes_over(alice: User) -> None:
    with pytest.raises(PlanEditRefused):
        plan_update(
            actor=alice,
            plan=standard(),
            name="Plan standard",
            description="",
            risk_classes="",
            is_default=False,
        )
    soft = plan_create(actor=alice, name="Plan doux")
    plan_update(
        actor=alice, plan=soft, name="Plan doux", description="", risk_classes="", is_default=True
    )
    assert list(DunningPlan.objects.filter(is_default=True)) == [soft]


def test_a_plan_taking_a_risk_class_reschedules_those_customers_only(
    alice: User, bob: User
) -> None:
    # Due on day 6: enrolled on day 1 (J-5), when the preventive reminder goes out.
    risky = invoice_due(remindable_customer(bob, risk_class="d"), day(6))
    safe = invoice_due(remindable_customer(bob, risk_class="A", email="a@x.test"), day(6))
    with time_machine.travel(day(1), tick=False):
        run_day(day(1))
        plan_create(actor=alice, name="Risque", risk_classes="c; D")
    assert DunningPlan.objects.get(name="Risque").risk_classes == "C,D"
    assert InvoiceDunning.objects.get(invoice=risky).next_action_on == day(1)
    assert InvoiceDunning.objects.get(invoice=safe).next_action_on == day(9)  # J+3


def test_assigning_a_plan_to_a_customer_is_recorded_and_applies_at_the_next_run(
    alice: User, bob: User
) -> None:
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, DUE)
    silent = plan_create(actor=alice, name="Silence")
    with time_machine.travel(day(2), tick=False):
        run_day(day(2))
        assert plan_assign_customer(actor=alice, customer=customer, plan=silent)
        assert not plan_assign_customer(actor=alice, customer=customer, plan=silent)
    with time_machine.travel(day(3), tick=False):
        run_day(day(3))
    assert performed(invoice.pk) == []  # the plan without steps says nothing
    entry = Activity.objects.get(verb="dunning.plan.assigned")
    assert entry.customer_id == customer.pk and entry.payload["name"] == "Silence"
    with time_machine.travel(day(4), tick=False):
        plan_assign_customer(actor=alice, customer=customer, plan=None)
        run_day(day(4))
    assert performed(invoice.pk) == ["Relance 1"]


def test_the_customers_of_a_plan_are_those_the_runs_give_it(alice: User, bob: User) -> None:
    risk = plan_create(actor=alice, name="A risque", risk_classes="C")
    also = plan_create(actor=alice, name="B aussi", risk_classes="C,E")
    own = plan_create(actor=alice, name="Perso")
    customers = [
        remindable_customer(bob, risk_class=rc, email=f"{i}@x.test")
        for i, rc in enumerate(["", "A", "C", "c", "E"])
    ]
    CustomerDunning.objects.create(customer=customers[1], plan=own)
    book = plan_book_load()
    for plan in (standard(), risk, also, own):
        members = set(
            Customer.objects.filter(customers_of_plan(book, plan.pk)).values_list("pk", flat=True)
        )
        expected = {
            c.pk
            for c in customers
            if (chosen := book.plan_for(c.pk, c.risk_class)) and chosen.id == plan.pk
        }
        assert members == expected, plan.name
