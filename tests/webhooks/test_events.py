"""Events are written in the transaction of the change, set-based on the bulk paths."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from encaisse.accounts.models import User
from encaisse.collab.models import TaskKind
from encaisse.collab.services import task_complete, task_create
from encaisse.dunning.services.holds import hold_place, hold_release
from encaisse.dunning.services.run import dunning_run
from encaisse.ledger.services import credit_note_record, payment_record
from encaisse.ledger.services.allocation import allocation_create
from encaisse.ledger.services.reversal import allocation_reverse
from encaisse.webhooks.emit import event_emit
from encaisse.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from encaisse.webhooks.services import endpoint_create, endpoint_update
from tests.conftest import make_customer, make_invoice
from tests.imports.helpers import run

pytestmark = pytest.mark.django_db


def types() -> list[str]:
    return list(WebhookEvent.objects.order_by("id").values_list("type", flat=True))


def test_without_endpoints_nothing_is_written(db: None) -> None:
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        customer = make_customer(None)
        make_invoice(customer)
        make_invoice(customer)
    webhook_queries = [q["sql"] for q in captured if "webhooks_" in q["sql"]]
    # One look at the endpoints per transaction, whatever the number of changes.
    assert len(webhook_queries) == 1 and "webhooks_webhookendpoint" in webhook_queries[0]
    assert not WebhookEvent.objects.exists()


def test_a_rolled_back_change_leaves_no_event(endpoint: WebhookEndpoint) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        make_customer(None)
        assert types() == ["customer.created"]
        raise RuntimeError("the change fails after the event")
    assert not WebhookEvent.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_an_endpoint_gets_only_the_types_it_subscribes_to(
    endpoint: WebhookEndpoint, alice: User
) -> None:
    endpoint_update(actor=alice, endpoint=endpoint, event_types=["invoice.created"])
    all_types = endpoint_create(actor=alice, url=endpoint.url + "/all")
    customer = make_customer(None)
    make_invoice(customer)
    assert set(types()) == {"customer.created", "invoice.created"}
    assert list(
        WebhookDelivery.objects.filter(endpoint=endpoint).values_list("event__type", flat=True)
    ) == ["invoice.created"]
    assert WebhookDelivery.objects.filter(endpoint=all_types).count() == 2


def test_the_payload_has_the_api_shape(endpoint: WebhookEndpoint) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC), tick=False):
        invoice = make_invoice(make_customer(None), "99.90")
    payload = WebhookEvent.objects.get(type="invoice.created").payload
    assert payload["type"] == "invoice.created"
    assert payload["timestamp"] == "2026-03-02T10:00:00+00:00"
    data = payload["data"]
    assert data["id"] == invoice.pk and data["external_key"] == invoice.external_key
    assert (data["amount"], data["balance"], data["currency"]) == ("99.90", "99.90", "EUR")
    assert data["due_date"] == "2026-02-09" and data["created_at"].startswith("2026-03-02")
    assert {"updated_at", "customer", "status", "number"} <= set(data)


def test_undoing_an_allocation_tells_that_the_invoice_is_open_again(
    endpoint: WebhookEndpoint, alice: User
) -> None:
    customer = make_customer(None)
    invoice = make_invoice(customer, "120.00")
    payment = payment_record(
        actor=None, customer=customer, amount=Decimal("120.00"), date=dt.date(2026, 2, 1),
        external_key="P1", strategy=None,
    )  # fmt: skip
    allocation = allocation_create(
        actor=None, invoice=invoice, amount=Decimal("120.00"), payment=payment
    )
    assert types()[-1] == "invoice.paid"
    allocation_reverse(actor=alice, allocation=allocation, reason="wrong customer")
    last = WebhookEvent.objects.order_by("id").last()
    assert last is not None and last.type == "invoice.updated"
    assert (last.payload["data"]["balance"], last.payload["data"]["status"]) == ("120.00", "open")


def test_holds_tasks_and_credit_notes_emit(endpoint: WebhookEndpoint, alice: User) -> None:
    customer = make_customer(None)
    invoice = make_invoice(customer, "50.00")
    hold = hold_place(actor=alice, customer=customer, reason="dispute", invoice=invoice)
    hold_release(actor=alice, hold=hold)
    task = task_create(actor=alice, kind=TaskKind.OTHER, title="Call", due_on=dt.date(2026, 3, 2))
    task_complete(task=task, actor=alice, outcome="done")
    credit_note_record(
        actor=alice, customer=customer, number="AV1", amount=Decimal("50.00"),
        issue_date=dt.date(2026, 3, 1), invoice=invoice,
    )  # fmt: skip
    emitted = types()
    for expected in (
        "hold.created", "hold.released", "task.created", "task.completed",
        "invoice.paid", "credit_note.recorded",
    ):  # fmt: skip
        assert expected in emitted
    released = WebhookEvent.objects.get(type="hold.released").payload["data"]
    assert released["released_on"] is not None
    completed = WebhookEvent.objects.get(type="task.completed").payload["data"]
    assert (completed["status"], completed["outcome"]) == ("done", "done")
    credit = WebhookEvent.objects.get(type="credit_note.recorded").payload["data"]
    assert credit["allocated"] == "50.00"


CUSTOMERS = "external_key;name\n" + "".join(f"K{i};Client {i}\n" for i in range(300))
INVOICES = "number;customer_key;issue_date;due_date;amount\n" + "".join(
    f"F{i};K{i};2026-01-10;2026-02-09;{100 + i},00\n" for i in range(300)
)
PAYMENTS = "external_key;customer_key;date;amount;invoice_numbers\n" + "".join(
    f"P{i};K{i};2026-03-01;{100 + i},00;F{i}\n" for i in range(300)
)


def test_a_bulk_import_emits_its_events_without_a_query_per_row(
    endpoint: WebhookEndpoint,
) -> None:
    with CaptureQueriesContext(connection) as small:
        run("customers", CUSTOMERS.split("K10;")[0])  # ten rows
    assert WebhookEvent.objects.filter(type="customer.created").count() == 10
    WebhookEvent.objects.all().delete()
    with CaptureQueriesContext(connection) as large:
        run("customers", CUSTOMERS)  # 290 more rows, 10 unchanged
    assert WebhookEvent.objects.filter(type="customer.created").count() == 290
    assert len(large.captured_queries) <= len(small.captured_queries) + 10
    report = run("invoices", INVOICES)
    assert report.status == "applied", report.errors
    assert WebhookEvent.objects.filter(type="invoice.created").count() == 300
    changed = INVOICES.replace("2026-02-09;100,00", "2026-02-19;100,00")
    run("invoices", changed)
    updated = WebhookEvent.objects.get(type="invoice.updated").payload["data"]
    assert (updated["external_key"], updated["due_date"]) == ("F0", "2026-02-19")
    with CaptureQueriesContext(connection) as payments:
        report = run("payments", PAYMENTS)
    assert report.status == "applied", report.errors
    assert WebhookEvent.objects.filter(type="payment.recorded").count() == 300
    assert WebhookEvent.objects.filter(type="invoice.paid").count() == 300
    assert len(payments.captured_queries) < 100
    assert WebhookDelivery.objects.count() == WebhookEvent.objects.count()


def test_an_invoice_becomes_overdue_once_across_reruns_and_catch_ups(
    endpoint: WebhookEndpoint,
) -> None:
    customer = make_customer(None)
    due_3 = make_invoice(customer, due=dt.date(2026, 3, 3))
    due_5 = make_invoice(customer, due=dt.date(2026, 3, 5))
    due_9 = make_invoice(customer, due=dt.date(2026, 3, 9))
    paid = make_invoice(customer, due=dt.date(2026, 3, 4))
    credit_note_record(
        actor=None, customer=customer, number="AV", amount=Decimal("100.00"),
        issue_date=dt.date(2026, 3, 1), invoice=paid,
    )  # fmt: skip

    def overdue() -> list[int]:
        return sorted(
            event.payload["data"]["id"]
            for event in WebhookEvent.objects.filter(type="invoice.overdue")
        )

    dunning_run(run_on=dt.date(2026, 3, 3))  # due today: not late yet
    assert overdue() == []
    dunning_run(run_on=dt.date(2026, 3, 4))  # the first day late
    assert overdue() == [due_3.pk]
    dunning_run(run_on=dt.date(2026, 3, 4))  # a re-run of the same day
    dunning_run(run_on=dt.date(2026, 3, 5))
    assert overdue() == [due_3.pk]
    dunning_run(run_on=dt.date(2026, 3, 12))  # a catch-up after days without runs
    assert overdue() == sorted([due_3.pk, due_5.pk, due_9.pk])
    dunning_run(run_on=dt.date(2026, 3, 13))
    assert len(overdue()) == 3
    # The key holds even when the same invoice is emitted again by another path.
    event_emit(type="invoice.overdue", obj=due_3, key=f"invoice.overdue:{due_3.pk}")
    assert len(overdue()) == 3
