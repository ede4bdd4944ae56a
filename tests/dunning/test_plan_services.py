"""Plan services shared by the web editor and the API: create with steps, replace and
reorder steps, delete a plan nobody follows; every broken rule listed at once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from encaisse.accounts.models import User
from encaisse.collab.models import Activity
from encaisse.dunning.models import CustomerDunning, DunningPlan, InvoiceDunning, StepAction
from encaisse.dunning.services.plan_edit import (
    PlanEditRefused,
    plan_assign_customer,
    plan_create,
    plan_update,
)
from encaisse.dunning.services.plan_remove import plan_delete
from encaisse.dunning.services.plan_rules import StepFields
from encaisse.lib.errors import Conflict, ValidationFailed
from tests.conftest import make_customer
from tests.dunning.conftest import invoice_due, remindable_customer, run_day

pytestmark = pytest.mark.django_db


def email(offset: int, name: str = "", **fields: object) -> StepFields:
    return StepFields(name=name or f"J{offset:+d}", offset_days=offset, action="email", **fields)  # type: ignore[arg-type]


def test_a_plan_is_created_with_its_steps(alice: User) -> None:
    plan = plan_create(
        actor=alice,
        name="Plan court",
        risk_classes="d",
        steps=[email(5, template_code="reminder_1"), email(-3, template_code="preventive")],
    )
    assert list(plan.steps.order_by("offset_days").values_list("offset_days", flat=True)) == [-3, 5]
    entry = Activity.objects.get(verb="dunning.plan.created")
    assert [step["offset"] for step in entry.payload["steps"]] == [-3, 5]


def test_every_broken_rule_is_listed_with_the_step_it_is_about(alice: User) -> None:
    with pytest.raises(ValidationFailed) as failed:
        plan_create(
            actor=alice,
            name="Plan standard",  # taken by the default plan
            risk_classes="C1",
            steps=[
                email(3),
                email(3, "Doublon"),
                StepFields(name=" ", offset_days=4000, action="fax", template_code="nope"),
                StepFields(name="MED", offset_days=30, action=StepAction.FORMAL_NOTICE),
                StepFields(name="MED 2", offset_days=40, action=StepAction.FORMAL_NOTICE),
                email(50, sender="finance_user"),
                email(60, min_balance=Decimal("-1")),
            ],
        )
    assert set(failed.value.errors) == {
        "name", "risk_classes", "steps.1.offset_days", "steps.2.name", "steps.2.offset_days",
        "steps.2.action", "steps.2.template_code", "steps", "steps.5.sender_user",
        "steps.6.min_balance",
    }  # fmt: skip
    assert "J+3" in failed.value.errors["steps.1.offset_days"][0]
    assert not DunningPlan.objects.filter(risk_classes="C1").exists()


def test_steps_are_replaced_and_reordered_keeping_their_identity(alice: User) -> None:
    plan = plan_create(actor=alice, name="Plan court", steps=[email(3, "A"), email(10, "B")])
    a, b = plan.steps.order_by("offset_days")
    # Swap the two offsets (the unique constraint never sees both at 10), drop none, add one.
    plan_update(
        actor=alice,
        plan=plan,
        steps=[
            email(10, "A", id=a.pk),
            email(3, "B", id=b.pk),
            email(20, "C"),
        ],
    )
    rows = list(plan.steps.order_by("offset_days").values_list("pk", "name", "offset_days"))
    assert rows[:2] == [(b.pk, "B", 3), (a.pk, "A", 10)]
    assert rows[2][1:] == ("C", 20)
    plan_update(actor=alice, plan=plan, steps=[email(10, "A", id=a.pk)])
    assert list(plan.steps.values_list("pk", flat=True)) == [a.pk]


def test_a_step_of_another_plan_cannot_be_taken_over(alice: User) -> None:
    plan = plan_create(actor=alice, name="Plan court", steps=[email(3)])
    other = DunningPlan.objects.get(is_default=True).steps.first()
    assert other is not None
    with pytest.raises(ValidationFailed) as failed:
        plan_update(actor=alice, plan=plan, steps=[email(3, id=other.pk)])
    assert list(failed.value.errors) == ["steps.0.id"]


def test_only_changed_fields_are_written_and_recorded(alice: User) -> None:
    plan = plan_create(actor=alice, name="Plan court", description="x")
    before = plan.updated_at
    with time_machine.travel(dt.datetime(2030, 1, 1, tzinfo=dt.UTC)):
        plan_update(actor=alice, plan=plan, name="Plan court", description="x")
        assert not Activity.objects.filter(verb="dunning.plan.updated").exists()
        plan_update(actor=alice, plan=plan, description="Pour les petits montants")
    plan.refresh_from_db()
    assert plan.updated_at > before
    entry = Activity.objects.get(verb="dunning.plan.updated")
    assert entry.payload["changes"] == {
        "description": {"from": "x", "to": "Pour les petits montants"}
    }


def test_the_default_plan_stays_default_until_another_takes_over(alice: User) -> None:
    with pytest.raises(PlanEditRefused) as refused:
        plan_update(actor=alice, plan=DunningPlan.objects.get(is_default=True), is_default=False)
    assert refused.value.field == "is_default"


def test_a_plan_nobody_follows_is_deleted(alice: User) -> None:
    plan = plan_create(actor=alice, name="Plan court", steps=[email(3)])
    plan_delete(actor=alice, plan=plan)
    assert not DunningPlan.objects.filter(name="Plan court").exists()
    assert Activity.objects.get(verb="dunning.plan.deleted").payload["steps"] == 1


def test_the_default_plan_cannot_be_deleted(alice: User) -> None:
    with pytest.raises(Conflict):
        plan_delete(actor=alice, plan=DunningPlan.objects.get(is_default=True))


def test_a_plan_given_to_a_customer_cannot_be_deleted(alice: User, bob: User) -> None:
    plan = plan_create(actor=alice, name="Plan court")
    plan_assign_customer(actor=alice, customer=make_customer(bob), plan=plan)
    with pytest.raises(Conflict) as conflict:
        plan_delete(actor=alice, plan=plan)
    assert "1" in conflict.value.message
    assert CustomerDunning.objects.filter(plan=plan).exists()


def test_a_plan_whose_risk_class_has_invoices_cannot_be_deleted(alice: User, bob: User) -> None:
    plan = plan_create(actor=alice, name="Plan risque", risk_classes="D")
    invoice_due(make_customer(bob, risk_class="D"), dt.date(2026, 3, 2))
    with pytest.raises(Conflict):
        plan_delete(actor=alice, plan=plan)


def test_a_plan_whose_steps_invoices_reached_cannot_be_deleted(alice: User, bob: User) -> None:
    plan = plan_create(actor=alice, name="Plan court", steps=[email(3, template_code="reminder_1")])
    customer = remindable_customer(bob)
    invoice = invoice_due(customer, dt.date(2026, 3, 2))
    plan_assign_customer(actor=alice, customer=customer, plan=plan)
    with time_machine.travel(dt.date(2026, 3, 6), tick=False):
        run_day(dt.date(2026, 3, 6))
    assert InvoiceDunning.objects.get(invoice=invoice).last_step is not None
    plan_assign_customer(actor=alice, customer=customer, plan=None)
    with pytest.raises(Conflict):
        plan_delete(actor=alice, plan=plan)
