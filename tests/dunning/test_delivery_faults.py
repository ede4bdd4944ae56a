"""Delivery under faults (SPEC §4.3): the SMTP server down, refusing, a worker killed.

A real SMTP server on loopback throughout; the worker killed with SIGKILL is a
real child process working on the test's database (tests/dunning/workers.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings

from encaisse.accounts.models import User
from encaisse.collab.models import Task, TaskKind, TaskQueue
from encaisse.dunning.delivery.outbox import LEASE, deliverable
from encaisse.dunning.delivery.tasks import deliveries_process
from encaisse.dunning.models import (
    AttemptOutcome,
    DeliveryAttempt,
    DunningMessage,
    DunningSettings,
    MessageState,
)
from encaisse.dunning.services.messages import message_approve
from encaisse.dunning.services.run import dunning_run
from encaisse.ledger.models import Customer
from tests.conftest import make_customer
from tests.dunning.conftest import invoice_due, remindable_customer
from tests.dunning.workers import (
    Child,
    SharedDatabase,
    alone,
)
from tests.smtp import Gate, Inbox, SmtpServer

PARIS = ZoneInfo("Europe/Paris")
RUN_ON = dt.date(2026, 3, 5)
MORNING = dt.datetime(2026, 3, 5, 9, 0, tzinfo=PARIS)
# Transactional, for the tests with child processes; tests/conftest.py puts the
# migrated defaults back after the flush (no serialized rollback: see
# tests/dunning/test_delivery_concurrency.py).
WITH_PROCESSES = pytest.mark.django_db(transaction=True)


def customers_due(count: int) -> list[Customer]:
    customers = [
        remindable_customer(None, f"Client {n}", email=f"compta{n}@client.test")
        for n in range(count)
    ]
    for customer in customers:
        invoice_due(customer, RUN_ON - dt.timedelta(days=3))
    with transaction.atomic():
        assert dunning_run(run_on=RUN_ON).messages == count
    return customers


def attempts(message: DunningMessage) -> list[tuple[int, str]]:
    return list(message.deliveries.order_by("number").values_list("number", "outcome"))


def minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


@pytest.mark.django_db
def test_a_server_stopped_mid_sweep_leaves_messages_pending_until_it_is_back(
    smtp_server: SmtpServer,
) -> None:
    inbox = smtp_server.inbox
    with time_machine.travel(MORNING, tick=False) as clock:
        customers_due(4)
        assert deliveries_process(limit=1) == {"sent": 1}
        smtp_server.stop()

        assert deliveries_process() == {"transient": 3}
        waiting = list(DunningMessage.objects.filter(state=MessageState.PENDING))
        assert len(waiting) == 3
        for message in waiting:
            assert message.attempts == 1 and message.next_attempt_at == MORNING + minutes(1)
            assert "Connection refused" in message.last_error
            assert attempts(message) == [(1, AttemptOutcome.TRANSIENT)]
        first_failures = list(DeliveryAttempt.objects.filter(outcome=AttemptOutcome.TRANSIENT))

        clock.move_to(MORNING + minutes(1))  # still down at the first retry
        assert deliveries_process() == {"transient": 3}
        for message in DunningMessage.objects.filter(state=MessageState.PENDING):
            assert message.next_attempt_at == MORNING + minutes(1 + 5)  # the backoff grows

        smtp_server.start()
        assert deliveries_process() == {}  # back, but the backoff is honoured
        assert len(inbox.messages) == 1
        clock.move_to(MORNING + minutes(6))
        assert deliveries_process() == {"sent": 3}
        assert deliveries_process() == {}

    messages = list(DunningMessage.objects.all())
    assert inbox.message_ids() == Counter({m.message_id_header: 1 for m in messages})
    assert {m.state for m in messages} == {MessageState.SENT}
    for message in waiting:
        assert attempts(message) == [
            (1, AttemptOutcome.TRANSIENT),
            (2, AttemptOutcome.TRANSIENT),
            (3, AttemptOutcome.SENT),
        ]
    # A later attempt is a new row; the failures are kept as they were written.
    for before in first_failures:
        after = DeliveryAttempt.objects.get(pk=before.pk)
        assert (after.number, after.outcome, after.error, after.at) == (
            before.number,
            before.outcome,
            before.error,
            before.at,
        )


def assert_failed_with_a_task_for_finance(customer: Customer, error: str) -> DunningMessage:
    message = DunningMessage.objects.get(customer=customer)
    assert message.state == MessageState.FAILED
    assert error in message.last_error
    task = Task.objects.get(customer=customer, kind=TaskKind.FIX_CONTACT)
    assert (task.queue, task.assignee) == (TaskQueue.FINANCE, None)
    assert error in task.details
    return message


def assert_never_retried(message: DunningMessage, clock: time_machine.Traveller) -> None:
    count = message.deliveries.count()
    clock.move_to(MORNING + dt.timedelta(days=2))
    assert deliveries_process() == {}
    assert message.deliveries.count() == count


@pytest.mark.django_db
def test_a_recipient_refused_with_550_fails_the_message_at_once_and_asks_finance(
    smtp_inbox: Inbox,
) -> None:
    inbox = smtp_inbox
    inbox.refuse = {"compta0@client.test"}
    with time_machine.travel(MORNING, tick=False) as clock:
        (customer,) = customers_due(1)
        assert deliveries_process() == {"permanent": 1}
        message = assert_failed_with_a_task_for_finance(customer, "550")
        assert attempts(message) == [(1, AttemptOutcome.PERMANENT)]
        assert_never_retried(message, clock)
    assert inbox.messages == []


@pytest.mark.django_db
def test_a_sender_refused_by_our_server_is_retried_and_no_contact_is_blamed(
    smtp_server: SmtpServer,
) -> None:
    smtp_server.inbox.refuse_sender = True  # e.g. the company address is not allowed to send
    with time_machine.travel(MORNING, tick=False) as clock:
        customers_due(1)
        assert deliveries_process() == {"transient": 1}
        message = DunningMessage.objects.get()
        assert (message.state, message.next_attempt_at) == (
            MessageState.PENDING,
            MORNING + minutes(1),
        )
        assert "553" in message.last_error
        assert not Task.objects.filter(kind=TaskKind.FIX_CONTACT).exists()
        smtp_server.inbox.refuse_sender = False  # the administrator fixed the settings
        clock.move_to(MORNING + minutes(1))
        assert deliveries_process() == {"sent": 1}
    assert len(smtp_server.inbox.messages) == 1


@pytest.mark.django_db
def test_a_customer_without_an_email_contact_fails_at_once_and_finance_gets_a_task(
    smtp_server: SmtpServer,
) -> None:
    with time_machine.travel(MORNING, tick=False) as clock:
        customer = make_customer(None, "Sans Adresse")
        invoice_due(customer, RUN_ON - dt.timedelta(days=3))
        with transaction.atomic():
            dunning_run(run_on=RUN_ON)
        assert deliveries_process() == {"permanent": 1}
        message = assert_failed_with_a_task_for_finance(customer, "adresse e-mail")
        assert_never_retried(message, clock)
    assert smtp_server.inbox.messages == []


@pytest.mark.django_db
def test_the_last_allowed_attempt_fails_the_message_and_asks_finance(
    smtp_server: SmtpServer,
) -> None:
    DunningSettings.objects.filter(pk=DunningSettings.current().pk).update(max_delivery_attempts=3)
    smtp_server.stop()
    with time_machine.travel(MORNING, tick=False) as clock:
        (customer,) = customers_due(1)
        for waited in (0, 1, 1 + 5):
            clock.move_to(MORNING + minutes(waited))
            assert deliveries_process() == {"transient": 1}
        message = assert_failed_with_a_task_for_finance(customer, "Connection refused")
        assert attempts(message) == [(n, AttemptOutcome.TRANSIENT) for n in (1, 2, 3)]
        smtp_server.start()
        assert_never_retried(message, clock)
    assert smtp_server.inbox.messages == []


@pytest.mark.django_db
def test_a_letter_that_cannot_be_stored_is_retried_and_does_not_hold_up_the_others(
    alice: User, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    not_a_folder = tmp_path / "media"
    not_a_folder.write_text("a file where the PDFs should go")
    with time_machine.travel(MORNING, tick=False) as clock:
        notified, reminded = (
            remindable_customer(None, name, email=f"{name}@client.test")
            for name in ("notified", "reminded")
        )
        invoice_due(notified, RUN_ON - dt.timedelta(days=30))  # the formal notice's day
        invoice_due(reminded, RUN_ON - dt.timedelta(days=3))
        with transaction.atomic():
            dunning_run(run_on=RUN_ON)
        notice = DunningMessage.objects.get(customer=notified)
        assert message_approve(actor=alice, message=notice)

        with override_settings(MEDIA_ROOT=str(not_a_folder)):
            assert deliveries_process() == {"transient": 1, "sent": 1}
        notice.refresh_from_db()
        assert (notice.state, notice.next_attempt_at) == (
            MessageState.PENDING,
            MORNING + minutes(1),
        )
        assert attempts(notice) == [(1, AttemptOutcome.TRANSIENT)]
        assert "media" in notice.last_error

        clock.move_to(MORNING + minutes(1))
        with override_settings(MEDIA_ROOT=str(tmp_path / "pdfs")):
            assert deliveries_process() == {"sent": 1}
    notice.refresh_from_db()
    assert notice.state == MessageState.SENT and notice.pdf.name.endswith(".pdf")
    assert len(smtp_server.inbox.messages) == 2


def held_worker(db: SharedDatabase, server: SmtpServer, stage: str, reply: str = "") -> Child:
    """A worker process caught inside the SMTP conversation of the only message."""
    gate = Gate(stage, reply=reply) if reply else Gate(stage)
    server.inbox.gate = gate
    db.handover()
    worker = Child(db, "deliver", at=MORNING, date=None)
    worker.go()
    assert gate.reached.wait(timeout=30), "the worker never reached the server"
    return worker


@WITH_PROCESSES
@pytest.mark.parametrize(
    ("stage", "copies"),
    [
        pytest.param("rcpt", 1, id="killed-before-the-server-had-the-message"),
        pytest.param("data", 2, id="killed-after-the-server-accepted-before-the-commit"),
    ],
)
def test_a_worker_killed_mid_delivery_loses_nothing_and_the_resend_keeps_the_message_id(
    smtp_server: SmtpServer, tmp_path: Path, stage: str, copies: int
) -> None:
    with time_machine.travel(MORNING, tick=False):
        customers_due(1)
    db = SharedDatabase(tmp_path, smtp_port=smtp_server.inbox.port)

    held_worker(db, smtp_server, stage).kill()
    db.takeback()
    message = DunningMessage.objects.get()
    assert (message.state, message.attempts, attempts(message)) == (MessageState.SENDING, 1, [])
    assert message.lease_until is not None and message.lease_until > MORNING

    # While the dead worker's lease runs, nobody else touches the message…
    assert alone(db, "deliver", at=MORNING + LEASE - minutes(1)) == {}
    # …and once it has expired, the next sweep sends it again.
    assert alone(db, "deliver", at=MORNING + LEASE + minutes(1)) == {"sent": 1}

    message.refresh_from_db()
    assert message.state == MessageState.SENT
    # Attempt 1 died with its worker: the gap in the numbers is its trace.
    assert (message.attempts, attempts(message)) == (2, [(2, AttemptOutcome.SENT)])
    received = smtp_server.inbox.message_ids()
    assert received == Counter({message.message_id_header: copies})
    assert len(set(received)) == 1  # what a recipient that de-duplicates on Message-ID sees


@WITH_PROCESSES
def test_a_worker_that_outlives_its_lease_cannot_undo_the_delivery_of_its_successor(
    smtp_server: SmtpServer, tmp_path: Path
) -> None:
    with time_machine.travel(MORNING, tick=False):
        customers_due(1)
    db = SharedDatabase(tmp_path, smtp_port=smtp_server.inbox.port)
    # The first worker hangs inside the conversation past its lease, then hears "try later".
    slow = held_worker(db, smtp_server, "data", reply="451 4.3.0 Try again later")
    db.takeback()

    assert alone(db, "deliver", at=MORNING + LEASE + minutes(1)) == {"sent": 1}
    assert smtp_server.inbox.gate is not None
    smtp_server.inbox.gate.release.set()
    assert slow.result() == {"transient": 1}
    db.takeback()

    message = DunningMessage.objects.get()
    assert message.state == MessageState.SENT
    assert attempts(message) == [(1, AttemptOutcome.TRANSIENT), (2, AttemptOutcome.SENT)]
    with time_machine.travel(MORNING + dt.timedelta(days=1)):
        assert not DunningMessage.objects.filter(deliverable()).exists()
