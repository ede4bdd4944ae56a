"""Plain records the generator yields: one customer's whole history at a time.

Amounts are integer cents (exact, and cheap to stream a million rows); the
database loader turns them into `Decimal` with `cents_to_decimal`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from encaisse.demo.behaviours import Behaviour


def cents_to_decimal(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def cents_to_text(cents: int, decimal_mark: str = ".") -> str:
    """123456 → '1234.56' (or '1234,56'): always two decimals, never through float."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}{decimal_mark}{frac:02d}"


@dataclass(slots=True)
class DemoContact:
    name: str
    role: str
    email: str
    phone: str
    preferred: bool


@dataclass(slots=True)
class DemoCustomer:
    index: int
    key: str
    name: str
    siren: str
    siret: str
    vat_number: str
    address: str
    postal_code: str
    city: str
    terms_days: int
    terms_end_of_month: bool
    account_manager: str
    credit_limit_cents: int
    risk_class: str
    status: str
    tags: tuple[str, ...]
    behaviour: Behaviour
    contacts: list[DemoContact]


@dataclass(slots=True)
class DemoInvoice:
    number: str
    issue: dt.date
    due: dt.date
    excl_cents: int
    vat_cents: int
    po_reference: str

    @property
    def amount_cents(self) -> int:
        return self.excl_cents + self.vat_cents


@dataclass(slots=True)
class DemoCreditNote:
    number: str
    issue: dt.date
    excl_cents: int
    vat_cents: int
    invoice: int  # index in CustomerHistory.invoices; fully allocated to it
    reason: str

    @property
    def amount_cents(self) -> int:
        return self.excl_cents + self.vat_cents


@dataclass(slots=True)
class DemoPayment:
    key: str
    date: dt.date
    amount_cents: int
    method: str
    bank_reference: str
    remittance: str
    # (invoice index, cents) in allocation order; what is not listed stays on account
    allocations: list[tuple[int, int]] = field(default_factory=list)


@dataclass(slots=True)
class CustomerHistory:
    customer: DemoCustomer
    invoices: list[DemoInvoice]
    credit_notes: list[DemoCreditNote]
    payments: list[DemoPayment]

    def balances(self) -> list[int]:
        """Open balance of each invoice in cents, from the allocations."""
        open_cents = [invoice.amount_cents for invoice in self.invoices]
        for note in self.credit_notes:
            open_cents[note.invoice] -= note.amount_cents
        for payment in self.payments:
            for index, cents in payment.allocations:
                open_cents[index] -= cents
        return open_cents
