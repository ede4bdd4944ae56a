"""Customers with open invoices, and their portal links, for the portal tests."""

from __future__ import annotations

import datetime as dt

from encaisse.ledger.models import Company, Contact, Customer
from encaisse.resolution.services.portal import IssuedLink, portal_link_create
from tests.conftest import make_customer, make_invoice

IBAN = "FR7630004012340001234567862"  # checked by python-stdnum below
BIC = "BNPAFRPPXXX"


def company_with_bank() -> Company:
    company = Company.current()
    company.legal_name = "Atelier Dupont SAS"
    company.iban = IBAN
    company.bic = BIC
    company.email = "compta@atelier-dupont.test"
    company.phone = "04 72 00 00 00"
    company.save()
    return company


def customer_with_invoices(name: str, *, language: str = "fr") -> Customer:
    customer = make_customer(None, name, language=language)
    Contact.objects.create(
        customer=customer, name="Claire Compta", email="claire@client.test",
        preferred_for_reminders=True,
    )  # fmt: skip
    make_invoice(customer, "1200.00", issue=dt.date(2026, 9, 1), due=dt.date(2026, 10, 1))
    make_invoice(customer, "350.50", issue=dt.date(2026, 11, 1), due=dt.date(2026, 12, 20))
    return customer


def link_for(customer: Customer) -> IssuedLink:
    return portal_link_create(customer=customer, actor=None)
