"""Promises to pay: recording one, settling it (kept or broken, once), cancelling it.

A promise pauses the customer's dunning through a promise hold (until the
promised date plus the grace days). It is settled exactly once, by a
conditional UPDATE on status='open':

1. kept as soon as the payments dated from the day it was made through the
   end of the grace cover the promised amount. Every payment of the customer
   counts, allocated or still on account: the customer paid, whatever the
   invoice the money was applied to (or not yet applied to);
2. broken on the first check after the grace ended without such payments;
3. cancelled by finance.

Kept, broken or cancelled, the hold is released and dunning resumes (the engine
then performs only the step the invoice's lateness calls for). A broken
promise also asks the account manager to call the customer and finance to
follow up (tasks with stable source keys), and counts on the customer's
record (`selectors.promises.broken_promises_count`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from encaisse.accounts.models import User, stored_actor
from encaisse.collab.models import TaskKind, TaskQueue
from encaisse.collab.services import activity_record, task_create
from encaisse.dunning.models import DunningSettings
from encaisse.dunning.services.holds import hold_release, promise_hold
from encaisse.ledger.models import Company, Customer, Invoice, Payment
from encaisse.ledger.models.invoice import OPEN_STATUSES
from encaisse.lib import clock
from encaisse.lib.errors import Conflict, Message, ValidationFailed
from encaisse.lib.money import ZERO, format_money
from encaisse.resolution.models import Promise, PromiseSource, PromiseStatus
from encaisse.webhooks.emit import event_emit

ALREADY_OPEN = gettext_lazy(
    "This customer already has an open promise to pay: cancel it or wait for its outcome "
    "before recording another."
)


def _ceiling(customer: Customer, invoices: Sequence[Invoice]) -> Decimal:
    """The most a promise may cover: the chosen invoices' balances, or the open balance."""
    if invoices:
        return sum((invoice.balance for invoice in invoices), ZERO)
    return customer.open_balance


@transaction.atomic
def promise_make(
    *,
    actor: User | None,
    customer: Customer,
    amount: Decimal,
    promised_on: dt.date,
    invoices: Sequence[Invoice] = (),
    source: str | None = None,
    note: str = "",
) -> Promise:
    """Record a promise to pay and hold the customer's dunning until its grace ends."""
    today = clock.today()
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    errors: dict[str, list[Message]] = {}
    if source is None:
        source = (
            PromiseSource.FINANCE
            if actor is not None and actor.can_edit_ledger
            else PromiseSource.SALES
        )
    if source not in PromiseSource.values:
        errors["source"] = [gettext_lazy("Unknown source.")]
    if promised_on < today:
        errors["promised_on"] = [gettext_lazy("The promised date cannot be in the past.")]
    if amount is None or amount <= 0:
        errors["amount"] = [gettext_lazy("The amount must be greater than zero.")]
    chosen = list(invoices)
    for invoice in chosen:
        if invoice.customer_id != customer.pk:
            errors["invoices"] = [gettext_lazy("An invoice belongs to another customer.")]
        elif invoice.status not in OPEN_STATUSES or invoice.balance <= 0:
            errors["invoices"] = [
                gettext_lazy("Invoice %(number)s has nothing left to pay.")
                % {"number": invoice.number}
            ]
    ceiling = _ceiling(customer, chosen)
    if "amount" not in errors and "invoices" not in errors and amount > ceiling:
        errors["amount"] = [
            gettext_lazy("The amount is above what is owed (%(owed)s).")
            % {"owed": format_money(ceiling, customer.currency, Company.current().language)}
        ]
    if len(note) > 250:
        errors["note"] = [gettext_lazy("The note is at most 250 characters.")]
    if Promise.objects.filter(customer=customer, status=PromiseStatus.OPEN).exists():
        errors[""] = [ALREADY_OPEN]
    if errors:
        raise ValidationFailed(errors)
    grace = dt.timedelta(days=DunningSettings.current().promise_grace_days)
    try:
        with transaction.atomic():
            promise = Promise.objects.create(
                customer=customer,
                amount=amount,
                currency=customer.currency,
                promised_on=promised_on,
                made_on=today,
                grace_until=promised_on + grace,
                source=source,
                note=note,
                created_by=stored_actor(actor),
            )
    except IntegrityError:  # another open promise was recorded meanwhile
        raise ValidationFailed({"": [ALREADY_OPEN]}) from None
    if chosen:
        promise.invoices.set(chosen)
    promise.hold = promise_hold(actor=actor, customer=customer, promised_on=promised_on, note=note)
    promise.save(update_fields=["hold"])
    activity_record(
        verb="resolution.promise.made",
        actor=actor,
        customer_id=customer.pk,
        payload={
            "promise": promise.pk,
            "amount": str(promise.amount),
            "currency": promise.currency,
            "promised_on": promised_on.isoformat(),
            "source": source,
            "invoices": [invoice.number for invoice in chosen],
            **({"by": "customer"} if source == PromiseSource.PORTAL else {}),
        },
    )
    event_emit(type="promise.created", obj=promise)
    return promise


