"""Handing a prepared message to its channel: SMTP for emails, a task for letters to post."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils.translation import gettext as _
from django.utils.translation import override

from encaisse.collab.models import TaskKind
from encaisse.collab.services import task_create
from encaisse.dunning.delivery.prepare import EMAIL_CHANNELS, Prepared
from encaisse.dunning.models import DunningMessage
from encaisse.ledger.models import Company
from encaisse.lib import clock


def transmit(message: DunningMessage, prepared: Prepared) -> None:
    """Send by email (raises on failure) and/or ask finance to post the letter."""
    if message.channel in EMAIL_CHANNELS:
        email_build(message, prepared).send()
    if message.channel == "letter" or message.registered_mail:
        _post_task(message)


def email_build(message: DunningMessage, prepared: Prepared) -> EmailMultiAlternatives:
    content = prepared.content
    email = EmailMultiAlternatives(
        subject=content.subject,
        body=content.text,
        from_email=prepared.from_email,
        to=prepared.recipients,
        reply_to=prepared.reply_to or None,
        headers={"Message-ID": message.message_id_header, "Auto-Submitted": "auto-generated"},
        connection=get_connection(),
    )
    email.attach_alternative(
        f'<html lang="{content.language}"><body>{content.html}</body></html>', "text/html"
    )
    if prepared.pdf is not None:
        email.attach(f"{message.get_channel_display()}.pdf", prepared.pdf, "application/pdf")
    return email


def _post_task(message: DunningMessage) -> None:
    with override(Company.current().language):
        registered = (
            _(" by registered mail with acknowledgement") if message.registered_mail else ""
        )
        task_create(
            actor=None,
            kind=TaskKind.POST_LETTER,
            title=_("Print and post the %(document)s to %(customer)s%(registered)s")
            % {
                "document": message.get_channel_display().lower(),
                "customer": message.customer.name,
                "registered": registered,
            },
            due_on=clock.today(),
            customer_id=message.customer_id,
            source_key=f"dunning:post:{message.pk}",
        )
