"""One reminder as it went out: wording, recipients, delivery attempts, its PDF."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.header import decode_header, make_header

from django.contrib.auth.decorators import login_required
from django.db.models import Case, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from encaisse.dunning.models import DunningAction, DunningMessage, MessageState, MessageTemplate
from encaisse.dunning.rendering.context import (
    CLAIMING_CHANNELS,
    Content,
    content_render,
    lines_for,
    sender_of,
)
from encaisse.dunning.rendering.sandbox import TemplateRefused
from encaisse.dunning.selectors import message_attempts, message_rows, messages_visible_to
from encaisse.lib import clock
from encaisse.web.views.access import may_remind
from encaisse.web.views.listing import viewer


@dataclass(frozen=True, slots=True)
class BodyBlock:
    text: str
    rows: list[list[str]]  # the invoices table of the text version, cell by cell


UPCOMING_STATES = frozenset({MessageState.TO_REVIEW, MessageState.PENDING})
# Columns of the text version's invoices table are padded with two spaces or more
# (regular spaces: amounts use no-break spaces between their digit groups).
_COLUMNS = re.compile(r"\S {2,}\S")
_GAP = re.compile(r" {2,}")


def body_blocks(body: str) -> list[BodyBlock]:
    """The text as sent, in paragraphs; the aligned table back in rows and cells."""
    blocks = []
    for paragraph in body.replace("\r\n", "\n").split("\n\n"):
        if not paragraph.strip():
            continue
        lines = paragraph.strip("\n").split("\n")
        tabular = len(lines) > 1 and all(_COLUMNS.search(line) for line in lines)
        rows = [_GAP.split(line.strip()) for line in lines] if tabular else []
        blocks.append(BodyBlock(paragraph.strip("\n"), rows))
    return blocks


def readable_address(header: str) -> str:
    """An address header as a person reads it (RFC 2047 words decoded)."""
    try:
        return str(make_header(decode_header(header)))
    except (HeaderParseError, UnicodeDecodeError, LookupError):
        return header


def upcoming_content(message: DunningMessage) -> Content | None:
    """What a message waiting for review (or delivery) would say if it went out today.

    Rendered like delivery does, for the invoices of the message still open;
    None once the message has its wording (sent, failed) or when nothing is left.
    """
    if message.subject or message.state not in UPCOMING_STATES:
        return None
    template = (
        MessageTemplate.objects.filter(code=message.template_code)
        .order_by(Case(When(language=message.language, then=0), default=1), "language")
        .first()
    )
    invoices = [
        action.invoice
        for action in DunningAction.objects.filter(message=message).select_related("invoice")
        if action.invoice.is_open
    ]
    if template is None or not invoices:
        return None
    today = clock.today()
    customer = message.customer
    try:
        return content_render(
            template=template,
            customer=customer,
            lines=lines_for(invoices, today, claims=message.channel in CLAIMING_CHANNELS),
            on=today,
            channel=message.channel,
            signer=sender_of(message.channel, message.sender, message.sender_user, customer),
        )
    except TemplateRefused:
        return None


@login_required
@require_GET
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = viewer(request)
    message = get_object_or_404(
        messages_visible_to(user).select_related(
            "customer",
            "customer__account_manager",
            "created_by",
            "reviewed_by",
            "gap_overridden_by",
            "sender_user",
            "run",
        ),
        pk=pk,
    )
    context = {
        "message": message,
        "row": message_rows([message])[0],
        "attempts": list(message_attempts(message)),
        "blocks": body_blocks(message.body),
        "from_address": readable_address(message.from_email),
        "upcoming": upcoming_content(message),
        "can_act": user.can_edit_ledger,
        "can_remind": may_remind(user, message.customer),
    }
    return render(request, "web/dunning/message_detail.html", context)


@login_required
@require_GET
def message_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """The letter or formal notice as kept; only for a customer the viewer may see."""
    message = get_object_or_404(messages_visible_to(viewer(request)), pk=pk)
    if not message.pdf:
        raise Http404("no PDF for this message")
    try:
        handle = message.pdf.open("rb")
    except FileNotFoundError as missing:
        raise Http404("the PDF file is missing") from missing
    name = f"{message.get_channel_display()}-{message.customer.external_key}-{message.decided_on}"
    return FileResponse(handle, content_type="application/pdf", filename=f"{name}.pdf")
