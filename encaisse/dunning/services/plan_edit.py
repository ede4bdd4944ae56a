"""Editing plans and steps, and assigning a plan to a customer (SPEC §4.1).

After any change that alters what a customer's invoices should do, the open
dunning states of the customers concerned are due again today, so the next
run decides them under the new plan (a state is only read when its
`next_action_on` has come).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, SmallIntegerField, Value, When

from encaisse.accounts.models import User
from encaisse.collab.services import activity_record
from encaisse.dunning.models import (
    CustomerDunning,
    DunningPlan,
    DunningStep,
    InvoiceDunning,
    StateReason,
)
from encaisse.dunning.services.plans import PlanBook, plan_book_load
from encaisse.ledger.models import Customer
from encaisse.lib import clock

# States the engine never looks at again: rescheduling them would change nothing
# (settled) or restart what must stay stopped (an escalation hands over to people).
FINAL_REASONS = (StateReason.SETTLED, StateReason.ESCALATED)


class PlanEditRefused(ValueError):
    """The change would break a rule; `field` names the form field it is about."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class StepFields:
    name: str
    offset_days: int
    action: str
    template_code: str = ""
    mode: str = "automatic"
    min_balance: Decimal = Decimal("0.00")
    sender: str = "company"
    sender_user: User | None = None
    assignee: str = "account_manager"
    registered_mail: bool = False


def customers_of_plan(book: PlanBook, plan_id: int, prefix: str = "") -> Q:
    """A filter on customers (through `prefix`, e.g. "invoice__customer__") whose plan
    is `plan_id` under `book`'s rule: override, else risk class, else default."""
    p = prefix
    overridden = Q(**{f"{p}dunning__plan": plan_id})
    no_override = Q(**{f"{p}dunning__plan__isnull": True})
    mine = [rc for rc, pid in book.by_risk_class.items() if pid == plan_id]
    claimed = list(book.by_risk_class)
    condition = overridden
    if mine:
        condition |= no_override & Q(**{f"{p}risk_class__in": _both_cases(mine)})
    if book.default_id == plan_id:
        condition |= no_override & ~Q(**{f"{p}risk_class__in": _both_cases(claimed)})
    return condition


def _both_cases(classes: list[str]) -> list[str]:
    # The rule compares upper-cased classes; the column may hold either case.
    return sorted({c.upper() for c in classes} | {c.lower() for c in classes})


def _reschedule(condition: Q) -> int:
    """Make the open states matching `condition` due today (those due already stay)."""
    today = clock.today()
    return (
        InvoiceDunning.objects.filter(condition)
        .exclude(reason__in=FINAL_REASONS)
        .exclude(next_action_on__lte=today)
        .update(next_action_on=today)
    )


def _plan_states(book: PlanBook, plan_id: int) -> Q:
    return customers_of_plan(book, plan_id, "invoice__customer__")


@transaction.atomic
def plan_create(
    *,
    actor: User,
    name: str,
    description: str = "",
    risk_classes: str = "",
    is_default: bool = False,
) -> DunningPlan:
    """A new plan (without steps yet). Customers reach it by risk class or override."""
    try:
        with transaction.atomic():
            if is_default:
                DunningPlan.objects.filter(is_default=True).update(is_default=False)
            plan = DunningPlan.objects.create(
                name=name.strip(),
                description=description,
                risk_classes=_normalise_classes(risk_classes),
                is_default=is_default,
            )
    except IntegrityError as error:
        raise PlanEditRefused("name", "a plan with this name exists") from error
    # Every customer the new plan takes (by risk class, or as the new default)
    # comes from another plan: its states are re-decided.
    _reschedule(_plan_states(plan_book_load(), plan.pk))
    activity_record(verb="dunning.plan.created", actor=actor, payload=_plan_payload(plan))
    return plan


@transaction.atomic
def plan_update(
    *,
    actor: User,
    plan: DunningPlan,
    name: str,
    description: str,
    risk_classes: str,
    is_default: bool,
) -> DunningPlan:
    """Rename, describe, change the risk classes or make the plan the default.

    The default plan cannot stop being the default by itself (customers would
    be left without a plan): make another plan the default instead.
    """
    if plan.is_default and not is_default:
        raise PlanEditRefused("is_default", "make another plan the default instead")
    before = plan_book_load()
    classes = _normalise_classes(risk_classes)
    # The rule picks the first plan by name for a risk class: a rename may change it.
    rule_changed = (
        classes != plan.risk_classes
        or is_default != plan.is_default
        or (bool(classes) and name.strip() != plan.name)
    )
    try:
        with transaction.atomic():
            if is_default and not plan.is_default:
                DunningPlan.objects.filter(is_default=True).update(is_default=False)
            plan.name = name.strip()
            plan.description = description
            plan.risk_classes = classes
            plan.is_default = is_default
            plan.save(update_fields=["name", "description", "risk_classes", "is_default"])
    except IntegrityError as error:
        raise PlanEditRefused("name", "a plan with this name exists") from error
    if rule_changed:
        after = plan_book_load()
        # Customers who leave this plan and those who join it both change plans.
        _reschedule(_plan_states(before, plan.pk) | _plan_states(after, plan.pk))
    activity_record(verb="dunning.plan.updated", actor=actor, payload=_plan_payload(plan))
    return plan


