"""People acting on the outbox: review, retry, and the manual "send a reminder now"."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from encaisse.accounts.models import User
from encaisse.collab.services import activity_record
from encaisse.dunning.delivery.tasks import deliver_message
from encaisse.dunning.models import (
    ActionStatus,
    Channel,
    CustomerDunning,
    DunningAction,
    DunningMessage,
    MessageState,
    TemplateCode,
)
from encaisse.dunning.services.explain import Outlook, dunning_outlook
from encaisse.ledger.models import Company, Customer, Invoice
from encaisse.lib import clock


@dataclass(frozen=True, slots=True)
class LeftOut:
    """An invoice a manual reminder leaves out, and why (settled, blocked, covered,
    below_threshold); `block` is the block's code when blocked."""

    invoice: Invoice
    reason: str
    block: str = ""


@dataclass(slots=True)
class ReminderSelection:
    kept: list[Invoice] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    net: dict[int, Decimal] = field(default_factory=dict)  # what is chased, per kept invoice


def reminder_selection(
    customer: Customer, invoices: Sequence[Invoice], *, on: dt.date
) -> ReminderSelection:
    """Which of `invoices` a manual reminder would chase, and why it leaves the others out.

    The same decision as the invoice panel and the run (explain.dunning_outlook):
    a paid invoice, a blocked one (dispute, promise, hold, customer status), one
    the customer's cash on account covers, or one whose net amount is below the
    minimum of its plan's reminders is not reminded, by hand either.
    """
    selection = ReminderSelection()
    outlooks = dunning_outlook(customer, invoices, on=on)
    for invoice in invoices:
        outlook = outlooks[invoice.pk]
        facts = outlook.decision.facts
        if not facts.is_open or facts.balance <= 0:
            selection.left_out.append(LeftOut(invoice, "settled"))
        elif facts.block is not None:
            selection.left_out.append(LeftOut(invoice, "blocked", facts.block.reason))
        elif outlook.net <= 0:
            selection.left_out.append(LeftOut(invoice, "covered"))
        elif outlook.net < _reminder_minimum(outlook):
            selection.left_out.append(LeftOut(invoice, "below_threshold"))
        else:
            selection.kept.append(invoice)
            selection.net[invoice.pk] = outlook.net
    return selection


def _reminder_minimum(outlook: Outlook) -> Decimal:
    """The smallest amount the invoice's plan chases with a reminder email."""
    if outlook.plan is None:
        return Decimal("0")
    minimums = [s.min_balance for s in outlook.plan.steps if s.action == "email"]
    return min(minimums, default=Decimal("0"))


class GapNotElapsed(Exception):
    """The customer was contacted too recently; the user may override, with a reason."""

    def __init__(self, allowed_from: dt.date) -> None:
        super().__init__(allowed_from.isoformat())
        self.allowed_from = allowed_from


@transaction.atomic
def message_approve(*, actor: User, message: DunningMessage) -> bool:
    """Finance approves a message waiting for review: it goes out now."""
    approved = DunningMessage.objects.filter(pk=message.pk, state=MessageState.TO_REVIEW).update(
        state=MessageState.PENDING,
        reviewed_by=actor,
        reviewed_at=clock.now(),
        next_attempt_at=clock.now(),
    )
    if not approved:
        return False
    DunningAction.objects.filter(message=message, status=ActionStatus.TO_REVIEW).update(
        status=ActionStatus.PLANNED
    )
    _record(actor, message, "dunning.message.approved")
    transaction.on_commit(lambda: deliver_message.enqueue(message.pk))
    return True


@transaction.atomic
def message_skip(*, actor: User, message: DunningMessage) -> bool:
    """Finance decides a message waiting for review must not go out."""
    skipped = DunningMessage.objects.filter(pk=message.pk, state=MessageState.TO_REVIEW).update(
        state=MessageState.CANCELLED, reviewed_by=actor, reviewed_at=clock.now()
    )
    if not skipped:
        return False
    DunningAction.objects.filter(message=message, status=ActionStatus.TO_REVIEW).update(
        status=ActionStatus.CANCELLED, status_reason="review_skipped"
    )
    _record(actor, message, "dunning.message.skipped")
    return True


