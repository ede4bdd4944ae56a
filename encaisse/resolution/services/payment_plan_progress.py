"""Following an active plan: instalments paid, missed, the plan completed or in default.

1. What the customer paid under the plan is how much the covered invoices'
   open balances went down since activation (payments and credit notes
   allocated to them, net of reversals), capped at the plan's total.
2. That amount pays the instalments in order, oldest first; a part of one
   counts as partially paid.
3. Every instalment paid: the plan is completed and its holds released.
4. Otherwise, an instalment not fully paid once its date plus the grace days
   has passed is missed: the plan goes into default (once, by a conditional
   UPDATE), its holds are released so dunning resumes on what is left, and
   finance and the account manager get a task.

Runs when a customer's cash moves (ledger.hooks → tasks_payment_plans) and
daily (`payment_plans_check`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import override

from encaisse.collab.models import TaskKind
from encaisse.collab.services import activity_record, task_create
from encaisse.ledger.models import Company
from encaisse.lib import clock
from encaisse.lib.instalments import allocate
from encaisse.lib.money import format_money
from encaisse.resolution.models.payment_plans import (
    Instalment,
    InstalmentStatus,
    PaymentPlan,
    PlanInvoice,
    PlanStatus,
)
from encaisse.resolution.services.payment_plans import plan_holds_release
from encaisse.webhooks.emit import event_emit


def plan_collected(plan: PaymentPlan) -> Decimal:
    """What the covered invoices' balances went down by since the plan started."""
    links = PlanInvoice.objects.filter(plan=plan)
    start = links.aggregate(total=Sum("balance_at_start"))["total"] or Decimal("0")
    now = links.aggregate(total=Sum("invoice__balance"))["total"] or Decimal("0")
    return min(max(start - now, Decimal("0")), plan.total)


def _status(instalment: Instalment, paid: Decimal, today: dt.date, grace: int) -> str:
    if paid >= instalment.amount:
        return InstalmentStatus.PAID
    if today > instalment.due_on + dt.timedelta(days=grace):
        return InstalmentStatus.MISSED
    return InstalmentStatus.PARTIALLY_PAID if paid > 0 else InstalmentStatus.PENDING


@transaction.atomic
def plan_progress(*, plan: PaymentPlan, on: dt.date | None = None) -> PaymentPlan:
    """Bring an active plan up to date (see the module's docstring); others untouched."""
    today = on or clock.today()
    locked = PaymentPlan.objects.select_for_update().filter(pk=plan.pk).first()
    if locked is None or locked.status != PlanStatus.ACTIVE:
        return locked or plan
    plan = locked
    instalments = list(plan.instalments.order_by("sequence"))
    paid = allocate(plan_collected(plan), [i.amount for i in instalments])
    newly_paid: list[Instalment] = []
    newly_missed: list[Instalment] = []
    for instalment, amount in zip(instalments, paid, strict=True):
        status = _status(instalment, amount, today, plan.grace_days)
        if status == instalment.status and amount == instalment.paid_amount:
            continue
        if status == InstalmentStatus.PAID and instalment.status != InstalmentStatus.PAID:
            newly_paid.append(instalment)
        if status == InstalmentStatus.MISSED and instalment.status != InstalmentStatus.MISSED:
            newly_missed.append(instalment)
        instalment.paid_amount = amount
        instalment.paid_on = (
            (instalment.paid_on or today) if status == InstalmentStatus.PAID else None
        )
        instalment.status = status
        instalment.save(update_fields=["paid_amount", "paid_on", "status"])
    for instalment in newly_paid:
        _record(
            plan, "instalment_paid", instalment=instalment.sequence, amount=str(instalment.amount)
        )
        event_emit(type="instalment.paid", obj=instalment, key=f"instalment.paid:{instalment.pk}")
    for instalment in newly_missed:
        _record(
            plan, "instalment_missed", instalment=instalment.sequence, due=str(instalment.due_on)
        )
        event_emit(
            type="instalment.missed", obj=instalment, key=f"instalment.missed:{instalment.pk}"
        )
    if all(i.status == InstalmentStatus.PAID for i in instalments):
        _end(plan, PlanStatus.COMPLETED, today)
    elif any(i.status == InstalmentStatus.MISSED for i in instalments) and _end(
        plan, PlanStatus.DEFAULTED, today
    ):
        _default_tasks(plan, today)
    PaymentPlan.objects.filter(pk=plan.pk).update(updated_at=clock.now())
    plan.refresh_from_db()
    return plan


def _end(plan: PaymentPlan, status: str, today: dt.date) -> bool:
    """active → completed or defaulted, exactly once; releases the holds."""
    changed = PaymentPlan.objects.filter(pk=plan.pk, status=PlanStatus.ACTIVE).update(
        status=status, ended_on=today, updated_at=clock.now()
    )
    if not changed:
        return False
    plan_holds_release(actor=None, plan=plan)
    plan.refresh_from_db()
    verb = "completed" if status == PlanStatus.COMPLETED else "defaulted"
    _record(plan, verb)
    event_emit(type=f"payment_plan.{verb}", obj=plan)
    return True


def _default_tasks(plan: PaymentPlan, today: dt.date) -> None:
    """Finance and the account manager each get a task to call the customer."""
    customer = plan.customer
    company = Company.current()
    left = PlanInvoice.objects.filter(plan=plan).aggregate(total=Sum("invoice__balance"))[
        "total"
    ] or Decimal("0")
    with override(company.language):
        title = _("Instalment plan of %(customer)s in default: %(amount)s left to pay") % {
            "customer": customer.name,
            "amount": format_money(left, plan.currency, company.language),
        }
        details = _(
            "An instalment was not paid by its date plus the grace days. The plan's holds are "
            "released: dunning resumes on the remaining balance."
        )
    invoice_ids = list(PlanInvoice.objects.filter(plan=plan).values_list("invoice_id", flat=True))
    task_create(
        actor=None,
        kind=TaskKind.CALL_FORMAL,
        title=title,
        details=details,
        due_on=today,
        customer_id=customer.pk,
        invoice_ids=invoice_ids,
        source_key=f"plan-default:{plan.pk}:finance",
    )
    if customer.account_manager_id is not None:
        task_create(
            actor=None,
            kind=TaskKind.CALL_CORDIAL,
            title=title,
            details=details,
            due_on=today,
            customer_id=customer.pk,
            assignee=customer.account_manager,
            invoice_ids=invoice_ids,
            source_key=f"plan-default:{plan.pk}:rep",
        )


def _record(plan: PaymentPlan, verb: str, **extra: object) -> None:
    activity_record(
        verb=f"resolution.payment_plan.{verb}",
        actor=None,
        customer_id=plan.customer_id,
        payload={
            "plan": str(plan.public_id),
            "plan_id": plan.pk,
            "currency": plan.currency,
            **extra,
        },
    )


def payment_plans_check(
    *, on: dt.date | None = None, customer_ids: Iterable[int] | None = None
) -> int:
    """Bring every active plan (or those of some customers) up to date; returns how many."""
    plans = PaymentPlan.objects.filter(status=PlanStatus.ACTIVE)
    if customer_ids is not None:
        plans = plans.filter(customer_id__in=list(customer_ids))
    count = 0
    for plan in plans.order_by("pk").iterator():
        plan_progress(plan=plan, on=on)
        count += 1
    return count
