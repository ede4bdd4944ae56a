"""`encaisse scheduler [--once]`: start the daily run at its time and keep the outbox delivering."""

from __future__ import annotations

import signal
import threading
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from encaisse.dunning.models import DunningSettings
from encaisse.dunning.scheduling import Scheduler, Tick, scheduler_loop


class Command(BaseCommand):
    help = (
        "Enqueue the daily dunning run once its time has passed, and a delivery sweep "
        "whenever messages are due (retries, interrupted deliveries); Ctrl-C stops it."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="One tick, then exit (cron).")
        parser.add_argument(
            "--tick",
            type=float,
            default=None,
            help="Seconds between ticks (default: ENCAISSE_SCHEDULER_TICK).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every = options["tick"] if options["tick"] is not None else settings.ENCAISSE_SCHEDULER_TICK
        if every <= 0:
            raise CommandError(f"The tick must be a positive number of seconds, got {every}.")
        if options["once"]:
            self._report(Scheduler().tick(), quiet=False)
            return
        stop = threading.Event()

        def request_stop(*_: Any) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        run_at = DunningSettings.current().run_at.strftime("%H:%M")
        self.stdout.write(
            f"Scheduler: the daily dunning run at {run_at} ({settings.TIME_ZONE}), "
            f"outbox checked every {every:g} s."
        )
        scheduler_loop(every=every, stop=stop, report=self._report)
        self.stdout.write("Scheduler stopped.")

    def _report(self, done: Tick, quiet: bool = True) -> None:
        if done.run_on is not None:
            self.stdout.write(f"Dunning run for {done.run_on} enqueued.")
        if done.sweep:
            self.stdout.write("Delivery sweep enqueued (messages due).")
        if done.purge:
            self.stdout.write("Purge of expired import uploads enqueued.")
        if not quiet and done.run_on is None and not done.sweep and not done.purge:
            self.stdout.write("Nothing to do.")
