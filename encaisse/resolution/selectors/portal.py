"""What a customer's portal shows: only that customer's rows, never a list to filter.

Every read starts from the customer the link names (there is no viewer to
scope by: the link is the authorization), so no parameter of a request can
reach another customer's data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, QuerySet
from stdnum import iban as stdnum_iban

from encaisse.ledger.models import Company, CreditNote, Customer, Invoice, Payment
from encaisse.ledger.net_position import cash_on_account
from encaisse.ledger.selectors import open_invoices
from encaisse.lib.qr import qr_svg
from encaisse.lib.sepa import epc_payload, rf_format, rf_reference
from encaisse.resolution.models import PortalLink

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class PayBy:
    """How to pay an amount by transfer: the bank details, the reference to quote,
    and the EPC QR code a banking app scans (None when it cannot be made: not in
    euros, no IBAN, nothing to pay)."""

    amount: Decimal
    currency: str
    beneficiary: str
    iban: str  # formatted in groups of four
    bic: str
    reference: str  # RF reference, formatted
    epc: str  # the EPC069-12 payload ("" when there is no QR code)
    qr: str  # inline SVG


@dataclass(slots=True)
class Account:
    customer: Customer
    company: Company
    invoices: list[Invoice]
    on: dt.date
    payments_on_account: list[Payment] = field(default_factory=list)
    credits_on_account: list[CreditNote] = field(default_factory=list)
    on_account: Decimal = ZERO
    total_open: Decimal = ZERO
    overdue: Decimal = ZERO

    @property
    def net_due(self) -> Decimal:
        """What remains to pay once the cash on account is matched (never below zero)."""
        return max(ZERO, self.total_open - self.on_account)

    @property
    def in_credit(self) -> Decimal:
        return max(ZERO, self.on_account - self.total_open)


def portal_invoices(customer: Customer) -> QuerySet[Invoice]:
    return open_invoices(Invoice.objects.filter(customer=customer)).order_by(
        "due_date", "number", "id"
    )


def portal_account(customer: Customer, on: dt.date) -> Account:
    invoices = list(portal_invoices(customer))
    account = Account(customer, Company.current(), invoices, on)
    account.total_open = sum((i.balance for i in invoices), ZERO)
    account.overdue = sum((i.balance for i in invoices if i.due_date < on), ZERO)
    cash = cash_on_account([customer.pk])
    account.on_account = cash.get((customer.pk, customer.currency), ZERO)
    unallocated = {"allocated__lt": F("amount")}
    account.payments_on_account = list(
        Payment.objects.filter(customer=customer, **unallocated).order_by("-date", "-id")[:20]
    )
    account.credits_on_account = list(
        CreditNote.objects.filter(customer=customer, **unallocated).order_by("-issue_date")[:20]
    )
    return account


def portal_invoice(customer: Customer, key: str) -> Invoice | None:
    """One of the customer's invoices by its external key (None: not the customer's)."""
    return Invoice.objects.filter(customer=customer, external_key=key).first()


def customer_reference(customer: Customer) -> str:
    """The RF reference of a payment on the customer's account: built on its account
    key, or on its internal number when the key is too long for one."""
    try:
        return rf_reference(customer.external_key)
    except ValueError:
        return rf_reference(f"C{customer.pk}")


def invoice_reference(invoice: Invoice) -> str:
    try:
        return rf_reference(invoice.number)
    except ValueError:
        return rf_reference(f"I{invoice.pk}")


def pay_by(company: Company, amount: Decimal, currency: str, reference: str) -> PayBy:
    iban = stdnum_iban.format(company.iban) if company.iban else ""
    epc = qr = ""
    if company.iban and currency == "EUR" and amount > 0:
        try:
            epc = epc_payload(
                name=company.legal_name,
                iban=company.iban,
                bic=company.bic,
                amount=amount,
                reference=reference,
            )
        except ValueError:
            epc = ""
        qr = qr_svg(epc) if epc else ""
    return PayBy(
        amount, currency, company.legal_name, iban, company.bic, rf_format(reference), epc, qr
    )


def portal_links_of(customer: Customer) -> list[PortalLink]:
    """The customer's links, latest first (for finance's panel on the customer page)."""
    return list(
        PortalLink.objects.filter(customer=customer)
        .select_related("created_by", "revoked_by")
        .order_by("-created_at", "-id")[:10]
    )
