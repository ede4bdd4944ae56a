"""Reminding instalments like invoices, with their own amount (issue 9, SPEC §4.3).

While a plan is active its invoices are held from dunning; the customer is
reminded of the instalments instead, through the dunning outbox:

1. Daily (`instalment_reminders_queue`), for each unpaid instalment of an
   active plan: a *preventive* email from PREVENTIVE_DAYS before its date
   until the day before, and a *late* reminder from the day after its date
   while the grace days run (after them the plan defaults and dunning takes
   over the invoices).
2. One message per instalment and kind, keyed "instalment:<id>:<kind>"
   (unique): re-runs, catch-ups and concurrent jobs never send it twice.
   The customer's minimum gap between contacts postpones it (the next day's
   job tries again while its window lasts), never doubles it.
3. The message is delivered by the outbox workers after commit; at delivery it
   is re-validated (`instalment_prepare`, registered with the outbox): an
   instalment paid since, a preventive one whose date has come, or a plan no
   longer active cancels it. Templates `instalment_due` and `instalment_late`
   (French and English, editable) with the instalment's placeholders.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from encaisse.dunning.delivery import prepare as outbox_prepare
from encaisse.dunning.delivery.tasks import deliver_message
from encaisse.dunning.models import Channel, CustomerDunning, DunningMessage, MessageState
from encaisse.dunning.rendering.context import Content
from encaisse.dunning.rendering.sandbox import PLACEHOLDERS, render_html, render_text
from encaisse.ledger.models import Company
from encaisse.lib import clock
from encaisse.lib.money import format_money
from encaisse.resolution.models.payment_plans import (
    Instalment,
    InstalmentStatus,
    PaymentPlan,
    PlanStatus,
)
from encaisse.resolution.services.portal import portal_link_for

KEY_PREFIX = "instalment"
PREVENTIVE_DAYS = 5  # as the default dunning plan's J−5 preventive email
TEMPLATES = {"due": "instalment_due", "late": "instalment_late"}

PLACEHOLDERS.update(
    {
        "instalment_number": gettext_lazy("Instalment plans: the instalment's number"),
        "instalment_amount": gettext_lazy("Instalment plans: what is left to pay of it"),
        "instalment_due_date": gettext_lazy("Instalment plans: its due date"),
        "plan_total": gettext_lazy("Instalment plans: the plan's amount"),
        "plan_remaining": gettext_lazy("Instalment plans: what is left to pay on the plan"),
    }
)


def _kind_on(instalment: Instalment, grace_days: int, on: dt.date) -> str | None:
    if instalment.due_on - dt.timedelta(days=PREVENTIVE_DAYS) <= on < instalment.due_on:
        return "due"
    if instalment.due_on < on <= instalment.due_on + dt.timedelta(days=grace_days):
        return "late"
    return None


def instalment_reminders_queue(*, on: dt.date | None = None) -> int:
    """Queue the day's instalment messages (see the module's docstring); returns how many."""
    today = on or clock.today()
    horizon = today + dt.timedelta(days=PREVENTIVE_DAYS)
    candidates = (
        Instalment.objects.filter(
            plan__status=PlanStatus.ACTIVE,
            status__in=[InstalmentStatus.PENDING, InstalmentStatus.PARTIALLY_PAID],
            due_on__lte=horizon,
        )
        .select_related("plan__customer")
        .order_by("plan__customer_id", "due_on", "plan_id", "sequence")
    )
    queued = 0
    for instalment in candidates:
        kind = _kind_on(instalment, instalment.plan.grace_days, today)
        if kind is not None and _queue_one(instalment, kind, today):
            queued += 1
    return queued


@transaction.atomic
def _queue_one(instalment: Instalment, kind: str, today: dt.date) -> bool:
    key = f"{KEY_PREFIX}:{instalment.pk}:{kind}"
    if DunningMessage.objects.filter(key=key).exists():
        return False
    customer = instalment.plan.customer
    # Lock the row holding the last contact: the gap check and the message go together.
    CustomerDunning.objects.get_or_create(customer=customer)
    state = CustomerDunning.objects.select_for_update().get(customer=customer)
    gap = dt.timedelta(days=Company.current().min_contact_gap_days)
    if state.last_contact_on is not None and today < state.last_contact_on + gap:
        return False  # postponed: tomorrow's job tries again while the window lasts
    language = customer.language or Company.current().language
    with override(language):
        if kind == "due":
            step = _("Instalment %(number)s coming up")
        else:
            step = _("Instalment %(number)s late")
    try:
        with transaction.atomic():
            message = DunningMessage.objects.create(
                key=key,
                customer=customer,
                channel=Channel.EMAIL,
                step_name=step % {"number": instalment.sequence},
                template_code=TEMPLATES[kind],
                language=language,
                state=MessageState.PENDING,
                decided_on=today,
                next_attempt_at=clock.now(),
            )
    except IntegrityError:
        return False  # a concurrent job queued it first
    state.last_contact_on = today
    state.save(update_fields=["last_contact_on"])
    transaction.on_commit(lambda: deliver_message.enqueue(message.pk))
    return True


def instalment_prepare(message: DunningMessage) -> outbox_prepare.Prepared | None:
    """Re-validate and render an instalment message at delivery (None: cancel it)."""
    _prefix, ident, kind = message.key.split(":")
    instalment = Instalment.objects.select_related("plan__customer").filter(pk=int(ident)).first()
    today = clock.today()
    if (
        instalment is None
        or instalment.plan.status != PlanStatus.ACTIVE
        or instalment.paid_amount >= instalment.amount
        or (kind == "due" and today >= instalment.due_on)
    ):
        return None
    plan = instalment.plan
    template = outbox_prepare._template(message.template_code, message.language)
    recipients, contact_name = outbox_prepare._recipients(message)
    left = instalment.amount - instalment.paid_amount
    content = _render(template, plan, instalment, left, contact_name)
    prepared = outbox_prepare.Prepared(content, [], recipients)
    prepared.from_email, prepared.reply_to = outbox_prepare._sender_address(None)
    message.subject = content.subject[:250]
    message.body = content.text
    message.recipients = recipients
    message.from_email = prepared.from_email
    message.total = left
    message.save(update_fields=["subject", "body", "recipients", "from_email", "total"])
    return prepared


def _render(
    template: object, plan: PaymentPlan, instalment: Instalment, left: Decimal, contact: str
) -> Content:
    company = Company.current()
    language = getattr(template, "language", "fr")
    paid = sum((i.paid_amount for i in plan.instalments.all()), Decimal("0"))
    with override(language):

        def money(amount: Decimal) -> str:
            return format_money(amount, plan.currency, language)

        values = {
            "company_name": company.legal_name,
            "company_iban": company.iban,
            "company_bic": company.bic,
            "company_email": company.email,
            "company_phone": company.phone,
            "customer_name": plan.customer.name,
            "customer_code": plan.customer.external_key,
            "contact_name": contact or _("Madam, Sir"),
            "sender_name": _("The accounts receivable team"),
            "instalment_number": str(instalment.sequence),
            "instalment_amount": money(left),
            "instalment_due_date": formats.date_format(instalment.due_on, "SHORT_DATE_FORMAT"),
            "plan_total": money(plan.total),
            "plan_remaining": money(plan.total - paid),
            "today": formats.date_format(clock.today(), "SHORT_DATE_FORMAT"),
            # Created or reused in the claiming transaction, as for the reminders.
            "portal_url": portal_link_for(customer=plan.customer).url,
        }
        subject = render_text(getattr(template, "subject", ""), values)
        body = getattr(template, "body", "")
        content = Content(
            subject.replace("\n", " ").strip(),
            render_text(body, values),
            render_html(body, values, {}),
            [],
            language,
            False,
        )
        content.total_due = left
        content.values = values
    return content


outbox_prepare.PREPARERS[KEY_PREFIX] = instalment_prepare
