"""Creating customers, invoices, payments and credit notes one at a time.

Imports use the set-based path in `ledger.imports.apply`; both keep the same
invariants (balances derived from allocations) and write the timeline.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from encaisse.accounts.models import User
from encaisse.collab.services import activity_record
from encaisse.ledger.hooks import cash_moved
from encaisse.ledger.models import Company, Contact, CreditNote, Customer, Invoice, Payment
from encaisse.ledger.models.fields import money_sql
from encaisse.ledger.models.invoice import InvoiceSource
from encaisse.ledger.services.allocation import Strategy, allocation_create, payment_allocate
from encaisse.lib import clock
from encaisse.lib.dates import due_date_for
from encaisse.lib.money import round_money
from encaisse.webhooks.emit import event_emit


def default_due_date(customer: Customer, issue_date: dt.date) -> dt.date:
    """The customer's payment terms, else the company's."""
    if customer.terms_days is not None:
        return due_date_for(
            issue_date, days=customer.terms_days, end_of_month_rule=customer.terms_end_of_month
        )
    company = Company.current()
    return due_date_for(
        issue_date,
        days=company.default_terms_days,
        end_of_month_rule=company.default_terms_end_of_month,
    )


@transaction.atomic
def customer_create(*, actor: User | None, external_key: str, name: str, **fields: Any) -> Customer:
    customer = Customer.objects.create(external_key=external_key, name=name, **fields)
    activity_record(
        verb="ledger.customer.created",
        actor=actor,
        customer_id=customer.pk,
        payload={"name": name, "external_key": external_key},
    )
    event_emit(type="customer.created", obj=customer)
    return customer


@transaction.atomic
def contact_create(*, actor: User | None, customer: Customer, name: str, **fields: Any) -> Contact:
    contact = Contact.objects.create(customer=customer, name=name, **fields)
    activity_record(
        verb="ledger.contact.created",
        actor=actor,
        customer_id=customer.pk,
        payload={"name": name, "email": contact.email},
    )
    return contact


@transaction.atomic
def invoice_create(
    *,
    actor: User | None,
    customer: Customer,
    number: str,
    issue_date: dt.date,
    amount: Decimal,
    due_date: dt.date | None = None,
    external_key: str | None = None,
    amount_excl_tax: Decimal | None = None,
    currency: str | None = None,
    po_reference: str = "",
    source: str = InvoiceSource.MANUAL,
) -> Invoice:
    currency = currency or customer.currency
    if currency != customer.currency:
        raise ValueError(_("The invoice currency differs from the customer's currency."))
    amount = round_money(amount, currency)
    invoice = Invoice.objects.create(
        external_key=external_key or number,
        number=number,
        customer=customer,
        issue_date=issue_date,
        due_date=due_date or default_due_date(customer, issue_date),
        currency=currency,
        amount=amount,
        amount_excl_tax=amount_excl_tax,
        balance=amount,
        po_reference=po_reference,
        source=source,
    )
    Customer.objects.filter(pk=customer.pk).update(
        open_balance=money_sql(F("open_balance") + amount), updated_at=clock.now()
    )
    activity_record(
        verb="ledger.invoice.created",
        actor=actor,
        customer_id=customer.pk,
        invoice_id=invoice.pk,
        payload={
            "number": number,
            "amount": str(amount),
            "currency": currency,
            "due_date": invoice.due_date.isoformat(),
        },
    )
    event_emit(type="invoice.created", obj=invoice)
    return invoice


@transaction.atomic
def payment_record(
    *,
    actor: User | None,
    customer: Customer,
    amount: Decimal,
    date: dt.date,
    external_key: str,
    currency: str | None = None,
    method: str = "transfer",
    bank_reference: str = "",
    remittance: str = "",
    source: str = InvoiceSource.MANUAL,
    strategy: Strategy | None = Strategy.REFERENCE_THEN_OLDEST,
) -> Payment:
    """Record a payment and (unless `strategy` is None) allocate it at once."""
    currency = currency or customer.currency
    payment = Payment.objects.create(
        external_key=external_key,
        customer=customer,
        date=date,
        currency=currency,
        amount=round_money(amount, currency),
        method=method,
        bank_reference=bank_reference,
        remittance=remittance,
        source=source,
    )
    activity_record(
        verb="ledger.payment.recorded",
        actor=actor,
        customer_id=customer.pk,
        payload={
            "amount": str(payment.amount),
            "currency": currency,
            "date": date.isoformat(),
            "reference": bank_reference,
            "external_key": external_key,
        },
    )
    if strategy is not None:
        payment_allocate(actor=actor, payment=payment, strategy=strategy)
    payment.refresh_from_db()
    cash_moved([customer.pk])
    event_emit(type="payment.recorded", obj=payment)
    return payment


@transaction.atomic
def credit_note_record(
    *,
    actor: User | None,
    customer: Customer,
    number: str,
    amount: Decimal,
    issue_date: dt.date,
    invoice: Invoice | None = None,
    external_key: str | None = None,
    reason: str = "",
    source: str = InvoiceSource.MANUAL,
) -> CreditNote:
    """Record a credit note, and allocate it to `invoice` when given (up to its balance)."""
    credit_note = CreditNote.objects.create(
        external_key=external_key or number,
        number=number,
        customer=customer,
        issue_date=issue_date,
        currency=customer.currency,
        amount=round_money(amount, customer.currency),
        reason=reason,
        source=source,
    )
    activity_record(
        verb="ledger.credit_note.recorded",
        actor=actor,
        customer_id=customer.pk,
        invoice_id=invoice.pk if invoice else None,
        payload={"number": number, "amount": str(credit_note.amount), "reason": reason},
    )
    if invoice is not None:
        invoice.refresh_from_db(fields=["balance", "status"])
        share = min(invoice.balance, credit_note.amount)
        if share > 0:
            allocation_create(actor=actor, invoice=invoice, amount=share, credit_note=credit_note)
        credit_note.refresh_from_db(fields=["allocated"])
    event_emit(type="credit_note.recorded", obj=credit_note)
    return credit_note
