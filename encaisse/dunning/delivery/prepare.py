"""Re-validating and rendering a claimed message, inside the claiming transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from encaisse.accounts.models import User
from encaisse.dunning.delivery.errors import PermanentFailure
from encaisse.dunning.models import ActionStatus, DunningAction, DunningMessage, MessageTemplate
from encaisse.dunning.rendering.context import (
    CLAIMING_CHANNELS,
    Content,
    content_render,
    effective_due_dates,
    lines_for,
    sender_of,
)
from encaisse.dunning.services.facts import blocks_on
from encaisse.ledger.models import Company, Invoice
from encaisse.ledger.net_position import invoice_cover
from encaisse.lib import clock
from encaisse.resolution.services.portal import portal_link_for

# Channels rendered to a PDF that is kept (and attached when emailed).
PDF_CHANNELS = frozenset({"letter", "formal_notice"})
# Channels sent by email (a letter is printed and posted by a person).
EMAIL_CHANNELS = frozenset({"email", "formal_notice", "agency_notice", "rep_alert"})


# Messages about something other than invoices (an instalment of a plan): the
# domain that queues them registers, by the prefix of their key, how to
# re-validate and render them at delivery (resolution.services.instalment_reminders).
PREPARERS: dict[str, Callable[[DunningMessage], Prepared | None]] = {}


@dataclass(slots=True)
class Prepared:
    content: Content
    invoice_ids: list[int]
    recipients: list[str] = field(default_factory=list)
    from_email: str = ""
    reply_to: list[str] = field(default_factory=list)
    pdf: bytes | None = None


def prepare(message: DunningMessage) -> Prepared | None:
    """Drop the invoices paid, credited or blocked since the decision; render the rest.

    None when no invoice is left (the message is then cancelled).
    """
    custom = PREPARERS.get(message.key.partition(":")[0])
    if custom is not None:
        return custom(message)
    today = clock.today()
    actions = list(
        DunningAction.objects.filter(
            message=message, status__in=[ActionStatus.PLANNED, ActionStatus.TO_REVIEW]
        ).select_related("invoice", "step")
    )
    blocks = blocks_on(today, customer_id=message.customer_id)
    due_dates = effective_due_dates([action.invoice for action in actions])
    customer = message.customer
    covers = invoice_cover([customer.pk])
    kept: list[Invoice] = []
    for action in actions:
        invoice = action.invoice
        reason = ""
        if not invoice.is_open:
            reason = "settled"
        elif covers.get(invoice.pk, 0) >= invoice.balance:
            reason = "covered"  # cash on account received since the decision covers it
        elif blocks.for_invoice(invoice.pk, customer.pk, customer.status) is not None:
            reason = "blocked"
        elif action.step is not None and (
            due_dates[invoice.pk] + dt.timedelta(days=action.step.offset_days) > today
        ):
            reason = "extended"  # a due-date extension granted since the decision
        if reason:
            DunningAction.objects.filter(pk=action.pk).update(
                status=ActionStatus.DROPPED, status_reason=reason
            )
        else:
            kept.append(invoice)
    if not kept:
        return None
    channel = message.channel
    lines = lines_for(kept, today, claims=channel in CLAIMING_CHANNELS, covers=covers)
    template = _template(message.template_code, message.language)
    signer = sender_of(channel, message.sender, message.sender_user, customer)
    recipients, contact_name = _recipients(message)
    portal_url = None
    if channel != "rep_alert":
        # Created (or reused) in the claiming transaction: the email and the PDF
        # rendered below carry the same link, and a rolled-back delivery leaves none.
        portal_url = portal_link_for(customer=customer).url
    content = content_render(
        template=template,
        customer=customer,
        lines=lines,
        on=today,
        channel=channel,
        signer=signer,
        contact_name=contact_name,
        portal_url=portal_url or "",
    )
    prepared = Prepared(content, [line.invoice_id for line in lines], recipients)
    prepared.from_email, prepared.reply_to = _sender_address(signer)
    if channel in PDF_CHANNELS:
        from encaisse.dunning.rendering.pdf import document_pdf

        prepared.pdf = document_pdf(message=message, content=content, customer=customer)
        message.pdf.save(
            f"{channel}-{message.public_id}.pdf", ContentFile(prepared.pdf), save=False
        )
    message.subject = content.subject[:250]
    message.body = content.text
    message.recipients = recipients
    message.from_email = prepared.from_email
    message.total = content.total_due
    message.save(update_fields=["subject", "body", "recipients", "from_email", "total", "pdf"])
    return prepared


def _template(code: str, language: str) -> MessageTemplate:
    fallback = [language, Company.current().language, "fr", "en"]
    templates = {t.language: t for t in MessageTemplate.objects.filter(code=code)}
    for candidate in fallback:
        if candidate in templates:
            return templates[candidate]
    raise PermanentFailure(_("No template “%(code)s” exists.") % {"code": code})


def _recipients(message: DunningMessage) -> tuple[list[str], str]:
    """Email addresses and the greeting name; a permanent failure when there is none."""
    customer = message.customer
    if message.channel == "rep_alert":
        manager = customer.account_manager
        if manager is None or not manager.email:
            raise PermanentFailure(_("The customer has no account manager with an email address."))
        return [manager.email], str(manager)
    if message.channel not in EMAIL_CHANNELS:
        return [], ""  # a letter: posted, not emailed
    contacts = [c for c in customer.contacts.all() if c.email]
    preferred = [c for c in contacts if c.preferred_for_reminders] or contacts
    if not preferred:
        raise PermanentFailure(_("No contact of this customer has an email address."))
    return [c.email for c in preferred], preferred[0].name if len(preferred) == 1 else ""


def _sender_address(signer: User | None) -> tuple[str, list[str]]:
    """The company's address, under the signer's name for a signed step; replies
    to a cordial step go to the account manager who signs it.

    Sending from the company's own address (not the rep's) keeps SPF/DKIM valid.
    """
    company = Company.current()
    default_name, default_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    address = company.email or default_address
    name = (signer.get_full_name() if signer else "") or company.legal_name or default_name
    reply_to = [signer.email] if signer is not None and signer.email else []
    return formataddr((name, address)), reply_to