@transaction.atomic
def message_retry(*, actor: User, message: DunningMessage) -> bool:
    """Try a failed message again (after finance fixed the contact)."""
    retried = DunningMessage.objects.filter(pk=message.pk, state=MessageState.FAILED).update(
        state=MessageState.PENDING,
        next_attempt_at=clock.now(),
        last_error="",
        attempts_before_retry=F("attempts"),
    )
    if not retried:
        return False
    DunningAction.objects.filter(
        message=message, status=ActionStatus.CANCELLED, status_reason="delivery_failed"
    ).update(status=ActionStatus.PLANNED, status_reason="")
    _record(actor, message, "dunning.message.retried")
    transaction.on_commit(lambda: deliver_message.enqueue(message.pk))
    return True


@transaction.atomic
def reminder_send_now(
    *,
    actor: User,
    customer: Customer,
    invoices: Sequence[Invoice] | None = None,
    template_code: str = TemplateCode.MANUAL,
    override_gap_reason: str = "",
) -> DunningMessage:
    """A manual reminder, outside the plan, for some or all open invoices of a customer.

    Leaves out what `reminder_selection` leaves out (the timeline lists them
    with the reason). Respects the minimum gap unless `override_gap_reason`
    is given; the override and its author are recorded on the message and in
    the timeline.
    """
    today = clock.today()
    candidates = [
        i for i in (invoices if invoices is not None else customer.invoices.all()) if i.is_open
    ]
    if any(i.customer_id != customer.pk for i in candidates):
        raise ValueError("the invoices belong to another customer")
    selection = reminder_selection(customer, candidates, on=today)
    chosen = selection.kept
    if not chosen:
        raise ValueError(
            _("No invoice to remind: each is paid, blocked or covered by cash on account.")
        )
    # Create, then lock, the row holding the last contact: two clicks at once
    # must not both pass the minimum-gap check.
    CustomerDunning.objects.get_or_create(customer=customer)
    state = CustomerDunning.objects.select_for_update().get(customer=customer)
    gap = dt.timedelta(days=Company.current().min_contact_gap_days)
    allowed_from = state.last_contact_on + gap if state.last_contact_on else None
    overridden = allowed_from is not None and today < allowed_from
    if overridden and not override_gap_reason.strip():
        raise GapNotElapsed(allowed_from)  # type: ignore[arg-type]
    message = DunningMessage.objects.create(
        key=f"manual:{uuid.uuid4()}",
        customer=customer,
        channel=Channel.EMAIL,
        step_name=str(_("Manual reminder")),
        template_code=template_code,
        language=customer.language or Company.current().language,
        sender="account_manager" if actor.pk == customer.account_manager_id else "company",
        sender_user=actor,
        state=MessageState.PENDING,
        decided_on=today,
        created_by=actor,
        next_attempt_at=clock.now(),
        gap_overridden_by=actor if overridden else None,
        gap_override_reason=override_gap_reason.strip() if overridden else "",
    )
    DunningAction.objects.bulk_create(
        DunningAction(
            invoice=invoice,
            customer=customer,
            step=None,
            step_name=message.step_name,
            action="email",
            message=message,
            status=ActionStatus.PLANNED,
            decided_on=today,
            balance=selection.net[invoice.pk],
        )
        for invoice in chosen
    )
    CustomerDunning.objects.update_or_create(customer=customer, defaults={"last_contact_on": today})
    _record(
        actor,
        message,
        "dunning.manual.requested",
        invoices=[i.pk for i in chosen],
        left_out=[
            {"invoice": left.invoice.pk, "number": left.invoice.number, "reason": left.reason}
            for left in selection.left_out
        ],
        gap_override=message.gap_override_reason,
    )
    transaction.on_commit(lambda: deliver_message.enqueue(message.pk))
    return message


def _record(actor: User, message: DunningMessage, verb: str, **extra: object) -> None:
    activity_record(
        verb=verb,
        actor=actor,
        customer_id=message.customer_id,
        payload={"message": message.pk, "step": message.step_name, **extra},
    )
