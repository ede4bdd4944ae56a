"""Placing and releasing holds, and granting due-date extensions (SPEC §4.2 blocks)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from encaisse.accounts.models import User, stored_actor
from encaisse.collab.models import TaskKind
from encaisse.collab.services import activity_record, task_create
from encaisse.dunning.models import DunningSettings, Hold, HoldReason, InvoiceDunning
from encaisse.ledger.models import Company, Customer, Invoice
from encaisse.lib import clock
from encaisse.lib.errors import Conflict, Message, ValidationFailed
from encaisse.webhooks.emit import event_emit

# Insolvency: the claim must be declared to the court's representative within
# two months of the judgment's publication (Code de commerce R622-24).
CLAIM_DECLARATION_DAYS = 60


@transaction.atomic
def hold_place(
    *,
    actor: User | None,
    customer: Customer,
    reason: str,
    invoice: Invoice | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    note: str = "",
) -> Hold:
    """Block dunning of one invoice, or of all the customer's invoices."""
    start = starts_on or clock.today()
    errors: dict[str, list[Message]] = {}
    if reason not in HoldReason.values:
        errors["reason"] = [
            gettext_lazy("Choose one of: %(choices)s.") % {"choices": ", ".join(HoldReason.values)}
        ]
    if invoice is not None and invoice.customer_id != customer.pk:
        errors["invoice"] = [gettext_lazy("This invoice belongs to another customer.")]
    if ends_on is not None and ends_on < start:
        errors["ends_on"] = [gettext_lazy("A hold cannot end before it starts.")]
    if len(note) > 250:
        errors["note"] = [gettext_lazy("The note is at most 250 characters.")]
    if errors:
        raise ValidationFailed(errors)
    hold = Hold.objects.create(
        customer=customer,
        invoice=invoice,
        reason=reason,
        note=note,
        starts_on=start,
        ends_on=ends_on,
        created_by=stored_actor(actor),
    )
    activity_record(
        verb="dunning.hold.placed",
        actor=actor,
        customer_id=customer.pk,
        invoice_id=invoice.pk if invoice else None,
        payload={
            "hold": hold.pk,
            "reason": reason,
            "until": ends_on.isoformat() if ends_on else None,
            "note": note,
        },
    )
    event_emit(type="hold.created", obj=hold)
    if reason == HoldReason.INSOLVENCY:
        with override(Company.current().language):
            task_create(
                actor=actor,
                kind=TaskKind.DECLARE_CLAIM,
                title=_("Declare the claim on %(customer)s (insolvency) within 2 months")
                % {"customer": customer.name},
                due_on=start + dt.timedelta(days=CLAIM_DECLARATION_DAYS),
                customer_id=customer.pk,
                source_key=f"dunning:insolvency:{hold.pk}",
            )
    return hold


def promise_hold(
    *, actor: User | None, customer: Customer, promised_on: dt.date, note: str = ""
) -> Hold:
    """A promise to pay blocks the customer until the promised date plus the grace days."""
    grace = dt.timedelta(days=DunningSettings.current().promise_grace_days)
    return hold_place(
        actor=actor,
        customer=customer,
        reason=HoldReason.PROMISE,
        ends_on=promised_on + grace,
        note=note,
    )


@transaction.atomic
def hold_release(*, actor: User | None, hold: Hold) -> Hold:
    """End a hold today; its invoices are looked at again by the next run.

    Conflict when the hold was released already (by someone else, or twice):
    the conditional UPDATE decides, so two concurrent releases record one.
    """
    today = clock.today()
    released = Hold.objects.filter(pk=hold.pk, released_on__isnull=True).update(
        released_on=today, released_by=stored_actor(actor), updated_at=clock.now()
    )
    if not released:
        raise Conflict(gettext_lazy("This hold was already released."))
    states = InvoiceDunning.objects.filter(invoice__customer_id=hold.customer_id)
    if hold.invoice_id is not None:
        states = states.filter(invoice_id=hold.invoice_id)
    states.filter(reason="blocked").update(next_action_on=today)
    activity_record(
        verb="dunning.hold.released",
        actor=actor,
        customer_id=hold.customer_id,
        invoice_id=hold.invoice_id,
        payload={"hold": hold.pk, "reason": hold.reason},
    )
    hold.refresh_from_db()
    event_emit(type="hold.released", obj=hold)
    return hold


@transaction.atomic
def extension_grant(
    *, actor: User | None, invoice: Invoice, due_on: dt.date, note: str = ""
) -> None:
    """Move the invoice's effective due date; its plan restarts from the new date.

    Steps already performed are not repeated (the state keeps its last step).
    """
    current = (
        InvoiceDunning.objects.filter(invoice=invoice)
        .values_list("effective_due_on", flat=True)
        .first()
        or invoice.due_date
    )
    if due_on <= current:
        raise ValueError("an extension must move the due date later")
    InvoiceDunning.objects.update_or_create(
        invoice=invoice,
        defaults={"effective_due_on": due_on, "next_action_on": clock.today()},
    )
    activity_record(
        verb="dunning.extension.granted",
        actor=actor,
        customer_id=invoice.customer_id,
        invoice_id=invoice.pk,
        payload={"from": current.isoformat(), "to": due_on.isoformat(), "note": note},
    )
