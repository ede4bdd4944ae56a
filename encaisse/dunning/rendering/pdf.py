"""Letters and formal notices as PDF documents (SPEC §4.3, §4.6), through WeasyPrint.

The body is the user's template as already rendered (`content.text`), with its
plain-text invoice table replaced by a real table followed by the totals;
everything a formal notice must state whatever the template says
(deadline, how to pay, consequences, the penalty rates and the indemnity) is
laid out by our own templates under `dunning/pdf/`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import override
from stdnum import iban as iban_format
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from encaisse.dunning.models import DunningMessage, DunningSettings
from encaisse.dunning.penalties import penalty_segments, semester_start
from encaisse.dunning.rendering.context import Content, Line, rate_table
from encaisse.ledger.models import Company, Customer
from encaisse.lib import clock
from encaisse.lib.qr import qr_svg

# Every URL is refused: a document never fetches anything, whatever its text says.
_NO_FETCH = URLFetcher(allowed_protocols=frozenset())


@dataclass(frozen=True, slots=True)
class RatePeriod:
    """Consecutive days late charged at one rate (one or more semesters)."""

    first: dt.date
    last: dt.date
    rate: Decimal


def document_pdf(*, message: DunningMessage, content: Content, customer: Customer) -> bytes:
    html = document_html(message=message, content=content, customer=customer)
    return bytes(HTML(string=html, url_fetcher=_NO_FETCH).write_pdf())


def document_html(*, message: DunningMessage, content: Content, customer: Customer) -> str:
    """The document as HTML for print, in the message's language."""
    company = Company.current()
    policy = DunningSettings.current()
    periods = rate_periods(content.lines, policy.contractual_penalty_rate) if content.claims else []
    before, after = body_blocks(content)
    template = "formal_notice" if message.channel == "formal_notice" else "letter"
    portal_url = content.values.get("portal_url", "")
    with override(content.language):
        context = {
            "company": company,
            "company_place": _place(company.address),
            "company_iban": iban_format.format(company.iban) if company.iban else "",
            "customer": customer,
            "message": message,
            "content": content,
            "language": content.language,
            "currency": content.lines[0].currency if content.lines else customer.currency,
            "today": clock.today(),
            "paragraphs_before": before,
            "paragraphs_after": after,
            "rate_periods": [
                {"first": p.first, "last": p.last, "rate": percent(p.rate)} for p in periods
            ],
            "contractual": policy.contractual_penalty_rate is not None,
            "indemnity": policy.recovery_indemnity,
            "invoice_numbers": ", ".join(line.number for line in content.lines),
            "portal_url": portal_url,
            "portal_qr": qr_svg(portal_url) if portal_url else "",
        }
        return render_to_string(f"dunning/pdf/{template}.html", context)


def percent(rate: Decimal) -> str:
    """12.150 → "12.15%" / "12,15 %": two decimals, three when the rate has them."""
    exponent = rate.normalize().as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return _("%(rate)s%%") % {"rate": formats.number_format(rate, places, use_l10n=True)}


def body_blocks(content: Content) -> tuple[list[str], list[str]]:
    """The body's paragraphs before and after the invoice table.

    A paragraph that only recites the totals (each line ending in one of the
    total amounts, as the default templates' "Total due: …" lines do) is left
    out: the totals under the table show the same figures. A template without the
    table slot gets the table after its text.
    """
    table = content.values.get("invoices_table", "")
    text = content.text.replace("\r\n", "\n")
    if table and table in text:
        before, after = text.split(table, 1)
    else:
        before, after = text, ""
    totals = [
        content.values[name]
        for name in ("total_due", "penalties_total", "indemnity_total", "total_claimed")
        if content.values.get(name)
    ]
    # A recital line is a short label, a colon, then one of the figures
    # ("Total dû : 1 234,00 €"); a sentence that merely ends with an amount
    # ("Please pay the sum of 1 234,00 €") is the user's wording and stays.
    figures = "|".join(re.escape(total) for total in totals)
    recital = re.compile(rf"^[^:\n]{{1,120}}:\s*(?:{figures})(?:\s*\([^)]*\))?$")

    # A line giving the portal link is left out too: the payment box prints the
    # link and its QR code.
    portal = content.values.get("portal_url", "")

    def paragraphs(chunk: str) -> list[str]:
        kept = []
        for paragraph in re.split(r"\n\s*\n", chunk):
            lines = [
                line.strip()
                for line in paragraph.strip().splitlines()
                if line.strip() and not (portal and portal in line)
            ]
            if lines and not (totals and all(recital.search(line) for line in lines)):
                kept.append("\n".join(lines))
        return kept

    return paragraphs(before), paragraphs(after)


def rate_periods(lines: list[Line], contractual_rate: Decimal | None) -> list[RatePeriod]:
    """The rates charged, per run of semesters at the same rate, over every invoice.

    Each invoice is late from the day after its due date to the computation
    day, which is the same for all of them, so the union is one run of days.
    """
    table = rate_table()
    by_semester: dict[dt.date, RatePeriod] = {}
    for line in lines:
        if line.days_late <= 0 or line.penalty == 0:
            continue
        on = line.due_date + dt.timedelta(days=line.days_late)
        for first, last, _days, rate, _amount in penalty_segments(
            line.balance, line.due_date, on, table, contractual_rate
        ):
            start = semester_start(first)
            known = by_semester.get(start)
            if known is not None:
                first, last = min(first, known.first), max(last, known.last)
            by_semester[start] = RatePeriod(first, last, rate)
    merged: list[RatePeriod] = []
    for period in (by_semester[start] for start in sorted(by_semester)):
        if merged and merged[-1].rate == period.rate:
            merged[-1] = RatePeriod(merged[-1].first, period.last, period.rate)
        else:
            merged.append(period)
    return merged


def _place(address: str) -> str:
    """The town of the company's address: the line with the postal code, without
    the code or a CEDEX mention ("69002 Lyon Cedex 02" → "Lyon"); "" if none."""
    for line in reversed(address.splitlines()):
        town = re.fullmatch(r"\s*(?:F-)?\d{4,5}\s+(.+?)\s*", line)
        if town:
            return re.sub(r"\s+cedex\b.*$", "", town.group(1), flags=re.IGNORECASE)
    return ""
