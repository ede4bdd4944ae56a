"""Every reminder carries the customer's personal link: the email through a real SMTP
server opens the customer's page, and the letter's PDF prints the same link and its QR code."""

from __future__ import annotations

import datetime as dt
import re
from email.message import Message
from pathlib import Path

import pytest
import time_machine
from django.test import Client, override_settings

from encaisse.dunning.models import DunningMessage, MessageState, MessageTemplate
from encaisse.dunning.rendering.context import content_render, lines_for
from encaisse.dunning.rendering.pdf import document_html
from encaisse.dunning.rendering.sandbox import PLACEHOLDERS, template_errors
from encaisse.resolution.models import PortalLink
from encaisse.resolution.services.portal import portal_link_for
from tests.dunning.conftest import invoice_due, remindable_customer, run_day
from tests.smtp import Inbox

pytestmark = pytest.mark.django_db


def part(message: Message, content_type: str) -> str:
    """The decoded text of the message's part of `content_type`."""
    found = next(p for p in message.walk() if p.get_content_type() == content_type)
    payload = found.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


LINK = re.compile(r"http://localhost:8000(/portal/[A-Za-z0-9_-]{43}/)")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_reminder_email_carries_a_link_that_opens_the_customers_page(
    smtp_inbox: Inbox, client: Client, language: str
) -> None:
    customer = remindable_customer(None, "Menuiserie du Lac", language=language)
    invoice = invoice_due(customer, dt.date(2026, 11, 20), "980.00")
    day = dt.date(2026, 11, 23)  # due + 3: the default plan's first reminder

    with time_machine.travel(dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)):
        run_day(day)
        sent = smtp_inbox.messages[0]
        body = part(sent, "text/plain")
        found = LINK.search(body)
        assert found is not None, body
        assert f'href="http://localhost:8000{found.group(1)}"' in part(sent, "text/html")

        page = client.get(found.group(1))

    assert page.status_code == 200
    assert "Menuiserie du Lac" in page.content.decode() and invoice.number in page.content.decode()
    link = PortalLink.objects.get(customer=customer)
    assert link.last_seen_at is not None
    message = DunningMessage.objects.get(customer=customer)
    assert message.state == MessageState.SENT and found.group(0) in message.body


def test_the_next_reminder_carries_the_same_link(smtp_inbox: Inbox) -> None:
    customer = remindable_customer(None, "Menuiserie du Lac")
    invoice_due(customer, dt.date(2026, 11, 10), "980.00")
    for day in (dt.date(2026, 11, 13), dt.date(2026, 11, 20)):  # reminders 1 and 2
        with time_machine.travel(dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC)):
            run_day(day)

    bodies = [part(message, "text/plain") for message in smtp_inbox.messages]
    links = {found.group(0) for body in bodies if (found := LINK.search(body))}
    assert len(bodies) == 2 and len(links) == 1
    assert PortalLink.objects.filter(customer=customer).count() == 1


def test_a_letter_prints_the_link_and_its_qr_code(tmp_path: Path) -> None:
    customer = remindable_customer(None, "Menuiserie du Lac")
    invoice_due(customer, dt.date(2026, 10, 1), "980.00")
    on = dt.date(2026, 12, 6)
    url = portal_link_for(customer=customer).url
    template = MessageTemplate.objects.get(code="letter", language="fr")
    content = content_render(
        template=template,
        customer=customer,
        lines=lines_for(list(customer.invoices.all()), on, claims=False),
        on=on,
        channel="letter",
        signer=None,
        portal_url=url,
    )
    message = DunningMessage(customer=customer, channel="letter", language="fr")

    with override_settings(MEDIA_ROOT=tmp_path):
        html = document_html(message=message, content=content, customer=customer)

    assert url in html and url in content.text
    assert html.count("<svg") == 1 and 'class="qr"' in html
    assert "Votre espace client" in html


def test_portal_url_is_a_documented_sandbox_placeholder() -> None:
    assert "portal_url" in PLACEHOLDERS
    assert template_errors("Votre espace : {{ portal_url }}") == []
    for template in MessageTemplate.objects.exclude(code="rep_alert"):
        assert "{{ portal_url }}" in template.body, (template.code, template.language)