def promise_paid(promise: Promise, *, until: dt.date | None = None) -> Decimal:
    """What the customer paid toward the promise: payments dated from the day it was
    made through the end of its grace (or `until`, if earlier), in its currency."""
    end = promise.grace_until if until is None else min(until, promise.grace_until)
    total = Payment.objects.filter(
        customer_id=promise.customer_id,
        currency=promise.currency,
        date__gte=promise.made_on,
        date__lte=end,
    ).aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
    return Decimal(total)


def _release(actor: User | None, promise: Promise) -> None:
    if promise.hold is None:
        return
    # Released by hand (or expired) already: nothing left to resume.
    with contextlib.suppress(Conflict):
        hold_release(actor=actor, hold=promise.hold)


def _claim(promise: Promise, status: str, *, on: dt.date, paid: Decimal) -> bool:
    """Move the promise out of 'open' once; False when someone else did first."""
    return bool(
        Promise.objects.filter(pk=promise.pk, status=PromiseStatus.OPEN).update(
            status=status, settled_on=on, paid_amount=paid, updated_at=clock.now()
        )
    )


@transaction.atomic
def promise_settle(*, promise: Promise, on: dt.date | None = None) -> str | None:
    """Decide the promise's outcome if it has one on `on`; returns it (None: still open).

    Safe to call any number of times and from several workers: the first
    caller that finds it open and decided settles it, the others do nothing.
    """
    on = on or clock.today()
    if promise.status != PromiseStatus.OPEN:
        return None
    paid = promise_paid(promise, until=on)
    if paid >= promise.amount:
        outcome = PromiseStatus.KEPT
    elif on > promise.grace_until:
        outcome = PromiseStatus.BROKEN
    else:
        return None
    if not _claim(promise, outcome, on=on, paid=paid):
        return None
    promise.refresh_from_db()
    _release(None, promise)
    activity_record(
        verb=f"resolution.promise.{outcome}",
        actor=None,
        customer_id=promise.customer_id,
        payload={
            "promise": promise.pk,
            "amount": str(promise.amount),
            "paid": str(paid),
            "currency": promise.currency,
            "promised_on": promise.promised_on.isoformat(),
        },
    )
    if outcome == PromiseStatus.BROKEN:
        _broken_tasks(promise, on)
    event_emit(type=f"promise.{outcome}", obj=promise)
    return outcome


def _broken_tasks(promise: Promise, on: dt.date) -> None:
    """The account manager calls the customer; finance follows up (notices come later)."""
    customer = promise.customer
    language = Company.current().language
    with override(language):
        values = {
            "customer": customer.name,
            "amount": format_money(promise.amount, promise.currency, language),
            "date": promise.promised_on.strftime("%d/%m/%Y"),
            "paid": format_money(promise.paid_amount, promise.currency, language),
        }
        details = _("Promised %(amount)s by %(date)s; received %(paid)s.") % values
        invoice_ids = list(promise.invoices.values_list("pk", flat=True))
        task_create(
            actor=None,
            kind=TaskKind.CALL_CORDIAL,
            title=_("Call %(customer)s: promise of %(amount)s for %(date)s broken") % values,
            details=details,
            due_on=on,
            customer_id=customer.pk,
            assignee=customer.account_manager,
            invoice_ids=invoice_ids,
            source_key=f"promise:{promise.pk}:broken:call",
        )
        task_create(
            actor=None,
            kind=TaskKind.OTHER,
            title=_("Promise broken by %(customer)s (%(amount)s for %(date)s): follow up") % values,
            details=details,
            due_on=on,
            customer_id=customer.pk,
            queue=TaskQueue.FINANCE,
            invoice_ids=invoice_ids,
            source_key=f"promise:{promise.pk}:broken:finance",
        )


@transaction.atomic
def promise_cancel(*, actor: User | None, promise: Promise, reason: str = "") -> Promise:
    """Finance withdraws an open promise; its hold is released and dunning resumes."""
    if not Promise.objects.filter(pk=promise.pk, status=PromiseStatus.OPEN).update(
        status=PromiseStatus.CANCELLED, settled_on=clock.today(), updated_at=clock.now()
    ):
        raise Conflict(gettext_lazy("This promise is no longer open."))
    promise.refresh_from_db()
    _release(actor, promise)
    activity_record(
        verb="resolution.promise.cancelled",
        actor=actor,
        customer_id=promise.customer_id,
        payload={
            "promise": promise.pk,
            "amount": str(promise.amount),
            "currency": promise.currency,
            "promised_on": promise.promised_on.isoformat(),
            "reason": reason[:250],
        },
    )
    event_emit(type="promise.cancelled", obj=promise)
    return promise


def promises_settle_for(customer_ids: Iterable[int], *, on: dt.date | None = None) -> int:
    """Settle the open promises of these customers that are now kept (or broken)."""
    ids = sorted(set(customer_ids))
    settled = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for promise in Promise.objects.filter(customer_id__in=chunk, status=PromiseStatus.OPEN):
            settled += promise_settle(promise=promise, on=on) is not None
    return settled


def promises_settle_due(on: dt.date) -> int:
    """The daily check: every open promise, kept by now or broken past its grace."""
    settled = 0
    for promise in Promise.objects.filter(status=PromiseStatus.OPEN).select_related("hold"):
        settled += promise_settle(promise=promise, on=on) is not None
    return settled
