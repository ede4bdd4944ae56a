"""The `data` of each event: the object as the REST API shows it.

Money is a decimal string, dates and times ISO 8601, and every object has its
`id`, its `external_key` where it has one, `created_at` and `updated_at`, so a
receiver can parse an event with the model it uses for the API. The builders
read only the row and its customer (select_related where built in bulk).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

Data = dict[str, Any]


def iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def money(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


def stamps(obj: models.Model) -> Data:
    """created_at and updated_at; a model without `updated_at` reports its creation."""
    created = getattr(obj, "created_at", None)
    return {"created_at": iso(created), "updated_at": iso(getattr(obj, "updated_at", created))}


def customer_ref(obj: Any) -> Data:
    """The customer an object belongs to, by id and external key."""
    customer = obj.customer
    return {"id": customer.pk, "external_key": customer.external_key}


def customer_data(customer: Any) -> Data:
    return {
        "id": customer.pk,
        "external_key": customer.external_key,
        "name": customer.name,
        "siren": customer.siren,
        "vat_number": customer.vat_number,
        "country": customer.country,
        "language": customer.language,
        "currency": customer.currency,
        "account_manager_id": customer.account_manager_id,
        "terms_days": customer.terms_days,
        "open_balance": money(customer.open_balance),
        "status": customer.status,
        **stamps(customer),
    }


def invoice_data(invoice: Any) -> Data:
    return {
        "id": invoice.pk,
        "external_key": invoice.external_key,
        "number": invoice.number,
        "customer": customer_ref(invoice),
        "issue_date": iso(invoice.issue_date),
        "due_date": iso(invoice.due_date),
        "currency": invoice.currency,
        "amount": money(invoice.amount),
        "amount_excl_tax": money(invoice.amount_excl_tax),
        "balance": money(invoice.balance),
        "status": invoice.status,
        "paid_on": iso(invoice.paid_on),
        "po_reference": invoice.po_reference,
        "source": invoice.source,
        **stamps(invoice),
    }


def payment_data(payment: Any) -> Data:
    return {
        "id": payment.pk,
        "external_key": payment.external_key,
        "customer": customer_ref(payment),
        "date": iso(payment.date),
        "currency": payment.currency,
        "amount": money(payment.amount),
        "allocated": money(payment.allocated),
        "method": payment.method,
        "bank_reference": payment.bank_reference,
        "source": payment.source,
        **stamps(payment),
    }


def credit_note_data(credit_note: Any) -> Data:
    return {
        "id": credit_note.pk,
        "external_key": credit_note.external_key,
        "number": credit_note.number,
        "customer": customer_ref(credit_note),
        "issue_date": iso(credit_note.issue_date),
        "currency": credit_note.currency,
        "amount": money(credit_note.amount),
        "allocated": money(credit_note.allocated),
        "reason": credit_note.reason,
        "source": credit_note.source,
        **stamps(credit_note),
    }


def message_data(message: Any) -> Data:
    return {
        "id": message.pk,
        "public_id": str(message.public_id),
        "customer": customer_ref(message),
        "channel": message.channel,
        "step": message.step_name,
        "state": message.state,
        "decided_on": iso(message.decided_on),
        "sent_at": iso(message.sent_at),
        "total": money(message.total),
        "error": message.last_error[:500],
        **stamps(message),
    }


def hold_data(hold: Any) -> Data:
    return {
        "id": hold.pk,
        "customer": customer_ref(hold),
        "invoice_id": hold.invoice_id,
        "reason": hold.reason,
        "note": hold.note,
        "starts_on": iso(hold.starts_on),
        "ends_on": iso(hold.ends_on),
        "released_on": iso(hold.released_on),
        **stamps(hold),
    }


def task_data(task: Any) -> Data:
    return {
        "id": task.pk,
        "kind": task.kind,
        "title": task.title,
        "status": task.status,
        "queue": task.queue,
        "assignee_id": task.assignee_id,
        "customer_id": task.customer_id,
        "due_on": iso(task.due_on),
        "outcome": task.outcome,
        "completed_at": iso(task.completed_at),
        **stamps(task),
    }
