"""The simulated ledger feed: the day's new invoices, payments and dispute settlements.

The records go through the ledger services, as a manual entry would, then get
their `created_at` moved to the simulated moment (those columns are filled by
the database's clock, not `lib.clock`), so the freshness guard and the pages
see the history as it would have happened.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from encaisse.collab.models import Task, TaskKind, TaskStatus
from encaisse.demo.behaviours import daily_payment_chance
from encaisse.demo.generator import (
    draw_invoice_excl,
    draw_payment_texts,
    draw_po_reference,
    invoice_number,
    payment_key,
    vat_cents,
)
from encaisse.demo.records import cents_to_decimal
from encaisse.demo.sim.chance import chance, poisson
from encaisse.demo.sim.disputes import disputes_settle
from encaisse.demo.sim.reactions import (
    MAX_PROMISE_DAYS,
    MAX_REACTION_DAYS,
    call_outcome,
    is_contested,
    reminder_reaction,
)
from encaisse.demo.sim.world import Account, World
from encaisse.dunning.models import ActionStatus, DunningAction
from encaisse.ledger.models import Allocation, CreditNote, Invoice, InvoiceSource, Payment
from encaisse.ledger.models.invoice import OPEN_STATUSES
from encaisse.ledger.services import (
    allocation_create,
    invoice_create,
    payment_record,
)
from encaisse.lib import clock

ONE_DAY = dt.timedelta(days=1)


@dataclass(slots=True)
class LedgerDay:
    issued: int = 0
    invoiced: Decimal = Decimal("0.00")
    payments: int = 0
    collected: Decimal = Decimal("0.00")
    credit_notes: int = 0


@dataclass(slots=True)
class _Due:
    invoice_id: int
    number: str
    balance: Decimal


def task_key(customer_key: str, due_on: dt.date, kind: str) -> str:
    return f"{customer_key}:{due_on.isoformat()}:{kind}"


@transaction.atomic
def issue_invoices(world: World, day: dt.date) -> LedgerDay:
    """The day's invoices: a Poisson number at the company's recent rate, spread by share."""
    result = LedgerDay()
    if not world.invoiced:
        return result
    rng = chance(world.seed, "issue", day)
    count = poisson(rng, world.daily_rate)
    weights = [account.weight for account in world.invoiced]
    created = []
    for account in rng.choices(world.invoiced, weights=weights, k=count):
        excl = draw_invoice_excl(rng, account.typical_excl_cents)
        amount = cents_to_decimal(excl + vat_cents(excl))
        invoice = invoice_create(
            actor=None,
            customer=account.customer,
            number=invoice_number(day, next(world.invoice_numbers)),
            issue_date=day,
            amount=amount,
            amount_excl_tax=cents_to_decimal(excl),
            po_reference=draw_po_reference(rng),
            source=InvoiceSource.DEMO,
        )
        created.append(invoice.pk)
        result.issued += 1
        result.invoiced += amount
    Invoice.objects.filter(pk__in=created).update(created_at=clock.now(), updated_at=clock.now())
    return result


@transaction.atomic
def collect(world: World, day: dt.date) -> LedgerDay:
    """The day's bank statement: who pays what today, and the disputes settled today.

    1. Every open invoice may be paid by its customer's delay distribution
       (`daily_payment_chance`), except contested ones, which wait for their
       dispute to be settled, and defaulters' ones.
    2. Reminders sent and promises made on earlier days make some customers
       pay today (`reactions`).
    3. A dispute whose block ended a few days ago is settled: a credit note
       for part of the invoice, the rest paid.
    Each customer pays its day's invoices with one payment.
    """
    result = LedgerDay()
    payments: list[int] = []
    credit_notes: list[int] = []
    reacting = _reactions(world, day)
    settling, settled_notes = disputes_settle(world, day)
    credit_notes.extend(settled_notes)
    paying: dict[int, list[_Due]] = defaultdict(list)
    rows = (
        Invoice.objects.filter(status__in=OPEN_STATUSES, balance__gt=0, issue_date__lt=day)
        .exclude(plan_links__live=True)  # paid by its instalment plan (sim.payment_plans)
        .values_list("pk", "number", "customer_id", "due_date", "balance")
        .order_by("number")
    )
    for pk, number, customer_id, due, balance in rows:
        account = world.accounts.get(customer_id)
        if account is None:
            continue
        if pk in settling:
            balance = settling[pk]  # its dispute closed today (sim.disputes)
        elif is_contested(world.seed, number, account.behaviour):
            continue
        elif pk not in reacting:
            chance_today = daily_payment_chance(account.behaviour, (day - due).days)
            if chance(world.seed, "pay", number, day).random() >= chance_today:
                continue
        if balance > 0:
            paying[customer_id].append(_Due(pk, number, balance))
    for customer_id in sorted(paying, key=lambda pk: world.accounts[pk].key):
        dues = paying[customer_id]
        payments.append(_pay(world, world.accounts[customer_id], day, dues))
        result.collected += sum((due.balance for due in dues), Decimal("0.00"))
    _stamp(payments, credit_notes)
    result.payments, result.credit_notes = len(payments), len(credit_notes)
    return result


def _reactions(world: World, day: dt.date) -> set[int]:
    """Invoices whose customer pays today because of a reminder or a kept promise."""
    paying: set[int] = set()
    # A reviewed message goes out up to a day after its decision: look one day further back.
    reminders = DunningAction.objects.filter(
        status=ActionStatus.DONE,
        message__sent_at__isnull=False,
        decided_on__gte=day - dt.timedelta(days=MAX_REACTION_DAYS + 1),
        decided_on__lt=day,
        invoice__status__in=OPEN_STATUSES,
    ).values_list("invoice_id", "invoice__number", "customer_id", "action", "message__sent_at")
    for invoice_id, number, customer_id, action, sent_at in reminders:
        account = world.accounts.get(customer_id)
        if account is None:
            continue
        sent_on = timezone.localdate(sent_at)
        after = reminder_reaction(world.seed, number, action, sent_on, account.behaviour)
        if after is not None and sent_on + dt.timedelta(days=after) == day:
            paying.add(invoice_id)
    since = timezone.make_aware(
        dt.datetime.combine(day - dt.timedelta(days=MAX_PROMISE_DAYS + 1), dt.time())
    )
    calls = Task.objects.filter(
        status=TaskStatus.DONE,
        kind__in=(TaskKind.CALL_CORDIAL, TaskKind.CALL_FORMAL),
        completed_at__gte=since,
    ).prefetch_related("invoices")
    for task in calls:
        account = world.accounts.get(task.customer_id or 0)
        if account is None or task.completed_at is None:
            continue
        invoices = list(task.invoices.all())
        contested = any(is_contested(world.seed, i.number, account.behaviour) for i in invoices)
        outcome = call_outcome(
            world.seed, task_key(account.key, task.due_on, task.kind), account.behaviour, contested
        )
        called_on = timezone.localdate(task.completed_at)
        if outcome.pays_in is not None and called_on + dt.timedelta(outcome.pays_in) == day:
            paying.update(i.pk for i in invoices if i.is_open)
    return paying


def _pay(world: World, account: Account, day: dt.date, dues: list[_Due]) -> int:
    number = next(world.payment_numbers)
    refs = " ".join(due.number for due in dues)
    rng = chance(world.seed, "payment", account.key, day)
    method, reference, text = draw_payment_texts(
        rng, account.behaviour, account.customer.name, day, number, refs
    )
    total = sum((due.balance for due in dues), Decimal("0.00"))
    payment = payment_record(
        actor=None,
        customer=account.customer,
        amount=total,
        date=day,
        external_key=payment_key(number),
        method=method,
        bank_reference=reference,
        remittance=text,
        source=InvoiceSource.DEMO,
        strategy=None,  # matched below, invoice by invoice, as finance would
    )
    for due in dues:
        invoice = Invoice.objects.get(pk=due.invoice_id)
        allocation_create(actor=world.finance, invoice=invoice, amount=due.balance, payment=payment)
    return payment.pk


def _stamp(payments: list[int], credit_notes: list[int]) -> None:
    """Date the day's payments, credit notes and their allocations at the simulated moment."""
    now = clock.now()
    stamps = {"created_at": now, "updated_at": now}
    Payment.objects.filter(pk__in=payments).update(**stamps)
    CreditNote.objects.filter(pk__in=credit_notes).update(**stamps)
    Allocation.objects.filter(payment_id__in=payments).update(**stamps)
    Allocation.objects.filter(credit_note_id__in=credit_notes).update(**stamps)
