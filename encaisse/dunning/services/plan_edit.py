"""Editing plans and steps, and assigning a plan to a customer (SPEC §4.1).

After any change that alters what a customer's invoices should do, the open
dunning states of the customers concerned are due again today, so the next
run decides them under the new plan (a state is only read when its
`next_action_on` has come).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields as dataclass_fields

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, SmallIntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from encaisse.accounts.models import User
from encaisse.collab.services import activity_record
from encaisse.dunning.models import (
    CustomerDunning,
    DunningPlan,
    DunningStep,
    InvoiceDunning,
    StateReason,
)
from encaisse.dunning.services.plan_rules import (
    Errors,
    StepFields,
    offset_taken,
    once_per_plan_errors,
    plan_errors,
    step_errors,
    steps_errors,
)
from encaisse.dunning.services.plans import PlanBook, plan_book_load
from encaisse.ledger.models import Customer
from encaisse.lib import clock
from encaisse.lib.changes import assign_changes, changes_payload
from encaisse.lib.errors import ValidationFailed

# States the engine never looks at again: rescheduling them would change nothing
# (settled) or restart what must stay stopped (an escalation hands over to people).
FINAL_REASONS = (StateReason.SETTLED, StateReason.ESCALATED)


class PlanEditRefused(ValidationFailed):
    """The change would break a rule of plans (`plan_rules`); nothing was written."""

    @property
    def field(self) -> str:
        """The first field the refusal is about (older callers show one error)."""
        return next(iter(self.errors), "")


def _refuse_if(errors: Errors) -> None:
    if errors:
        raise PlanEditRefused(errors)


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
    steps: Sequence[StepFields] = (),
) -> DunningPlan:
    """A new plan, with its steps if given. Customers reach it by risk class,
    override, or as the new default."""
    errors = plan_errors(plan=None, name=name, risk_classes=risk_classes, is_default=is_default)
    errors |= steps_errors(steps, known_ids=set())
    _refuse_if(errors)
    try:
        with transaction.atomic():
            if is_default:
                DunningPlan.objects.filter(is_default=True).update(
                    is_default=False, updated_at=clock.now()
                )
            plan = DunningPlan.objects.create(
                name=name.strip(),
                description=description,
                risk_classes=_normalise_classes(risk_classes),
                is_default=is_default,
            )
            for fields in steps:
                _step_write(DunningStep(plan=plan), fields)
    except IntegrityError as error:
        raise PlanEditRefused({"name": [_("Another plan already has this name.")]}) from error
    # Every customer the new plan takes (by risk class, or as the new default)
    # comes from another plan: its states are re-decided.
    _reschedule(_plan_states(plan_book_load(), plan.pk))
    payload = _plan_payload(plan)
    if steps:
        payload["steps"] = _steps_payload(plan)
    activity_record(verb="dunning.plan.created", actor=actor, payload=payload)
    return plan


@transaction.atomic
def plan_update(
    *,
    actor: User,
    plan: DunningPlan,
    name: str | None = None,
    description: str | None = None,
    risk_classes: str | None = None,
    is_default: bool | None = None,
    steps: Sequence[StepFields] | None = None,
) -> DunningPlan:
    """Rename, describe, change the risk classes, make the plan the default, or
    replace its steps (None: unchanged).

    The default plan cannot stop being the default by itself (customers would
    be left without a plan): make another plan the default instead. A list of
    steps replaces the plan's: a step with an `id` is that step changed (moved,
    renamed…), one without is new, and a step not listed is deleted. Moved
    steps keep "a step reached is never repeated" (see `step_save`).
    """
    plan = DunningPlan.objects.select_for_update().get(pk=plan.pk)
    errors = plan_errors(plan=plan, name=name, risk_classes=risk_classes, is_default=is_default)
    if steps is not None:
        known = set(plan.steps.values_list("pk", flat=True))
        errors |= steps_errors(steps, known_ids=known)
    _refuse_if(errors)
    before = plan_book_load()
    values: dict[str, object] = {}
    if name is not None:
        values["name"] = name.strip()
    if description is not None:
        values["description"] = description
    if risk_classes is not None:
        values["risk_classes"] = _normalise_classes(risk_classes)
    if is_default is not None:
        values["is_default"] = is_default
    changes = assign_changes(plan, values)
    # The rule picks the first plan by name for a risk class: a rename may change it.
    rule_changed = bool(
        {"risk_classes", "is_default"} & set(changes) or ("name" in changes and plan.risk_classes)
    )
    old_offsets: dict[int, int] = {}
    steps_changed = False
    try:
        with transaction.atomic():
            if plan.is_default and "is_default" in changes:
                DunningPlan.objects.filter(is_default=True).update(
                    is_default=False, updated_at=clock.now()
                )
            if steps is not None:
                old_offsets, steps_changed = _steps_replace(plan, steps)
            if changes or steps_changed:
                plan.updated_at = clock.now()
                plan.save(update_fields=[*changes, "updated_at"])
    except IntegrityError as error:
        raise PlanEditRefused({"name": [_("Another plan already has this name.")]}) from error
    if not changes and not steps_changed:
        return plan
    if rule_changed or steps_changed:
        after = plan_book_load()
        # Customers who leave this plan and those who join it both change plans.
        states = _plan_states(before, plan.pk) | _plan_states(after, plan.pk)
        if steps_changed:
            new_offsets = dict(plan.steps.values_list("pk", "offset_days"))
            _follow_offsets(_plan_states(after, plan.pk), old_offsets, new_offsets)
        _reschedule(states)
    payload = _plan_payload(plan) | {"changes": changes_payload(changes)}
    if steps_changed:
        payload["steps"] = _steps_payload(plan)
    activity_record(verb="dunning.plan.updated", actor=actor, payload=payload)
    return plan


def _step_write(step: DunningStep, fields: StepFields) -> DunningStep:
    for item in dataclass_fields(fields):
        if item.name != "id":
            setattr(step, item.name, getattr(fields, item.name))
    step.name = fields.name.strip()
    step.updated_at = clock.now()
    step.save()
    return step


# Offsets no real step uses (the rules stop at −365): kept steps wait there while a
# new order is written, so that swapping two offsets never meets the unique constraint.
_PARKING_OFFSET = -30000


def _steps_replace(plan: DunningPlan, steps: Sequence[StepFields]) -> tuple[dict[int, int], bool]:
    """Make the plan's steps `steps`; returns the old offsets by step and whether
    anything changed."""
    current = {step.pk: step for step in plan.steps.all()}
    old_offsets = {pk: step.offset_days for pk, step in current.items()}
    kept = {fields.id for fields in steps if fields.id is not None}
    unchanged = len(steps) == len(current) and all(
        fields.id is not None and _same(current[fields.id], fields) for fields in steps
    )
    if unchanged:
        return old_offsets, False
    DunningStep.objects.filter(plan=plan).exclude(pk__in=kept).delete()
    for index, pk in enumerate(sorted(kept)):
        DunningStep.objects.filter(pk=pk).update(offset_days=_PARKING_OFFSET + index)
    for fields in steps:
        step = current[fields.id] if fields.id is not None else DunningStep(plan=plan)
        _step_write(step, fields)
    return old_offsets, True


def _same(step: DunningStep, fields: StepFields) -> bool:
    values = {item.name: getattr(fields, item.name) for item in dataclass_fields(fields)}
    values["name"] = fields.name.strip()
    del values["id"]
    return all(getattr(step, name) == value for name, value in values.items())


def _steps_payload(plan: DunningPlan) -> list[dict[str, object]]:
    rows = plan.steps.order_by("offset_days").values_list("pk", "name", "offset_days", "action")
    return [
        {"step": pk, "name": name, "offset": offset, "action": action}
        for pk, name, offset, action in rows
    ]


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
        raise PlanEditRefused({"": [_("This step belongs to another plan.")]})
    siblings = [s for s in plan.steps.all() if step is None or s.pk != step.pk]
    errors = step_errors(fields)
    taken = next((s for s in siblings if s.offset_days == fields.offset_days), None)
    if taken is not None:
        errors.setdefault("offset_days", []).append(offset_taken(taken.name))
    once = once_per_plan_errors([s.action for s in siblings] + [fields.action], prefix="action")
    for field, messages in once.items():
        errors.setdefault(field, []).extend(messages)
    _refuse_if(errors)
    old_offsets = dict(plan.steps.values_list("pk", "offset_days"))
    created = step is None
    if step is None:
        step = DunningStep(plan=plan)
    try:
        with transaction.atomic():
            _step_write(step, fields)
    except IntegrityError as error:
        # Another editor took the offset between the check and the save.
        raise PlanEditRefused(
            {"offset_days": [_("Another step of this plan is already at this offset.")]}
        ) from error
    DunningPlan.objects.filter(pk=plan.pk).update(updated_at=clock.now())
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
    DunningPlan.objects.filter(pk=plan.pk).update(updated_at=clock.now())
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
