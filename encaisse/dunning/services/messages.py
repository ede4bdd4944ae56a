"""People acting on the outbox: review, retry, and the manual "send a reminder now"."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

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
from encaisse.dunning.services.facts import blocks_on
from encaisse.ledger.models import Company, Customer, Invoice
from encaisse.lib import clock


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

    Respects the minimum gap unless `override_gap_reason` is given; the
    override and its author are recorded on the message and in the timeline.
    """
    today = clock.today()
    chosen = [
        i for i in (invoices if invoices is not None else customer.invoices.all()) if i.is_open
    ]
    if any(i.customer_id != customer.pk for i in chosen):
        raise ValueError("the invoices belong to another customer")
    # A disputed or promised invoice is not reminded, by hand either.
    blocks = blocks_on(today, customer_id=customer.pk)
    chosen = [i for i in chosen if blocks.for_invoice(i.pk, customer.pk, customer.status) is None]
    if not chosen:
        raise ValueError(_("No open invoice to remind (paid, disputed or on hold)."))
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
            balance=invoice.balance,
        )
        for invoice in chosen
    )
    CustomerDunning.objects.update_or_create(customer=customer, defaults={"last_contact_on": today})
    _record(
        actor,
        message,
        "dunning.manual.requested",
        invoices=[i.pk for i in chosen],
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
