"""Proposing, deciding and cancelling instalment plans (SPEC §6, docs/payment-plans.md).

A plan proposed by an account manager or by the customer waits for finance;
finance may activate its own at once. Activation places one hold (reason
instalment_plan) per covered invoice, so the dunning plan leaves them alone
while the schedule runs; every way out of `active` releases them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from encaisse.accounts.models import User, stored_actor
from encaisse.collab.services import activity_record
from encaisse.dunning.models import DunningSettings, HoldReason
from encaisse.dunning.services.holds import hold_place, hold_release
from encaisse.ledger.models import Customer, Invoice
from encaisse.lib import clock
from encaisse.lib.errors import Conflict, Message, ValidationFailed
from encaisse.lib.instalments import STEPS, Line, schedule
from encaisse.resolution.models.payment_plans import (
    LIVE_STATUSES,
    Instalment,
    PaymentPlan,
    PlanInvoice,
    PlanSource,
    PlanStatus,
)
from encaisse.webhooks.emit import event_emit

MAX_INSTALMENTS = 60
MAX_GRACE_DAYS = 60
# How far ahead a schedule may start: 60 quarterly instalments from there stay
# far inside the calendar (no date overflow), and no real plan starts later.
MAX_HORIZON = dt.timedelta(days=5 * 366)
COMMENT_MAX = 2000


def can_decide(user: User | None) -> bool:
    """Finance and admins approve, refuse and cancel plans."""
    return user is not None and user.can_edit_ledger


def plan_schedule_check(
    *,
    customer: Customer,
    invoices: Sequence[Invoice],
    instalment_count: int | None,
    frequency: str,
    first_due_on: dt.date | None,
    total: Decimal | None = None,
    deposit: Decimal | None = None,
    deposit_due_on: dt.date | None = None,
    grace_days: int | None = None,
    exclude_plan: PaymentPlan | None = None,
) -> tuple[Decimal, list[Line]]:
    """Validate a proposal and compute its schedule, writing nothing.

    Returns the plan total and its lines; raises ValidationFailed with every
    field's errors. The web preview calls it on each keystroke.
    """
    today = clock.today()
    errors: dict[str, list[Message]] = {}
    invoices = list(invoices)
    if not invoices:
        errors["invoices"] = [_("Choose at least one open invoice.")]
    if any(invoice.customer_id != customer.pk for invoice in invoices):
        errors["invoices"] = [_("These invoices belong to another customer.")]
    elif any(not invoice.is_open for invoice in invoices):
        errors["invoices"] = [_("Only open invoices with a balance can be in a plan.")]
    elif len({invoice.currency for invoice in invoices}) > 1:
        errors["invoices"] = [_("The invoices of one plan share one currency.")]
    elif invoices:
        taken = PlanInvoice.objects.filter(
            invoice__in=invoices, live=True, plan__status__in=LIVE_STATUSES
        )
        if exclude_plan is not None:
            taken = taken.exclude(plan=exclude_plan)
        numbers = sorted(taken.values_list("invoice__number", flat=True))
        if numbers:
            errors["invoices"] = [
                _("Already in a proposed or active plan: %(numbers)s.")
                % {"numbers": ", ".join(numbers)}
            ]
    balance = sum((invoice.balance for invoice in invoices), Decimal("0"))
    if instalment_count is None or not 1 <= instalment_count <= MAX_INSTALMENTS:
        errors["instalment_count"] = [
            _("Between 1 and %(max)d instalments.") % {"max": MAX_INSTALMENTS}
        ]
    if frequency not in STEPS:
        errors["frequency"] = [_("Choose a frequency.")]
    if first_due_on is None:
        errors["first_due_on"] = [_("Give the date of the first instalment.")]
    elif first_due_on < today:
        errors["first_due_on"] = [_("The first instalment cannot be in the past.")]
    elif first_due_on > today + MAX_HORIZON:
        errors["first_due_on"] = [_("The first instalment is at most 5 years ahead.")]
    plan_total = balance if total is None else total
    if total is not None and total <= 0:
        errors["total"] = [_("The amount must be positive.")]
    elif total is not None and invoices and total > balance:
        errors["total"] = [
            _("The amount is above the open balance of the invoices (%(balance)s).")
            % {"balance": balance}
        ]
    elif total is not None and total != total.quantize(Decimal("0.01")):
        errors["total"] = [_("At most two decimals.")]
    deposit = deposit or Decimal("0")
    if deposit < 0:
        errors["deposit"] = [_("The deposit cannot be negative.")]
    elif deposit > 0 and deposit >= plan_total:
        errors["deposit"] = [_("The deposit must be less than the plan's amount.")]
    elif deposit != deposit.quantize(Decimal("0.01")):
        errors["deposit"] = [_("At most two decimals.")]
    if deposit > 0 and deposit_due_on is not None:
        if deposit_due_on < today:
            errors["deposit_due_on"] = [_("The deposit cannot be due in the past.")]
        elif deposit_due_on > today + MAX_HORIZON:
            errors["deposit_due_on"] = [_("The deposit is due at most 5 years ahead.")]
        elif first_due_on is not None and deposit_due_on > first_due_on:
            errors["deposit_due_on"] = [_("The deposit is due on or before the first instalment.")]
    if grace_days is not None and not 0 <= grace_days <= MAX_GRACE_DAYS:
        errors["grace_days"] = [_("Between 0 and %(max)d days.") % {"max": MAX_GRACE_DAYS}]
    if errors:
        raise ValidationFailed(errors)
    assert instalment_count is not None and first_due_on is not None
    currency = invoices[0].currency
    lines = schedule(
        total=plan_total,
        count=instalment_count,
        frequency=frequency,
        first=first_due_on,
        deposit=deposit,
        deposit_on=deposit_due_on or (today if deposit > 0 else None),
        currency=currency,
    )
    return plan_total, lines


def _source_of(actor: User | None) -> str:
    if actor is None:
        return PlanSource.PORTAL
    return PlanSource.FINANCE if can_decide(actor) else PlanSource.SALES


@transaction.atomic
def plan_propose(
    *,
    actor: User | None,
    customer: Customer,
    invoices: Sequence[Invoice],
    instalment_count: int,
    frequency: str,
    first_due_on: dt.date,
    total: Decimal | None = None,
    deposit: Decimal | None = None,
    deposit_due_on: dt.date | None = None,
    waive_penalties: bool = False,
    grace_days: int | None = None,
    note: str = "",
    source: str | None = None,
    activate: bool = False,
) -> PaymentPlan:
    """Propose a plan over some of a customer's invoices (nothing written on error).

    `actor` None is the customer in the portal. `activate` is honoured for
    finance only: anyone else's plan waits for finance's approval.
    """
    # Lock the invoices: a concurrent proposal over the same invoices waits
    # here, then fails on the live-plan check (or the partial unique index).
    invoices = list(
        Invoice.objects.select_for_update().filter(pk__in=[i.pk for i in invoices]).order_by("pk")
    )
    plan_total, lines = plan_schedule_check(
        customer=customer,
        invoices=invoices,
        instalment_count=instalment_count,
        frequency=frequency,
        first_due_on=first_due_on,
        total=total,
        deposit=deposit,
        deposit_due_on=deposit_due_on,
        grace_days=grace_days,
    )
    if len(note) > COMMENT_MAX:
        raise ValidationFailed.single(
            "note", _("At most %(max)d characters.") % {"max": COMMENT_MAX}
        )
    deposit_line = next((line for line in lines if line.is_deposit), None)
    plan = PaymentPlan.objects.create(
        customer=customer,
        currency=invoices[0].currency,
        total=plan_total,
        deposit=deposit_line.amount if deposit_line else Decimal("0"),
        deposit_due_on=deposit_line.due_on if deposit_line else None,
        instalment_count=instalment_count,
        frequency=frequency,
        first_due_on=first_due_on,
        waive_penalties=waive_penalties,
        grace_days=(
            grace_days if grace_days is not None else DunningSettings.current().promise_grace_days
        ),
        source=source or _source_of(actor),
        note=note,
        proposed_by=stored_actor(actor),
    )
    try:
        with transaction.atomic():
            PlanInvoice.objects.bulk_create(
                PlanInvoice(plan=plan, invoice=invoice, balance_at_start=invoice.balance)
                for invoice in invoices
            )
    except IntegrityError:
        raise ValidationFailed.single(
            "invoices", _("One of these invoices is already in a proposed or active plan.")
        ) from None
    Instalment.objects.bulk_create(
        Instalment(
            plan=plan,
            sequence=line.sequence,
            is_deposit=line.is_deposit,
            due_on=line.due_on,
            amount=line.amount,
        )
        for line in lines
    )
    _record(actor, plan, "proposed", invoices=[i.pk for i in invoices], total=str(plan_total))
    event_emit(type="payment_plan.proposed", obj=plan)
    if activate and can_decide(actor):
        _activate(actor, plan, comment="")
    plan.refresh_from_db()
    return plan


@transaction.atomic
def plan_approve(*, actor: User, plan: PaymentPlan, comment: str = "") -> PaymentPlan:
    """Finance accepts a proposed plan: it becomes active and holds its invoices."""
    _check_comment(comment)
    _activate(actor, plan, comment=comment)
    plan.refresh_from_db()
    return plan


@transaction.atomic
def plan_refuse(*, actor: User, plan: PaymentPlan, comment: str) -> PaymentPlan:
    """Finance refuses a proposed plan, saying why; dunning never stopped."""
    comment = comment.strip()
    if not comment:
        raise ValidationFailed.single("comment", _("Say why the plan is refused."))
    _check_comment(comment)
    now = clock.now()
    changed = PaymentPlan.objects.filter(pk=plan.pk, status=PlanStatus.PROPOSED).update(
        status=PlanStatus.REFUSED,
        approved_by=actor,
        decision_comment=comment,
        decided_at=now,
        ended_on=clock.today(),
        updated_at=now,
    )
    if not changed:
        raise Conflict(_("Only a proposed plan can be refused."))
    PlanInvoice.objects.filter(plan=plan).update(live=False)
    _record(actor, plan, "refused", comment=comment)
    plan.refresh_from_db()
    event_emit(type="payment_plan.refused", obj=plan)
    return plan


@transaction.atomic
def plan_cancel(*, actor: User, plan: PaymentPlan, comment: str = "") -> PaymentPlan:
    """End a proposed or active plan; its holds are released, dunning resumes."""
    _check_comment(comment)
    now = clock.now()
    changed = PaymentPlan.objects.filter(pk=plan.pk, status__in=LIVE_STATUSES).update(
        status=PlanStatus.CANCELLED,
        decision_comment=comment.strip() or plan.decision_comment,
        ended_on=clock.today(),
        updated_at=now,
    )
    if not changed:
        raise Conflict(_("Only a proposed or active plan can be cancelled."))
    plan_holds_release(actor=actor, plan=plan)
    _record(actor, plan, "cancelled", comment=comment.strip())
    plan.refresh_from_db()
    event_emit(type="payment_plan.cancelled", obj=plan)
    return plan


def _activate(actor: User | None, plan: PaymentPlan, *, comment: str) -> None:
    """proposed → active (conditional UPDATE), then one hold per covered invoice.

    The balances at start are read again: payments made while the proposal
    waited are not counted as instalments.
    """
    now = clock.now()
    changed = PaymentPlan.objects.filter(pk=plan.pk, status=PlanStatus.PROPOSED).update(
        status=PlanStatus.ACTIVE,
        approved_by=stored_actor(actor),
        decision_comment=comment.strip(),
        decided_at=now,
        activated_at=now,
        updated_at=now,
    )
    if not changed:
        raise Conflict(_("Only a proposed plan can be approved."))
    label = str(_("Instalment plan %(id)s") % {"id": plan.short_id})
    for link in PlanInvoice.objects.filter(plan=plan).select_related("invoice"):
        hold = hold_place(
            actor=actor,
            customer=plan.customer,
            invoice=link.invoice,
            reason=HoldReason.INSTALMENT_PLAN,
            note=label,
        )
        link.hold = hold
        link.balance_at_start = link.invoice.balance
        link.save(update_fields=["hold", "balance_at_start"])
    _record(actor, plan, "activated", comment=comment.strip())
    plan.refresh_from_db()
    event_emit(type="payment_plan.activated", obj=plan)


def plan_holds_release(*, actor: User | None, plan: PaymentPlan) -> None:
    """Release the plan's holds still in force, and free its invoices for another plan."""
    for link in PlanInvoice.objects.filter(
        plan=plan, hold__isnull=False, hold__released_on__isnull=True
    ).select_related("hold"):
        assert link.hold is not None
        with contextlib.suppress(Conflict):  # released by hand meanwhile: nothing to do
            hold_release(actor=actor, hold=link.hold)
    PlanInvoice.objects.filter(plan=plan).update(live=False)


def _check_comment(comment: str) -> None:
    if len(comment) > COMMENT_MAX:
        raise ValidationFailed.single(
            "comment", _("At most %(max)d characters.") % {"max": COMMENT_MAX}
        )


def _record(actor: User | None, plan: PaymentPlan, verb: str, **extra: object) -> None:
    activity_record(
        verb=f"resolution.payment_plan.{verb}",
        actor=actor,
        customer_id=plan.customer_id,
        payload={
            "plan": str(plan.public_id),
            "plan_id": plan.pk,
            "currency": plan.currency,
            # The portal's requests read "The customer" in the timeline.
            **({"by": "customer"} if plan.source == PlanSource.PORTAL and actor is None else {}),
            **extra,
        },
    )


def plan_total_open(plan: PaymentPlan) -> Decimal:
    """What the covered invoices still owe today."""
    return plan.invoices.aggregate(total=Sum("balance"))["total"] or Decimal("0")
