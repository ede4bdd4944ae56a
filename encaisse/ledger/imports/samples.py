"""The CSV template of each kind: the documented header row and one example row.

In English the header is our column names, exactly the `### <kind>.csv` tables of
docs/imports.md; in French it is the French name of each column (an alias the
importer reads back: a test checks every one). Cells stay typed (dates, Decimal)
so that the page writing the file applies the user's CSV conventions.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from encaisse.ledger.imports.schema import SCHEMAS


def _headers() -> dict[str, dict[str, str]]:
    """Header of each column in the active language; written out for makemessages.

    The English text is the column's own name: that is the documented header.
    """
    return {
        "customers": {
            "external_key": pgettext("customers.csv column", "external_key"),
            "name": pgettext("customers.csv column", "name"),
            "siren": pgettext("customers.csv column", "siren"),
            "siret": pgettext("customers.csv column", "siret"),
            "vat_number": pgettext("customers.csv column", "vat_number"),
            "address": pgettext("customers.csv column", "address"),
            "postal_code": pgettext("customers.csv column", "postal_code"),
            "city": pgettext("customers.csv column", "city"),
            "country": pgettext("customers.csv column", "country"),
            "language": pgettext("customers.csv column", "language"),
            "currency": pgettext("customers.csv column", "currency"),
            "terms_days": pgettext("customers.csv column", "terms_days"),
            "terms_end_of_month": pgettext("customers.csv column", "terms_end_of_month"),
            "account_manager": pgettext("customers.csv column", "account_manager"),
            "credit_limit": pgettext("customers.csv column", "credit_limit"),
            "risk_class": pgettext("customers.csv column", "risk_class"),
            "status": pgettext("customers.csv column", "status"),
            "tags": pgettext("customers.csv column", "tags"),
            "contact_name": pgettext("customers.csv column", "contact_name"),
            "contact_email": pgettext("customers.csv column", "contact_email"),
            "contact_phone": pgettext("customers.csv column", "contact_phone"),
        },
        "invoices": {
            "external_key": pgettext("invoices.csv column", "external_key"),
            "number": pgettext("invoices.csv column", "number"),
            "customer_key": pgettext("invoices.csv column", "customer_key"),
            "issue_date": pgettext("invoices.csv column", "issue_date"),
            "due_date": pgettext("invoices.csv column", "due_date"),
            "amount": pgettext("invoices.csv column", "amount"),
            "amount_excl_tax": pgettext("invoices.csv column", "amount_excl_tax"),
            "currency": pgettext("invoices.csv column", "currency"),
            "po_reference": pgettext("invoices.csv column", "po_reference"),
        },
        "payments": {
            "external_key": pgettext("payments.csv column", "external_key"),
            "customer_key": pgettext("payments.csv column", "customer_key"),
            "date": pgettext("payments.csv column", "date"),
            "amount": pgettext("payments.csv column", "amount"),
            "currency": pgettext("payments.csv column", "currency"),
            "method": pgettext("payments.csv column", "method"),
            "bank_reference": pgettext("payments.csv column", "bank_reference"),
            "remittance": pgettext("payments.csv column", "remittance"),
            "invoice_numbers": pgettext("payments.csv column", "invoice_numbers"),
        },
        "credit_notes": {
            "external_key": pgettext("credit_notes.csv column", "external_key"),
            "number": pgettext("credit_notes.csv column", "number"),
            "customer_key": pgettext("credit_notes.csv column", "customer_key"),
            "issue_date": pgettext("credit_notes.csv column", "issue_date"),
            "amount": pgettext("credit_notes.csv column", "amount"),
            "invoice_number": pgettext("credit_notes.csv column", "invoice_number"),
            "reason": pgettext("credit_notes.csv column", "reason"),
        },
    }


def _examples() -> dict[str, dict[str, Any]]:
    """One row per kind that imports as is, in order: customers, invoices, credit notes,
    payments (the account manager is left empty: it must name an existing user)."""
    return {
        "customers": {
            "external_key": "C0001",
            "name": "Atelier Dupont SARL",
            "siren": "732829320",
            "siret": "73282932000074",
            "vat_number": "FR44732829320",
            "address": "12 rue de la Paix",
            "postal_code": "75002",
            "city": "Paris",
            "country": "FR",
            "language": "fr",
            "currency": "EUR",
            "terms_days": 45,
            "terms_end_of_month": pgettext("CSV template boolean", "yes"),
            "account_manager": "",
            "credit_limit": Decimal("15000.00"),
            "risk_class": "B",
            "status": "active",
            "tags": "vip|btp",
            "contact_name": "Claire Martin",
            "contact_email": "compta@atelier-dupont.example",
            "contact_phone": "01 23 45 67 89",
        },
        "invoices": {
            "external_key": "F2026-0001",
            "number": "F2026-0001",
            "customer_key": "C0001",
            "issue_date": dt.date(2026, 1, 15),
            "due_date": dt.date(2026, 3, 31),
            "amount": Decimal("1200.00"),
            "amount_excl_tax": Decimal("1000.00"),
            "currency": "EUR",
            "po_reference": "BC-4512",
        },
        "payments": {
            "external_key": "VIR-20260310-01",
            "customer_key": "C0001",
            "date": dt.date(2026, 3, 10),
            "amount": Decimal("1080.00"),
            "currency": "EUR",
            "method": "transfer",
            "bank_reference": "VIR SEPA 0310-8842",
            "remittance": _("Invoice %(number)s") % {"number": "F2026-0001"},
            "invoice_numbers": "F2026-0001",
        },
        "credit_notes": {
            "external_key": "AV2026-0001",
            "number": "AV2026-0001",
            "customer_key": "C0001",
            "issue_date": dt.date(2026, 1, 20),
            "amount": Decimal("120.00"),
            "invoice_number": "F2026-0001",
            "reason": _("Commercial discount"),
        },
    }


def csv_template(kind: str) -> tuple[list[str], list[Any]]:
    """(header, example row) of a CSV kind, in the active language; KeyError otherwise."""
    schema = SCHEMAS[kind]
    headers, example = _headers()[kind], _examples()[kind]
    names = [column.name for column in schema.columns]
    return [headers[name] for name in names], [example[name] for name in names]
