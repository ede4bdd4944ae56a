"""What a message says: its invoice lines, totals and placeholder values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import override

from encaisse.accounts.models import User
from encaisse.dunning.models import (
    DunningSettings,
    InvoiceDunning,
    LatePenaltyRate,
    MessageTemplate,
)
from encaisse.dunning.penalties import late_penalty
from encaisse.dunning.rendering.sandbox import render_html, render_text, slots
from encaisse.ledger.models import Company, Customer, Invoice
from encaisse.ledger.net_position import invoice_cover
from encaisse.lib.money import format_money

# Channels whose documents claim penalties and the indemnity (SPEC §4.6).
CLAIMING_CHANNELS = frozenset({"formal_notice", "agency_notice"})


@dataclass(frozen=True, slots=True)
class Line:
    invoice_id: int
    number: str
    issue_date: dt.date
    due_date: dt.date
    balance: Decimal  # the net amount chased: open balance − cash on account covering it
    currency: str
    days_late: int
    penalty: Decimal
    indemnity: Decimal
    on_account: Decimal = Decimal("0.00")  # the part of the open balance cash on account covers


@dataclass(slots=True)
class Content:
    subject: str
    text: str
    html: str
    lines: list[Line]
    language: str
    claims: bool
    total_due: Decimal = Decimal("0")
    penalties: Decimal = Decimal("0")
    indemnities: Decimal = Decimal("0")
    deadline: dt.date | None = None
    on_account: Decimal = Decimal("0")  # cash on account deducted from the lines' balances
    on_account_note: str = ""  # the sentence that says so, under the invoices
    values: dict[str, str] = field(default_factory=dict)
    # The template's own text states the deadline ({{ notice_deadline }}): a
    # formal notice's PDF then leaves its own statement of it out.
    states_deadline: bool = False

    @property
    def total_claimed(self) -> Decimal:
        return self.total_due + self.penalties + self.indemnities


def rate_table() -> list[tuple[dt.date, Decimal]]:
    return list(
        LatePenaltyRate.objects.order_by("starts_on").values_list("starts_on", "penalty_rate")
    )


def effective_due_dates(invoices: list[Invoice]) -> dict[int, dt.date]:
    """Each invoice's due date for dunning: the extended one when an extension was granted."""
    extended = dict(
        InvoiceDunning.objects.filter(
            invoice_id__in=[i.pk for i in invoices], effective_due_on__isnull=False
        ).values_list("invoice_id", "effective_due_on")
    )
    return {i.pk: extended.get(i.pk) or i.due_date for i in invoices}


def lines_for(
    invoices: list[Invoice],
    on: dt.date,
    *,
    claims: bool,
    covers: dict[int, Decimal] | None = None,
) -> list[Line]:
    """Open invoices as message lines, with their effective due dates and their net
    amounts (what the customer's cash on account does not cover: `covers`, read
    here when not given); penalties and indemnity, on the net amount, only when
    claimed. An invoice that cash on account covers entirely has no line."""
    if covers is None:
        covers = invoice_cover({invoice.customer_id for invoice in invoices})
    policy = DunningSettings.current()
    claiming = claims and policy.claim_penalties
    contractual = policy.contractual_penalty_rate
    table = rate_table() if claiming and contractual is None else []
    # Without a contractual rate and with an empty rate table there is no rate
    # to apply: the indemnity is still due (it is a fixed sum).
    has_rate = contractual is not None or bool(table)
    due_dates = effective_due_dates(invoices)
    lines = []
    for invoice in sorted(invoices, key=lambda i: (due_dates[i.pk], i.number)):
        due = due_dates[invoice.pk]
        late = max(0, (on - due).days)
        covered = covers.get(invoice.pk, Decimal("0.00"))
        net = invoice.balance - covered
        if net <= 0:
            continue
        penalty = indemnity = Decimal("0.00")
        if claiming and late > 0:
            indemnity = policy.recovery_indemnity
        if claiming and late > 0 and has_rate:
            penalty = late_penalty(
                net,
                due,
                on,
                table,
                contractual,
                invoice.currency,
            )
        lines.append(
            Line(
                invoice.pk,
                invoice.number,
                invoice.issue_date,
                due,
                net,
                invoice.currency,
                late,
                penalty,
                indemnity,
                covered,
            )
        )
    return lines


def sender_of(
    channel: str, sender: str, sender_user: User | None, customer: Customer
) -> User | None:
    """The person who signs: the account manager for cordial steps, else the finance user."""
    if sender == "account_manager" and customer.account_manager is not None:
        return customer.account_manager
    if sender == "finance_user":
        return sender_user
    return None


