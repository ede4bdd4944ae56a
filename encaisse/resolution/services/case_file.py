"""The case file of a handover: a ZIP the agency or the lawyer can work from (SPEC §6).

Contents (README.txt, the manifest, lists each file actually written):

1. statement.pdf — statement of account of the handed-over invoices (WeasyPrint,
   the letters' style sheet, no URL fetched);
2. invoices.csv — number, dates, amount, balance handed over, balance today,
   days late;
3. reminders.csv and messages/ — every reminder, letter and formal notice sent
   about these invoices: an email as the .eml that went out (its PDF attached
   when it had one), a letter or formal notice's PDF as kept by the outbox;
4. timeline.csv — the customer's timeline, oldest first;
5. holds.csv — the holds of the customer; disputes.csv (reason, status,
   resolution, per invoice) and promises.csv (amount, dates, outcome): what the
   customer contested or promised, the first questions an agency asks.

Everything is written in the company's language. The ZIP is built in a
spooled temporary file (memory up to 10 MB, then disk) and streamed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime
from typing import IO

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import override
from weasyprint import HTML

from encaisse.accounts.models import User
from encaisse.collab.timeline import TimelineEntry, timeline_of_customer
from encaisse.dunning.models import DunningMessage, Hold, MessageState
from encaisse.dunning.rendering.pdf import _NO_FETCH
from encaisse.ledger.models import Company, Invoice
from encaisse.lib import clock
from encaisse.resolution.models.disputes import DisputeLine
from encaisse.resolution.models.handover import Handover
from encaisse.resolution.models.promises import Promise
from encaisse.resolution.selectors.handover import handover_figures

Describe = Callable[[TimelineEntry], str]
TIMELINE_LIMIT = 10_000
# Channels that go out by email (the outbox keeps subject, body and recipients as sent).
EMAILED = frozenset({"email", "formal_notice", "agency_notice"})


@dataclass
class _Zip:
    archive: zipfile.ZipFile
    files: list[tuple[str, str]] = field(default_factory=list)

    def add(self, name: str, data: bytes | str, what: str) -> None:
        self.archive.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
        self.files.append((name, what))


def _csv(rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue()


def case_file_name(handover: Handover) -> str:
    key = handover.customer.external_key or str(handover.customer_id)
    return f"case-file-{key}-{handover.handed_on.isoformat()}.zip"


def case_file_build(
    *, handover: Handover, user: User, describe: Describe | None = None
) -> IO[bytes]:
    """The case file as a ZIP, rewound, ready to stream (`user` scopes the timeline)."""
    spool = tempfile.SpooledTemporaryFile(max_size=10 * 1024 * 1024)  # noqa: SIM115 (returned)
    with (
        override(Company.current().language),
        zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        box = _Zip(archive)
        today = clock.today()
        invoices = list(
            Invoice.objects.filter(handover_lines__handover=handover).order_by("due_date", "id")
        )
        handed = dict(handover.lines.values_list("invoice_id", "balance_handed"))
        box.add(
            "statement.pdf",
            _statement_pdf(handover, invoices, handed, today),
            _("Statement of account of the handed-over invoices"),
        )
        box.add("invoices.csv", _invoices_csv(invoices, handed, today), _("Invoice list"))
        _messages(box, handover, invoices)
        box.add("timeline.csv", _timeline_csv(handover, user, describe), _("Customer timeline"))
        box.add("holds.csv", _holds_csv(handover), _("Holds (disputes, promises, plans…)"))
        box.add("disputes.csv", _disputes_csv(handover), _("Disputes and how they ended"))
        box.add("promises.csv", _promises_csv(handover), _("Promises to pay and their outcome"))
        archive.writestr("README.txt", _manifest(handover, invoices, box.files).encode("utf-8"))
    spool.seek(0)
    return spool


def _statement_pdf(
    handover: Handover, invoices: list[Invoice], handed: dict[int, Decimal], today: dt.date
) -> bytes:
    company = Company.current()
    rows = [
        {
            "invoice": invoice,
            "paid": invoice.amount - invoice.balance,
            "handed": handed[invoice.pk],
            "days_late": max(0, (today - invoice.due_date).days) if invoice.balance else 0,
        }
        for invoice in invoices
    ]
    html = render_to_string(
        "resolution/pdf/statement.html",
        {
            "company": company,
            "customer": handover.customer,
            "handover": handover,
            "rows": rows,
            "language": company.language,
            "currency": handover.currency,
            "today": today,
            "total_amount": sum((i.amount for i in invoices), Decimal(0)),
            "total_balance": sum((i.balance for i in invoices), Decimal(0)),
            "total_handed": sum(handed.values(), Decimal(0)),
        },
    )
    return bytes(HTML(string=html, url_fetcher=_NO_FETCH).write_pdf())


def _invoices_csv(invoices: list[Invoice], handed: dict[int, Decimal], today: dt.date) -> str:
    rows: list[list[object]] = [
        [
            "number",
            "issue_date",
            "due_date",
            "currency",
            "amount",
            "balance_handed_over",
            "balance",
            "status",
            "days_late",
        ]
    ]
    for invoice in invoices:
        late = max(0, (today - invoice.due_date).days) if invoice.balance else 0
        rows.append(
            [
                invoice.number,
                invoice.issue_date.isoformat(),
                invoice.due_date.isoformat(),
                invoice.currency,
                invoice.amount,
                handed[invoice.pk],
                invoice.balance,
                invoice.status,
                late,
            ]
        )
    return _csv(rows)


def _messages(box: _Zip, handover: Handover, invoices: list[Invoice]) -> None:
    sent = (
        DunningMessage.objects.filter(
            customer_id=handover.customer_id,
            state=MessageState.SENT,
            actions__invoice__in=invoices,
        )
        .exclude(channel="rep_alert")
        .distinct()
        .order_by("sent_at", "id")
    )
    rows: list[list[object]] = [
        ["sent_at", "channel", "step", "recipients", "subject", "total", "invoices", "files"]
    ]
    for message in sent:
        day = (message.sent_at or clock.now()).date().isoformat()
        stem = f"messages/{day}-{message.channel}-{message.public_id}"
        pdf = _stored_pdf(message)
        files = []
        if message.channel in EMAILED:
            box.add(
                f"{stem}.eml",
                _eml(message, pdf),
                _("Email as sent: %(step)s") % {"step": message.step_name},
            )
            files.append(f"{stem}.eml")
        if pdf is not None:
            box.add(f"{stem}.pdf", pdf, _("Document sent: %(step)s") % {"step": message.step_name})
            files.append(f"{stem}.pdf")
        numbers = sorted(
            set(
                message.actions.filter(invoice__in=invoices).values_list(
                    "invoice__number", flat=True
                )
            )
        )
        rows.append(
            [
                message.sent_at.isoformat() if message.sent_at else "",
                message.channel,
                message.step_name,
                ", ".join(message.recipients or []),
                message.subject,
                message.total if message.total is not None else "",
                ", ".join(numbers),
                " ".join(files),
            ]
        )
    box.add("reminders.csv", _csv(rows), _("Reminders, letters and formal notices sent"))


def _stored_pdf(message: DunningMessage) -> bytes | None:
    if not message.pdf:
        return None
    try:
        with message.pdf.open("rb") as stored:
            return bytes(stored.read())
    except OSError:
        return None  # the file is gone from the storage: the .eml and the CSV still say it


def _eml(message: DunningMessage, pdf: bytes | None) -> bytes:
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = message.from_email
    email["To"] = ", ".join(message.recipients or [])
    if message.sent_at is not None:
        email["Date"] = format_datetime(message.sent_at)
    email["Message-ID"] = message.message_id_header
    email.set_content(message.body)
    if pdf is not None:
        email.add_attachment(
            pdf,
            maintype="application",
            subtype="pdf",
            filename=f"{message.get_channel_display()}.pdf",
        )
    return bytes(email)


def _timeline_csv(handover: Handover, user: User, describe: Describe | None) -> str:
    entries = timeline_of_customer(user, handover.customer_id, limit=TIMELINE_LIMIT)
    rows: list[list[object]] = [["at", "actor", "invoice", "event", "description", "details"]]
    for entry in reversed(entries):
        rows.append(
            [
                entry.created_at.isoformat(),
                entry.actor_name,
                entry.invoice_number,
                entry.verb,
                describe(entry) if describe else "",
                json.dumps(entry.payload, ensure_ascii=False, sort_keys=True),
            ]
        )
    return _csv(rows)


def _holds_csv(handover: Handover) -> str:
    holds = Hold.objects.filter(customer_id=handover.customer_id).select_related("invoice")
    rows: list[list[object]] = [["reason", "invoice", "from", "until", "released_on", "note"]]
    for hold in holds.filter(
        Q(invoice__isnull=True) | Q(invoice__handover_lines__handover=handover)
    ).order_by("starts_on", "id"):
        rows.append(
            [
                hold.reason,
                hold.invoice.number if hold.invoice else "",
                hold.starts_on.isoformat(),
                hold.ends_on.isoformat() if hold.ends_on else "",
                hold.released_on.isoformat() if hold.released_on else "",
                hold.note,
            ]
        )
    return _csv(rows)


def _disputes_csv(handover: Handover) -> str:
    lines = (
        DisputeLine.objects.filter(dispute__customer_id=handover.customer_id)
        .select_related("dispute__reason", "invoice")
        .order_by("dispute__opened_at", "id")
    )
    rows: list[list[object]] = [
        ["opened_at", "invoice", "amount", "reason", "status", "resolution", "resolved_at", "note"]
    ]
    for line in lines:
        dispute = line.dispute
        rows.append(
            [
                dispute.opened_at.date().isoformat(),
                line.invoice.number,
                line.amount,
                dispute.reason.code,
                dispute.status,
                dispute.resolution,
                dispute.resolved_at.date().isoformat() if dispute.resolved_at else "",
                dispute.resolution_note or dispute.description,
            ]
        )
    return _csv(rows)


def _promises_csv(handover: Handover) -> str:
    promises = Promise.objects.filter(customer_id=handover.customer_id).order_by("made_on", "id")
    rows: list[list[object]] = [
        ["made_on", "amount", "promised_on", "grace_until", "source", "status", "paid", "note"]
    ]
    for promise in promises:
        rows.append(
            [
                promise.made_on.isoformat(),
                promise.amount,
                promise.promised_on.isoformat(),
                promise.grace_until.isoformat(),
                promise.source,
                promise.status,
                promise.paid_amount,
                promise.note,
            ]
        )
    return _csv(rows)


def _manifest(handover: Handover, invoices: list[Invoice], files: list[tuple[str, str]]) -> str:
    figures = handover_figures(handover)
    company = Company.current()
    lines = [
        _("Case file — %(customer)s") % {"customer": handover.customer.name},
        _("From: %(company)s") % {"company": company.legal_name},
        _("Handed over to: %(to)s on %(day)s")
        % {"to": handover.handed_to, "day": handover.handed_on.isoformat()},
        _(
            "Invoices: %(count)d; balance handed over: %(handed)s %(currency)s;"
            " balance today: %(balance)s %(currency)s"
        )
        % {
            "count": len(invoices),
            "handed": figures.handed,
            "balance": sum((i.balance for i in invoices), Decimal(0)),
            "currency": handover.currency,
        },
        _("Built on %(day)s") % {"day": clock.today().isoformat()},
        "",
        _("Files:"),
    ]
    lines += [f"- {name}: {what}" for name, what in files]
    lines.append("")
    lines.append(
        _("Emails are given as sent (.eml, their PDF attached); letters and formal notices as PDF.")
    )
    return "\r\n".join(lines) + "\r\n"


def manifest_files(readme: str) -> list[str]:
    """The file names README.txt lists (the tests read the manifest back)."""
    return [line[2:].split(": ", 1)[0] for line in readme.splitlines() if line.startswith("- ")]
