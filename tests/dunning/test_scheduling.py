"""The scheduler (issue 3 item 4): the daily run at its time, retries and crashed deliveries
resumed without a person, and a clean stop. Tasks run in the real db_worker."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from encaisse.dunning.delivery.outbox import LEASE
from encaisse.dunning.models import DunningMessage, DunningRun, DunningSettings, MessageState
from encaisse.dunning.scheduling import Scheduler, Tick, run_dunning_for
from encaisse.dunning.services.run import dunning_run
from tests.dunning.conftest import invoice_due, remindable_customer
from tests.dunning.workers import (
    ROOT,
    SharedDatabase,
)
from tests.smtp import Inbox

PARIS = ZoneInfo("Europe/Paris")
TODAY = dt.date(2026, 3, 5)


def at(hour: int, minute: int = 0, day: dt.date = TODAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)


def queued(task_name: str) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path__endswith=task_name, status="READY"))


def work() -> None:
    """Run the queue empty with db_worker's own task runner (claim, call, record).

    Not the whole `db_worker --batch` loop: it closes the database connection
    between tasks, which would end the test's transaction on PostgreSQL.
    """
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
    while (row := DBTaskResult.objects.ready().get_locked()) is not None:
        row.claim(worker.worker_id)
        worker.run_task(row)
    assert not DBTaskResult.objects.failed().exists()


@pytest.fixture
def due_customer() -> None:
    customer = remindable_customer(None, "Client du jour")
    invoice_due(customer, TODAY - dt.timedelta(days=3))


@pytest.mark.django_db
def test_before_the_run_time_the_scheduler_enqueues_nothing(due_customer: None) -> None:
    DunningSettings.objects.filter(pk=DunningSettings.current().pk).update(run_at=dt.time(7, 30))
    with time_machine.travel(at(7, 29), tick=False):
        assert Scheduler().tick() == Tick()
    assert DBTaskResult.objects.count() == 0


@pytest.mark.django_db
def test_after_the_run_time_the_run_is_enqueued_once_and_its_reminders_go_out(
    due_customer: None, smtp_inbox: Inbox
) -> None:
    DunningSettings.objects.filter(pk=DunningSettings.current().pk).update(run_at=dt.time(7, 30))
    scheduler = Scheduler()
    with time_machine.travel(at(7, 31), tick=False):
        assert scheduler.tick() == Tick(run_on=TODAY)
        assert scheduler.tick() == Tick()  # the first one still waits for a worker
        assert [task.args_kwargs["args"] for task in queued("run_dunning_for")] == [["2026-03-05"]]
        work()
        assert DunningRun.objects.filter(run_on=TODAY).exists()
        # The run's own kick after commit does not fire inside a test transaction:
        # the scheduler's sweep is what delivers here.
        assert scheduler.tick() == Tick(sweep=True)
        work()
        assert scheduler.tick() == Tick()
    assert DunningMessage.objects.get().state == MessageState.SENT
    assert len(smtp_inbox.messages) == 1


@pytest.mark.django_db
def test_a_run_dated_later_than_today_means_no_run_today(due_customer: None) -> None:
    with time_machine.travel(at(9), tick=False):
        dunning_run(run_on=TODAY + dt.timedelta(days=1))  # the simulator replayed ahead
        assert Scheduler().tick().run_on is None
    assert queued("run_dunning_for") == []


@pytest.mark.django_db
def test_the_run_task_is_the_daily_run_and_twice_does_nothing(due_customer: None) -> None:
    with time_machine.travel(at(9), tick=False):
        first = run_dunning_for.call("2026-03-05")
        second = run_dunning_for.call("2026-03-05")
    assert (first["created"], first["messages"]) == (True, 1)
    assert (second["created"], second["messages"]) == (False, 0)


@pytest.mark.django_db
def test_retries_and_deliveries_whose_worker_died_resume_without_a_person(
    due_customer: None, smtp_inbox: Inbox
) -> None:
    with time_machine.travel(at(9), tick=False) as clock:
        dunning_run(run_on=TODAY)
        message = DunningMessage.objects.get()
        # A retry whose backoff has not passed yet: nothing to do.
        DunningMessage.objects.filter(pk=message.pk).update(next_attempt_at=at(9, 5))
        assert Scheduler().tick() == Tick()
        # A worker died while sending: the message stays claimed until its lease expires.
        DunningMessage.objects.filter(pk=message.pk).update(
            state=MessageState.SENDING, attempts=1, lease_until=at(9) + LEASE
        )
        clock.move_to(at(9) + LEASE - dt.timedelta(seconds=1))
        assert Scheduler().tick() == Tick()
        clock.move_to(at(9) + LEASE + dt.timedelta(seconds=1))
        assert Scheduler().tick() == Tick(sweep=True)
        work()
    message.refresh_from_db()
    assert (message.state, message.attempts) == (MessageState.SENT, 2)
    assert len(smtp_inbox.messages) == 1


@pytest.mark.django_db
def test_scheduler_once_does_one_tick_and_says_what_it_enqueued(due_customer: None) -> None:
    out = StringIO()
    with time_machine.travel(at(9), tick=False):
        call_command("scheduler", "--once", stdout=out)
        call_command("scheduler", "--once", stdout=out)
    assert out.getvalue().splitlines() == [
        "Dunning run for 2026-03-05 enqueued.",
        "Dunning run for 2026-03-05 enqueued.",  # cron users: harmless, the date is unique
    ]
    work()
    assert DunningRun.objects.filter(run_on=TODAY).count() == 1


@pytest.mark.django_db(transaction=True)  # defaults restored by tests/conftest.py
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
def test_the_scheduler_loop_enqueues_the_run_and_stops_at_once_on_a_signal(
    due_customer: None, tmp_path: Path, stop: signal.Signals
) -> None:
    # The child runs on the wall clock: a run time of midnight has always passed.
    DunningSettings.objects.filter(pk=DunningSettings.current().pk).update(run_at=dt.time(0, 0))
    db = SharedDatabase(tmp_path)
    db.handover()
    child = subprocess.Popen(
        [sys.executable, "-m", "encaisse.cli", "scheduler", "--tick", "60"],
        cwd=ROOT,
        env=db.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert child.stdout is not None
    lines = [child.stdout.readline().strip(), child.stdout.readline().strip()]
    started = time.monotonic()
    child.send_signal(stop)
    rest, _ = child.communicate(timeout=10)
    assert child.returncode == 0
    assert time.monotonic() - started < 5  # it does not sleep out its 60 s tick first
    assert lines[0].startswith("Scheduler: the daily dunning run at 00:00")
    assert lines[1].startswith("Dunning run for ") and lines[1].endswith(" enqueued.")
    assert rest.strip().endswith("Scheduler stopped.")
    db.takeback()
    assert len(queued("run_dunning_for")) == 1