def content_render(
    *,
    template: MessageTemplate,
    customer: Customer,
    lines: list[Line],
    on: dt.date,
    channel: str,
    signer: User | None,
    contact_name: str = "",
    portal_url: str | None = None,
) -> Content:
    """Render `template` for `customer` in the template's language.

    `portal_url`: the customer's personal portal link (delivery creates it in its
    transaction, so the email and the PDF carry the same one); None, for a
    preview, prints a placeholder address and creates nothing.
    """
    if portal_url is None:
        portal_url = portal_url_preview()
    company = Company.current()
    policy = DunningSettings.current()
    language = template.language
    claims = channel in CLAIMING_CHANNELS and policy.claim_penalties
    with override(language):
        currency = lines[0].currency if lines else customer.currency
        content = Content("", "", "", lines, language, claims)
        content.total_due = sum((line.balance for line in lines), Decimal("0"))
        content.penalties = sum((line.penalty for line in lines), Decimal("0"))
        content.indemnities = sum((line.indemnity for line in lines), Decimal("0"))
        content.on_account = sum((line.on_account for line in lines), Decimal("0"))
        content.deadline = on + dt.timedelta(days=policy.notice_deadline_days)

        def money(amount: Decimal) -> str:
            return format_money(amount, currency, language)

        def day(value: dt.date) -> str:
            return formats.date_format(value, "SHORT_DATE_FORMAT")

        manager = customer.account_manager
        values = {
            "company_name": company.legal_name,
            "company_address": company.address,
            "company_email": company.email,
            "company_phone": company.phone,
            "company_iban": company.iban,
            "company_bic": company.bic,
            "company_siren": company.siren,
            "customer_name": customer.name,
            "customer_code": customer.external_key,
            "contact_name": contact_name or _("Madam, Sir"),
            "account_manager_name": str(manager) if manager else "",
            "account_manager_email": manager.email if manager else "",
            "account_manager_phone": manager.phone if manager else "",
            "sender_name": str(signer) if signer else _("The accounts receivable team"),
            "invoice_count": str(len(lines)),
            "total_due": money(content.total_due),
            "oldest_due_date": day(min(line.due_date for line in lines)) if lines else "",
            "max_days_late": str(max((line.days_late for line in lines), default=0)),
            "penalties_total": money(content.penalties),
            "indemnity_total": money(content.indemnities),
            "total_claimed": money(content.total_claimed),
            "on_account_total": money(content.on_account),
            "notice_deadline": day(content.deadline),
            "today": day(on),
            "portal_url": portal_url,
        }
        note = content.on_account_note = on_account_note(content.on_account, money)
        values["invoices_table"] = _text_table(lines, claims, money, day) + (
            f"\n\n{note}" if note else ""
        )
        html_table = render_to_string(
            "dunning/_invoices_table.html",
            {
                "lines": lines,
                "claims": claims,
                "currency": currency,
                "language": language,
                "on_account_note": note,
            },
        )
        content.values = values
        content.states_deadline = "notice_deadline" in slots(template.body)
        content.subject = render_text(template.subject, values).replace("\n", " ").strip()
        content.text = render_text(template.body, values)
        link = format_html('<a href="{}">{}</a>', portal_url, portal_url)
        content.html = render_html(
            template.body, values, {"invoices_table": html_table, "portal_url": link}
        )
    return content


def portal_url_preview() -> str:
    """What a preview prints where the customer's own link will be."""
    return f"{settings.ENCAISSE_PUBLIC_URL}/portal/…/"


def on_account_note(amount: Decimal, money: Callable[[Decimal], str]) -> str:
    """The sentence under the invoices when cash on account was deducted from them."""
    if amount <= 0:
        return ""
    return _(
        "A payment of %(amount)s received on your account is being matched to your "
        "invoices: the balances above are net of it."
    ) % {"amount": money(amount)}


def _text_table(
    lines: list[Line], claims: bool, money: Callable[[Decimal], str], day: Callable[[dt.date], str]
) -> str:
    """A plain-text table, aligned for monospaced mail readers."""
    headers = [_("Invoice"), _("Due date"), _("Days late"), _("Open balance")]
    if claims:
        headers += [_("Penalties"), _("Indemnity")]
    rows = []
    for line in lines:
        row = [line.number, day(line.due_date), str(line.days_late), money(line.balance)]
        if claims:
            row += [money(line.penalty), money(line.indemnity)]
        rows.append(row)
    widths = [
        max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)
    ]
    out = []
    for row in [headers, *rows]:
        cells = (str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)
