"""The scheduler: the daily run at its time (with the resolution's daily checks,
docs/promises.md), and an outbox that keeps moving (SPEC §4); once a day, the
purge of import uploads never applied (docs/imports.md).

`encaisse scheduler` calls `Scheduler.tick()` every ENCAISSE_SCHEDULER_TICK
seconds. A tick only enqueues tasks; the db_worker processes do the work. So
the scheduler holds no lock and no state that matters: a second scheduler, or
a cron job running `encaisse scheduler --once`, does no harm, because a run is
unique per date and a delivery claims each message (docs/dunning-delivery.md).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import close_old_connections
from django.utils import timezone
from django_tasks import TaskResult, TaskResultStatus, task
from django_tasks.exceptions import TaskResultDoesNotExist

from encaisse.dunning.delivery.outbox import deliverable
from encaisse.dunning.delivery.tasks import deliver_due_messages
from encaisse.dunning.models import DunningMessage, DunningRun, DunningSettings
from encaisse.dunning.services.run import dunning_run
from encaisse.ledger.imports.tasks import purge_expired_uploads
from encaisse.ledger.imports.uploads import uploads_expired
from encaisse.lib import clock
from encaisse.resolution.daily import resolution_daily
from encaisse.webhooks.tasks import deliver_due_webhooks, webhooks_due

logger = logging.getLogger(__name__)


@task()
def run_dunning_for(run_on: str) -> dict[str, object]:
    """The daily run for `run_on` (YYYY-MM-DD); for a date that has run it does nothing."""
    return dunning_run(run_on=dt.date.fromisoformat(run_on)).as_dict()


def run_due() -> dt.date | None:
    """Today, when today's run should start: its time has passed and it has not run.

    A run dated later than today (the simulator replayed ahead) also means
    nothing to do: runs never go back in time, so enqueuing one would only fail.
    """
    now = timezone.localtime(clock.now())
    policy = DunningSettings.current()
    # Before finance confirms the first run, nothing runs (services.go_live).
    if not policy.first_run_confirmed or now.time() < policy.run_at:
        return None
    today = now.date()
    if DunningRun.objects.filter(run_on__gte=today).exists():
        return None
    return today


def _queued(result: TaskResult[Any] | None) -> bool:
    """True while a task we enqueued still waits for a worker.

    Only waiting counts: a task that is running (or whose worker died while
    running it) does not stop the next tick from enqueuing another, which is
    harmless (unique run date, claimed messages) and keeps things moving.
    """
    if result is None or result.status != TaskResultStatus.READY:
        return False
    try:
        result.refresh()
    except (TaskResultDoesNotExist, NotImplementedError):
        return False  # pruned, or a backend that cannot tell: enqueue again
    return result.status == TaskResultStatus.READY


@dataclass(slots=True)
class Tick:
    """What one tick enqueued."""

    run_on: dt.date | None = None
    sweep: bool = False
    webhooks: bool = False
    purge: bool = False


@dataclass(slots=True)
class Scheduler:
    """The tasks this scheduler enqueued last, so that it never piles up copies
    while the workers are busy or stopped."""

    run: TaskResult[dict[str, object]] | None = None
    sweep: TaskResult[dict[str, int]] | None = None
    webhooks: TaskResult[dict[str, int]] | None = None
    purge: TaskResult[int] | None = None
    uploads_checked_on: dt.date | None = None

    def tick(self) -> Tick:
        done = Tick()
        today = run_due()
        if today is not None and not _queued(self.run):
            # The resolution's daily checks (promises kept or broken, instalments
            # missed, expired holds) are enqueued first, so that a worker taking
            # tasks in order settles them before the day's run decides; they are
            # idempotent, so a second copy is harmless.
            resolution_daily.enqueue(today.isoformat())
            self.run = run_dunning_for.enqueue(today.isoformat())
            done.run_on = today
        # Retries whose backoff has passed, and deliveries whose worker died (lease expired).
        if DunningMessage.objects.filter(deliverable()).exists() and not _queued(self.sweep):
            self.sweep = deliver_due_messages.enqueue()
            done.sweep = True
        # Webhook retries whose backoff has passed, and deliveries a dead worker left behind.
        if webhooks_due() and not _queued(self.webhooks):
            self.webhooks = deliver_due_webhooks.enqueue()
            done.webhooks = True
        done.purge = self._purge_uploads()
        return done

    def _purge_uploads(self) -> bool:
        """Once a day, the import uploads never applied and past their retention.

        By the wall clock, not the simulator's: files age in real time.
        """
        day = timezone.localdate()
        if self.uploads_checked_on == day:
            return False
        self.uploads_checked_on = day
        if not uploads_expired() or _queued(self.purge):
            return False
        self.purge = purge_expired_uploads.enqueue()
        return True


def scheduler_loop(
    *, every: float, stop: threading.Event, report: Callable[[Tick], None] | None = None
) -> None:
    """Tick every `every` seconds until `stop` is set; an error skips one tick, never the loop."""
    scheduler = Scheduler()
    while not stop.is_set():
        close_old_connections()  # a long-lived process: drop connections the server closed
        try:
            done = scheduler.tick()
        except Exception:  # the database restarting, a network blip: the next tick retries
            logger.exception("Scheduler tick failed")
        else:
            if report is not None:
                report(done)
        finally:
            close_old_connections()
        stop.wait(every)
