"""Shared helpers of the promise, extension and hold tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import count

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from encaisse.ledger.models import Customer, Payment
from encaisse.ledger.services import payment_record
from encaisse.ledger.services.allocation import Strategy

DUE = dt.date(2026, 3, 2)
_keys = count(1)


def at(offset: int) -> dt.date:
    return DUE + dt.timedelta(days=offset)


def pay(customer: Customer, amount: str, on: dt.date, *, on_account: bool = False) -> Payment:
    return payment_record(
        actor=None,
        customer=customer,
        amount=Decimal(amount),
        date=on,
        external_key=f"PAY-{next(_keys)}",
        strategy=None if on_account else Strategy.REFERENCE_THEN_OLDEST,
    )


def work() -> int:
    """Run the task queue empty with db_worker's own runner (claim, call, record)."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while (row := DBTaskResult.objects.ready().get_locked()) is not None:
        row.claim(worker.worker_id)
        worker.run_task(row)
        ran += 1
    assert not DBTaskResult.objects.failed().exists()
    return ran
