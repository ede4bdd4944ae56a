"""Handing a customer to a collection agency or to litigation, recalling, closing.

Dunning stops through the one hold mechanism (`dunning.services.holds`): a
customer-wide hold (reason `agency`) when the whole account is handed over, one
hold per invoice when only some are. Recalling or closing releases them; the
next dunning run then performs only the latest step each invoice's lateness
calls for (the engine's "caught up" rule), never a burst of reminders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from encaisse.accounts.models import User, stored_actor
from encaisse.collab.models import Task, TaskKind, TaskStatus
from encaisse.collab.services import activity_record, task_complete
from encaisse.dunning.models import Hold, HoldReason
from encaisse.dunning.services.holds import hold_place, hold_release
from encaisse.ledger.models import Customer, Invoice
from encaisse.ledger.models.invoice import OPEN_STATUSES
from encaisse.lib import clock
from encaisse.lib.errors import Conflict, Message, ValidationFailed
from encaisse.resolution.models.handover import (
    CollectionAgency,
    Handover,
    HandoverInvoice,
    HandoverKind,
    HandoverStatus,
)
from encaisse.resolution.models.payment_plans import PlanInvoice, PlanStatus
from encaisse.webhooks.emit import event_emit

NOTE_MAX = 500


def _fee_errors(fee_percent: Decimal | None, fixed_fee: Decimal | None) -> dict[str, list[Message]]:
    errors: dict[str, list[Message]] = {}
    if fee_percent is not None and not Decimal(0) <= fee_percent <= Decimal(100):
        errors["fee_percent"] = [_("The fee is a percentage between 0 and 100.")]
    if fixed_fee is not None and fixed_fee < 0:
        errors["fixed_fee"] = [_("The fixed fee cannot be negative.")]
    return errors


@transaction.atomic
def handover_create(
    *,
    actor: User | None,
    customer: Customer,
    kind: str = HandoverKind.AGENCY,
    agency: CollectionAgency | None = None,
    invoices: Sequence[Invoice] | None = None,
    handed_on: dt.date | None = None,
    fee_percent: Decimal | None = None,
    fixed_fee: Decimal | None = None,
    note: str = "",
) -> Handover:
    """Hand `invoices` (None: the whole account, every open invoice) over; dunning stops.

    Fee terms default to the agency's. An open "hand over to collection" task
    of the customer is completed with the handover as its outcome.
    """
    today = clock.today()
    handed_on = handed_on or today
    errors = _fee_errors(fee_percent, fixed_fee)
    if kind not in HandoverKind.values:
        errors["kind"] = [_("Choose an agency or litigation.")]
    if kind == HandoverKind.AGENCY and agency is None:
        errors["agency"] = [_("Choose the agency.")]
    if agency is not None and not agency.active:
        errors["agency"] = [_("This agency is no longer in use.")]
    if handed_on > today:
        errors["handed_on"] = [_("A handover cannot be dated in the future.")]
    if len(note) > NOTE_MAX:
        errors["note"] = [_("The note is at most 500 characters.")]
    whole = invoices is None
    open_invoices = Invoice.objects.filter(
        customer=customer, status__in=OPEN_STATUSES, balance__gt=0
    ).select_for_update()
    if invoices is None:
        chosen = list(open_invoices.order_by("due_date", "id"))
    else:
        wanted = {invoice.pk for invoice in invoices}
        chosen = list(open_invoices.filter(pk__in=wanted).order_by("due_date", "id"))
        if len(chosen) != len(wanted):
            errors["invoices"] = [_("Choose open invoices of this customer.")]
    if not chosen and "invoices" not in errors:
        errors["invoices"] = [_("This customer has no open invoice to hand over.")]
    currencies = {invoice.currency for invoice in chosen}
    if len(currencies) > 1:
        errors["invoices"] = [_("Hand over invoices of one currency at a time.")]
    elif PlanInvoice.objects.filter(
        invoice__in=chosen, plan__status__in=[PlanStatus.PROPOSED, PlanStatus.ACTIVE]
    ).exists():
        # The plan would go on calling for instalments while the agency chases the debt.
        errors["invoices"] = [
            _("One of these invoices is in an instalment plan: cancel the plan first.")
        ]
    if errors:
        raise ValidationFailed(errors)
    if fee_percent is None:
        fee_percent = (agency.fee_percent if agency else None) or Decimal(0)
    if fixed_fee is None:
        fixed_fee = (agency.fixed_fee if agency else None) or Decimal(0)
    try:
        with transaction.atomic():
            handover = Handover.objects.create(
                customer=customer,
                kind=kind,
                agency=agency if kind == HandoverKind.AGENCY else None,
                whole_account=whole,
                handed_on=handed_on,
                currency=chosen[0].currency,
                fee_percent=fee_percent,
                fixed_fee=fixed_fee,
                note=note,
                handed_by=stored_actor(actor),
            )
    except IntegrityError as exc:
        message = _("This customer is already handed over: recall or close it first.")
        raise Conflict(message) from exc
    to = handover.handed_to
    hold_note = str(_("Handed over to %(to)s")) % {"to": to}
    if whole:
        handover.hold = hold_place(
            actor=actor,
            customer=customer,
            reason=HoldReason.AGENCY,
            starts_on=handed_on,
            note=hold_note[:250],
        )
        handover.save(update_fields=["hold"])
    for invoice in chosen:
        hold = None
        if not whole:
            hold = hold_place(
                actor=actor,
                customer=customer,
                invoice=invoice,
                reason=HoldReason.AGENCY,
                starts_on=handed_on,
                note=hold_note[:250],
            )
        HandoverInvoice.objects.create(
            handover=handover, invoice=invoice, balance_handed=invoice.balance, hold=hold
        )
    total = sum((invoice.balance for invoice in chosen), Decimal(0))
    escalations = Task.objects.filter(
        kind=TaskKind.ESCALATE, customer=customer, status=TaskStatus.OPEN
    )
    outcome = str(_("Handed over to %(to)s on %(day)s (%(count)d invoices).")) % {
        "to": to,
        "day": formats.date_format(handed_on, "SHORT_DATE_FORMAT"),
        "count": len(chosen),
    }
    if actor is not None:
        for task in escalations:
            task_complete(task=task, actor=actor, outcome=outcome)
    activity_record(
        verb="resolution.handover.created",
        actor=actor,
        customer_id=customer.pk,
        invoice_id=chosen[0].pk if len(chosen) == 1 else None,
        payload={
            "handover": str(handover.public_id),
            "to": to,
            "kind": kind,
            "whole_account": whole,
            "invoices": [invoice.number for invoice in chosen],
            "total": str(total),
            "currency": handover.currency,
        },
    )
    event_emit(type="handover.created", obj=handover)
    return handover


def _end(*, actor: User, handover: Handover, status: str, verb: str, comment: str) -> Handover:
    if len(comment) > NOTE_MAX:
        raise ValidationFailed.single("comment", _("The comment is at most 500 characters."))
    now = clock.now()
    ended = Handover.objects.filter(pk=handover.pk, status=HandoverStatus.ACTIVE).update(
        status=status,
        ended_on=clock.today(),
        ended_by=stored_actor(actor),
        end_note=comment,
        updated_at=now,
    )
    if not ended:
        raise Conflict(_("This handover is no longer active."))
    hold_ids = [handover.hold_id, *handover.lines.values_list("hold_id", flat=True)]
    for hold in Hold.objects.filter(pk__in=[pk for pk in hold_ids if pk is not None]):
        if hold.released_on is None:
            hold_release(actor=actor, hold=hold)
    handover.refresh_from_db()
    activity_record(
        verb=verb,
        actor=actor,
        customer_id=handover.customer_id,
        payload={
            "handover": str(handover.public_id),
            "to": handover.handed_to,
            "comment": comment,
        },
    )
    event_emit(type=verb.removeprefix("resolution."), obj=handover)
    return handover


@transaction.atomic
def handover_recall(*, actor: User, handover: Handover, comment: str = "") -> Handover:
    """Take the file back from the agency: internal dunning resumes at the right step."""
    return _end(
        actor=actor,
        handover=handover,
        status=HandoverStatus.RECALLED,
        verb="resolution.handover.recalled",
        comment=comment,
    )


@transaction.atomic
def handover_close(*, actor: User, handover: Handover, comment: str = "") -> Handover:
    """The agency's work is over (recovered, or given up): the holds are released.

    What is still open afterwards is dunned again unless written off.
    """
    return _end(
        actor=actor,
        handover=handover,
        status=HandoverStatus.CLOSED,
        verb="resolution.handover.closed",
        comment=comment,
    )
