"""Dunning objects for the web tests: messages in each state for one portfolio.

Rows are written as the run and the outbox would leave them (a message, its
actions, a delivery attempt, a kept PDF), so that each page has something real
to show without running the whole engine in every test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile

from encaisse.dunning.models import (
    ActionStatus,
    AttemptOutcome,
    Channel,
    DeliveryAttempt,
    DunningAction,
    DunningMessage,
    DunningPlan,
    DunningStep,
    MessageState,
)
from encaisse.ledger.models import Customer, Invoice
from encaisse.lib import clock

PDF = b"%PDF-1.4\n% a kept formal notice\n%%EOF\n"


@dataclass
class Messages:
    to_review: DunningMessage
    failed: DunningMessage
    sent: DunningMessage  # a formal notice, with its PDF


def message_for(
    customer: Customer,
    invoices: list[Invoice],
    *,
    state: str,
    channel: str = Channel.EMAIL,
    step: DunningStep | None = None,
    on: dt.date | None = None,
    tag: str = "",
) -> DunningMessage:
    on = on or clock.today()
    step = step or default_step("formal_notice" if channel == Channel.FORMAL_NOTICE else "email")
    message = DunningMessage.objects.create(
        key=f"{on.isoformat()}:{customer.pk}:{channel}{tag}",
        customer=customer,
        channel=channel,
        step=step,
        step_name=step.name,
        template_code=step.template_code or "reminder_1",
        language="fr",
        state=state,
        decided_on=on,
        next_attempt_at=clock.now(),
    )
    status = {
        MessageState.TO_REVIEW: ActionStatus.TO_REVIEW,
        MessageState.SENT: ActionStatus.DONE,
        MessageState.FAILED: ActionStatus.CANCELLED,
    }.get(state, ActionStatus.PLANNED)
    for invoice in invoices:
        DunningAction.objects.create(
            invoice=invoice,
            customer=customer,
            step=None,  # (invoice, step) is unique: samples do not claim the plan's steps
            step_name=step.name,
            action=step.action,
            message=message,
            status=status,
            status_reason="delivery_failed" if state == MessageState.FAILED else "",
            decided_on=on,
            balance=invoice.balance,
        )
    return message


def default_step(action: str) -> DunningStep:
    plan = DunningPlan.objects.get(is_default=True)
    return plan.steps.filter(action=action).order_by("offset_days").first()  # type: ignore[return-value]


def messages_for(customer: Customer, invoice: Invoice) -> Messages:
    review = message_for(
        customer, [invoice], state=MessageState.TO_REVIEW, channel=Channel.FORMAL_NOTICE
    )
    failed = message_for(customer, [invoice], state=MessageState.FAILED, tag=":failed")
    DeliveryAttempt.objects.create(
        message=failed,
        number=1,
        outcome=AttemptOutcome.PERMANENT,
        error="SMTPRecipientsRefused: 550 no such user",
    )
    DunningMessage.objects.filter(pk=failed.pk).update(
        attempts=1, last_error="SMTPRecipientsRefused: 550 no such user"
    )
    failed.refresh_from_db()
    sent = message_for(
        customer,
        [invoice],
        state=MessageState.SENT,
        channel=Channel.FORMAL_NOTICE,
        on=clock.today() - dt.timedelta(days=20),
    )
    sent.subject = f"Mise en demeure – {customer.name}"
    sent.body = "Madame, Monsieur,\n\nVeuillez régler.\n\nFacture  Solde\nX-1      10,00 €"
    sent.recipients = ["compta@client.test"]
    sent.from_email = "Atelier <relances@atelier.test>"
    sent.total = Decimal(invoice.balance)
    sent.sent_at = clock.now() - dt.timedelta(days=20)
    sent.pdf.save(f"formal-notice-{sent.public_id}.pdf", ContentFile(PDF), save=False)
    sent.save()
    DeliveryAttempt.objects.create(message=sent, number=1, outcome=AttemptOutcome.SENT)
    return Messages(to_review=review, failed=failed, sent=sent)