def _normalise_classes(raw: str) -> str:
    parts = [part.strip().upper() for part in raw.replace(";", ",").split(",")]
    return ",".join(dict.fromkeys(part for part in parts if part))


def _plan_payload(plan: DunningPlan) -> dict[str, object]:
    return {
        "plan": plan.pk,
        "name": plan.name,
        "risk_classes": plan.risk_classes,
        "default": plan.is_default,
    }


@transaction.atomic
def step_save(
    *, actor: User, plan: DunningPlan, fields: StepFields, step: DunningStep | None = None
) -> DunningStep:
    """Create a step, or change one; its plan's customers are decided again.

    Moving a step keeps the rule "a step reached is never repeated": each
    invoice's last reached offset follows the steps it covered to their new
    offsets (like a catch-up, an invoice does not go back to a step now
    placed before one it has already reached).
    """
    if step is not None and step.plan_id != plan.pk:
        raise ValueError("the step belongs to another plan")
    old_offsets = dict(plan.steps.values_list("pk", "offset_days"))
    created = step is None
    if step is None:
        step = DunningStep(plan=plan)
    for item in dataclass_fields(fields):
        setattr(step, item.name, getattr(fields, item.name))
    step.name = fields.name.strip()
    try:
        with transaction.atomic():
            step.save()
    except IntegrityError as error:
        raise PlanEditRefused("offset_days", "another step has this offset") from error
    book = plan_book_load()
    states = _plan_states(book, plan.pk)
    if not created and old_offsets.get(step.pk) != step.offset_days:
        new_offsets = dict(plan.steps.values_list("pk", "offset_days"))
        _follow_offsets(states, old_offsets, new_offsets)
    _reschedule(states)
    activity_record(
        verb="dunning.step.created" if created else "dunning.step.updated",
        actor=actor,
        payload={
            "plan": plan.pk,
            "plan_name": plan.name,
            "step": step.pk,
            "name": step.name,
            "offset": step.offset_days,
            "action": step.action,
            "mode": step.mode,
        },
    )
    return step


def _follow_offsets(states: Q, old: dict[int, int], new: dict[int, int]) -> None:
    """last_offset ← the largest new offset of the steps it covered (old offset ≤ it).

    One UPDATE for every distinct last offset in use (a handful: one per step),
    with a CASE so that a remapped value is never remapped again.
    """
    open_states = InvoiceDunning.objects.filter(states).exclude(reason__in=FINAL_REASONS)
    used = open_states.filter(last_offset__isnull=False).values_list("last_offset", flat=True)
    remap: dict[int, int] = {}
    for last in set(used.distinct().order_by()):
        if last is None:
            continue
        covered = [new[pk] for pk, offset in old.items() if offset <= last and pk in new]
        target = max(covered) if covered else last
        if target != last:
            remap[last] = target
    if remap:
        open_states.filter(last_offset__in=list(remap)).update(
            last_offset=Case(
                *(When(last_offset=last, then=Value(target)) for last, target in remap.items()),
                default=F("last_offset"),
                output_field=SmallIntegerField(),
            )
        )


@transaction.atomic
def step_delete(*, actor: User, step: DunningStep) -> None:
    """Remove a step; invoices waiting for it go on to the following one."""
    plan = step.plan
    payload = {"plan": plan.pk, "plan_name": plan.name, "name": step.name}
    payload["offset"] = step.offset_days
    step.delete()
    _reschedule(_plan_states(plan_book_load(), plan.pk))
    activity_record(verb="dunning.step.deleted", actor=actor, payload=payload)


@transaction.atomic
def plan_assign_customer(*, actor: User, customer: Customer, plan: DunningPlan | None) -> bool:
    """Give `customer` its own plan (None: back to the rule). False when nothing changed."""
    current = CustomerDunning.objects.select_for_update().filter(customer=customer).first()
    if (current.plan_id if current else None) == (plan.pk if plan else None):
        return False
    CustomerDunning.objects.update_or_create(customer=customer, defaults={"plan": plan})
    _reschedule(Q(invoice__customer=customer))
    activity_record(
        verb="dunning.plan.assigned",
        actor=actor,
        customer_id=customer.pk,
        payload={"plan": plan.pk if plan else None, "name": plan.name if plan else None},
    )
    return True
