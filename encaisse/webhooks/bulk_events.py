"""Events for the set-based writers: the import pipeline and the daily dunning run.

They write thousands of rows with raw bulk statements, so their events are
read back set-based too: one query per kind of change (streamed), then the
bulk inserts of `events_emit_many`, never one query per row. Each helper
returns at once, without reading anything, when no endpoint listens.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.dateparse import parse_datetime

from encaisse.collab.models import Task, TaskKind
from encaisse.ledger.models import CreditNote, Customer, Invoice, Payment
from encaisse.ledger.models.invoice import InvoiceStatus
from encaisse.webhooks.emit import BATCH, events_emit_many, subscribers
from encaisse.webhooks.payloads import task_data


def events_emit_queryset(
    *,
    type: str,
    queryset: QuerySet[Any],
    key: Callable[[Any], str] | None = None,
    build: Callable[[Any], dict[str, Any]] | None = None,
) -> int:
    """One event per row of `queryset`, streamed; nothing is read when no endpoint listens."""
    if not subscribers(type):
        return 0
    rows = queryset.iterator(chunk_size=BATCH)
    written = 0
    while chunk := list(itertools.islice(rows, BATCH)):
        written += events_emit_many(
            type=type,
            objects=None if build else chunk,
            datas=[build(row) for row in chunk] if build else None,
            keys=[key(row) for row in chunk] if key else None,
        )
    return written


def paid_key(invoice: Invoice) -> str:
    """An invoice is paid once per settlement (a reversed payment may reopen it)."""
    return f"invoice.paid:{invoice.pk}:{invoice.paid_on}"


def invoices_paid_emit(invoice_ids: Iterable[int]) -> int:
    """`invoice.paid` for those of these invoices that are now paid."""
    ids = list(invoice_ids)
    if not ids:
        return 0
    paid = Invoice.objects.filter(pk__in=ids, status=InvoiceStatus.PAID).select_related("customer")
    return events_emit_queryset(type="invoice.paid", queryset=paid, key=paid_key)


def stored_moment(value: Any) -> dt.datetime:
    """An import's `created_at` as the bulk writer stored it, back as an aware datetime."""
    if isinstance(value, str):  # SQLite: naive UTC text
        parsed = parse_datetime(value)
        assert parsed is not None
        return parsed.replace(tzinfo=dt.UTC)
    return value


def import_events_emit(*, batch_id: int, created_at: Any, updated_invoice_ids: list[int]) -> int:
    """The events of one applied import (CSV, FEC, Factur-X, bank files).

    Rows written by the import carry its `created_at` (customers also their
    `updated_at`), and created invoices, payments and credit notes its batch.
    """
    moment = stored_moment(created_at)
    written = events_emit_queryset(
        type="customer.created", queryset=Customer.objects.filter(created_at=moment)
    )
    written += events_emit_queryset(
        type="customer.updated",
        queryset=Customer.objects.filter(updated_at=moment).exclude(created_at=moment),
    )
    for type_, model in (
        ("invoice.created", Invoice),
        ("payment.recorded", Payment),
        ("credit_note.recorded", CreditNote),
    ):
        written += events_emit_queryset(type=type_, queryset=_of_batch(model, batch_id))
    if updated_invoice_ids:
        written += events_emit_queryset(
            type="invoice.updated",
            queryset=Invoice.objects.filter(pk__in=updated_invoice_ids).select_related("customer"),
        )
    settled = Invoice.objects.filter(
        status=InvoiceStatus.PAID, allocations__created_at=moment
    ).distinct()
    written += events_emit_queryset(
        type="invoice.paid", queryset=settled.select_related("customer"), key=paid_key
    )
    return written


def _of_batch(model: type[Model], batch_id: int) -> QuerySet[Any]:
    return model._default_manager.filter(import_batch_id=batch_id).select_related("customer")


def run_events_emit(*, run_on: dt.date, previous_on: dt.date | None, since: dt.datetime) -> int:
    """The events of one dunning run: invoices overdue, tasks created, escalations.

    `invoice.overdue`: the invoices that became late since the previous run
    (due in [previous run date, run date), so a catch-up over skipped days
    still sends each), keyed per invoice so that no re-run sends one twice.
    """
    start = previous_on or run_on - dt.timedelta(days=1)
    late = Invoice.objects.filter(
        due_date__gte=start,
        due_date__lt=run_on,
        balance__gt=0,
        status__in=["open", "partially_paid"],
    ).select_related("customer")
    written = events_emit_queryset(
        type="invoice.overdue", queryset=late, key=lambda invoice: f"invoice.overdue:{invoice.pk}"
    )
    tasks = Task.objects.filter(created_at__gte=since)
    written += events_emit_queryset(type="task.created", queryset=tasks)
    escalations = tasks.filter(kind=TaskKind.ESCALATE).select_related("customer")
    written += events_emit_queryset(
        type="dunning.escalated",
        queryset=escalations.prefetch_related("invoices"),
        build=_escalation,
    )
    return written


def _escalation(task: Task) -> dict[str, Any]:
    customer = task.customer
    return {
        "customer": {"id": customer.pk, "external_key": customer.external_key}
        if customer
        else None,
        "invoices": [
            {"id": invoice.pk, "external_key": invoice.external_key}
            for invoice in task.invoices.all()
        ],
        "task": task_data(task),
    }
