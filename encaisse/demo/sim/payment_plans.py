"""Instalment plans in the simulation: a few struggling customers get one, pay it or not.

Each simulated day, after the ledger feed:

1. Until the demo has its plans (PLANS, one per frequency), a late customer of
   a slow, chronically late or defaulting behaviour asks its rep for one; the
   rep proposes it and finance approves it the same day, except the 4th one,
   left proposed for finance's approvals queue. The ledger feed leaves the
   invoices of a live plan to the plan (`sim.ledger.collect`).
2. On each instalment's date the customer pays it (by transfer, matched to the
   plan's invoices, oldest first), except a defaulter, who never pays: its
   plan goes into default once the first instalment's grace days are over.
3. The plans are brought up to date (`payment_plans_check`) and the day's
   instalment reminders queued, as the daily job does.

With 60 days of history the weekly plan completes, the others are in progress
or in default, so every plans page has content.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum

from encaisse.demo.behaviours import Behaviour
from encaisse.demo.generator import payment_key
from encaisse.demo.sim.chance import chance
from encaisse.demo.sim.world import Account, World
from encaisse.ledger.models import Allocation, Invoice, InvoiceSource, Payment
from encaisse.ledger.models.invoice import OPEN_STATUSES
from encaisse.ledger.services import allocation_create, payment_record
from encaisse.lib import clock
from encaisse.resolution.models.payment_plans import (
    Instalment,
    InstalmentStatus,
    PaymentPlan,
    PlanInvoice,
    PlanStatus,
)
from encaisse.resolution.services.instalment_reminders import instalment_reminders_queue
from encaisse.resolution.services.payment_plan_progress import payment_plans_check
from encaisse.resolution.services.payment_plans import plan_approve, plan_propose

# (frequency, instalments) of the demo's plans, in the order they are proposed.
PLANS = (("weekly", 3), ("monthly", 3), ("biweekly", 4), ("monthly", 4), ("monthly", 6))
ASKING = {Behaviour.SLOW, Behaviour.CHRONIC_LATE, Behaviour.DEFAULTER}
MIN_DAYS_LATE = 20
DAILY_CHANCE = 0.3
LEFT_PROPOSED = 3  # the 4th plan waits for finance's decision


def plans_day(world: World, day: dt.date) -> None:
    _propose(world, day)
    _pay_instalments(world, day)
    payment_plans_check(on=day)
    instalment_reminders_queue(on=day)


def _propose(world: World, day: dt.date) -> None:
    made = PaymentPlan.objects.count()
    if made >= len(PLANS) or chance(world.seed, "plan-day", day).random() > DAILY_CHANCE:
        return
    covered = PlanInvoice.objects.filter(live=True).values("invoice_id")
    late = (
        Invoice.objects.filter(
            status__in=OPEN_STATUSES,
            balance__gt=0,
            due_date__lte=day - dt.timedelta(days=MIN_DAYS_LATE),
        )
        .exclude(pk__in=covered)
        .exclude(customer__payment_plans__isnull=False)
    )
    by_customer: dict[int, list[Invoice]] = {}
    for invoice in late.order_by("due_date", "number"):
        by_customer.setdefault(invoice.customer_id, []).append(invoice)
    # A defaulter for the plan that will fail (the 3rd), someone who pays for the others.
    wanted = {Behaviour.DEFAULTER} if made == 2 else ASKING - {Behaviour.DEFAULTER}
    candidates = sorted(
        (world.accounts[c] for c in by_customer if c in world.accounts),
        key=lambda account: account.key,
    )
    candidates = [a for a in candidates if a.behaviour in wanted]
    if not candidates:
        return
    account = chance(world.seed, "plan-who", day).choice(candidates)
    frequency, count = PLANS[made]
    rep = account.customer.account_manager or world.finance
    plan = plan_propose(
        actor=rep,
        customer=account.customer,
        invoices=by_customer[account.customer.pk][:3],
        instalment_count=count,
        frequency=frequency,
        first_due_on=day + dt.timedelta(days=7),
        note="Difficultés de trésorerie passagères, accord trouvé au téléphone.",
    )
    if made != LEFT_PROPOSED and world.finance is not None:
        plan_approve(actor=world.finance, plan=plan, comment="Accord validé.")


def _pay_instalments(world: World, day: dt.date) -> None:
    due = Instalment.objects.filter(
        plan__status=PlanStatus.ACTIVE,
        due_on=day,
        status__in=[InstalmentStatus.PENDING, InstalmentStatus.PARTIALLY_PAID],
    ).select_related("plan__customer")
    for instalment in due.order_by("plan__public_id", "sequence"):
        plan = instalment.plan
        account = world.accounts.get(plan.customer_id)
        if account is None or account.behaviour == Behaviour.DEFAULTER:
            continue  # a defaulter never pays, its plan either
        _pay(world, account, plan, instalment.amount - instalment.paid_amount, day)


def _pay(world: World, account: Account, plan: PaymentPlan, amount: Decimal, day: dt.date) -> None:
    # Open invoices only: another simulated desk may have written one off meanwhile.
    links = PlanInvoice.objects.filter(
        plan=plan, invoice__balance__gt=0, invoice__status__in=OPEN_STATUSES
    ).select_related("invoice")
    open_total = links.aggregate(total=Sum("invoice__balance"))["total"] or Decimal("0")
    amount = min(amount, open_total)
    if amount <= 0:
        return
    payment = payment_record(
        actor=None,
        customer=account.customer,
        amount=amount,
        date=day,
        external_key=payment_key(next(world.payment_numbers)),
        bank_reference=f"VIR ECHEANCIER {plan.short_id}",
        remittance=f"Echeance echeancier {plan.short_id}",
        source=InvoiceSource.DEMO,
        strategy=None,
    )
    left = amount
    for link in links.order_by("invoice__due_date", "invoice__number"):
        part = min(left, link.invoice.balance)
        if part > 0:
            allocation_create(
                actor=world.finance, invoice=link.invoice, amount=part, payment=payment
            )
            left -= part
    now = clock.now()
    Payment.objects.filter(pk=payment.pk).update(created_at=now, updated_at=now)
    Allocation.objects.filter(payment=payment).update(created_at=now, updated_at=now)
