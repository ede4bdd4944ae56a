"""Several real worker processes on one outbox, and two daily runs at once (SPEC §4.2–4.3).

Processes, not threads: each has its own database connection, exactly as
`db_worker` processes do. The test runs on whichever database the suite runs
on (SQLite file with WAL and IMMEDIATE transactions, or PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from encaisse.dunning.models import (
    AttemptOutcome,
    DeliveryAttempt,
    DunningAction,
    DunningMessage,
    DunningRun,
    MessageState,
)
from encaisse.dunning.services.run import dunning_run
from tests.dunning.conftest import invoice_due, remindable_customer
from tests.dunning.workers import (
    SharedDatabase,
    together,
)
from tests.smtp import SmtpServer

# Transactional (the workers read what the test committed). The flush after each
# test empties the data migrations' rows; tests/conftest.py puts the defaults back
# before the next test. No serialized rollback: it reloads content types that a
# transactional test of another module may have recreated (an IntegrityError).
pytestmark = pytest.mark.django_db(transaction=True)

PARIS = ZoneInfo("Europe/Paris")
RUN_ON = dt.date(2026, 3, 5)
MORNING = dt.datetime(2026, 3, 5, 9, 0, tzinfo=PARIS)
CUSTOMERS = 45
WORKERS = 3


def overdue_customers(count: int) -> None:
    """`count` customers, each with two invoices at the first reminder on RUN_ON."""
    for n in range(count):
        customer = remindable_customer(None, f"Client {n:02d}", email=f"compta{n}@client.test")
        invoice_due(customer, RUN_ON - dt.timedelta(days=3), "1000.00")
        invoice_due(customer, RUN_ON - dt.timedelta(days=3), "250.00")


def test_workers_in_parallel_send_every_message_exactly_once(
    smtp_server: SmtpServer, tmp_path: Path
) -> None:
    with time_machine.travel(MORNING, tick=False):
        overdue_customers(CUSTOMERS)
        with transaction.atomic():
            assert dunning_run(run_on=RUN_ON).messages == CUSTOMERS
    inbox = smtp_server.inbox
    inbox.delay = 0.02  # each worker is inside a conversation while the others claim
    db = SharedDatabase(tmp_path, smtp_port=inbox.port)

    results = together(db, "deliver", WORKERS, at=MORNING)

    sent_by_worker = [int(str(result.get("sent", 0))) for result in results]
    assert sum(sent_by_worker) == CUSTOMERS
    # They really competed (on a loaded machine one worker may start late, so not all three
    # need to have sent): several sent, and they saw messages another had just claimed.
    assert sum(1 for sent in sent_by_worker if sent) >= 2, sent_by_worker
    assert sum(int(str(result.get("not_claimed", 0))) for result in results) > 0
    messages = DunningMessage.objects.all()
    assert inbox.message_ids() == Counter({m.message_id_header: 1 for m in messages})
    assert {m.state for m in messages} == {MessageState.SENT}
    attempts = Counter(
        DeliveryAttempt.objects.filter(outcome=AttemptOutcome.SENT).values_list(
            "message_id", flat=True
        )
    )
    assert attempts == Counter({m.pk: 1 for m in messages})
    assert DeliveryAttempt.objects.exclude(outcome=AttemptOutcome.SENT).count() == 0


def test_two_runs_for_the_same_date_at_once_decide_once(tmp_path: Path) -> None:
    with time_machine.travel(MORNING, tick=False):
        overdue_customers(CUSTOMERS)
    db = SharedDatabase(tmp_path)

    results = together(db, "run", 2, at=MORNING, date=RUN_ON)

    assert sorted(bool(result["created"]) for result in results) == [False, True]
    assert sum(int(str(result["messages"])) for result in results) == CUSTOMERS
    assert DunningRun.objects.filter(run_on=RUN_ON).count() == 1
    assert DunningMessage.objects.count() == CUSTOMERS
    assert DunningAction.objects.count() == 2 * CUSTOMERS
    assert DunningAction.objects.values("invoice", "step").distinct().count() == 2 * CUSTOMERS
