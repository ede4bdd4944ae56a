"""The portal's PDFs: the statement of account and an open invoice's summary (WeasyPrint).

Same letterhead and style as the dunning letters (`dunning/pdf/letter.css`); no
URL is ever fetched while rendering.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import override
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from encaisse.ledger.models import Invoice
from encaisse.lib import clock
from encaisse.resolution.selectors.portal import (
    Account,
    customer_reference,
    invoice_reference,
    pay_by,
)

_NO_FETCH = URLFetcher(allowed_protocols=frozenset())


def _pdf(template: str, context: dict[str, Any], language: str) -> bytes:
    with override(language):
        html = render_to_string(template, {**context, "language": language})
    return bytes(HTML(string=html, url_fetcher=_NO_FETCH).write_pdf())


def statement_pdf(account: Account, language: str) -> bytes:
    """Every open invoice, the cash on account, the net due and how to pay it."""
    customer = account.customer
    context = {
        "account": account,
        "customer": customer,
        "company": account.company,
        "today": account.on,
        "generated_at": clock.now(),
        "rows": [(invoice, invoice.days_late(account.on)) for invoice in account.invoices],
        "pay": pay_by(
            account.company, account.net_due, customer.currency, customer_reference(customer)
        ),
    }
    return _pdf("resolution/portal/statement.html", context, language)


def invoice_pdf(account: Account, invoice: Invoice, language: str) -> bytes:
    """One invoice: its figures, what was paid, its open balance and how to pay it."""
    context = {
        "account": account,
        "customer": account.customer,
        "company": account.company,
        "today": account.on,
        "invoice": invoice,
        "paid": invoice.amount - invoice.balance,
        "days_late": invoice.days_late(account.on),
        "pay": pay_by(
            account.company, invoice.balance, invoice.currency, invoice_reference(invoice)
        ),
    }
    return _pdf("resolution/portal/invoice.html", context, language)
