"""`encaisse dunning run [--date D]` and `encaisse dunning preview --date D`."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from encaisse.dunning.services.go_live import FirstRunNotConfirmed
from encaisse.dunning.services.preview import dunning_preview
from encaisse.dunning.services.run import RunRefused, dunning_run
from encaisse.lib import clock
from encaisse.lib.cli import iso_date_option


class Command(BaseCommand):
    help = "Run the dunning engine for a date, or preview what it would send."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="Decide and queue today's (or --date's) reminders.")
        run.add_argument("--date", type=iso_date_option("--date"), default=None)
        preview = sub.add_parser(
            "preview", help="Show what would go out on --date; writes nothing."
        )
        preview.add_argument("--date", type=iso_date_option("--date"), required=True)
        preview.add_argument("--limit", type=int, default=30, help="Customers listed (default 30).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "run":
            self._run(options["date"] or clock.today())
        else:
            self._preview(options["date"], options["limit"])

    def _run(self, on: dt.date) -> None:
        try:
            report = dunning_run(run_on=on)
        except (RunRefused, FirstRunNotConfirmed) as refused:
            raise CommandError(str(refused)) from refused
        if not report.created:
            self.stdout.write(f"Dunning for {on} has already run: nothing to do.")
            return
        self.stdout.write(
            f"Dunning run {on}: {report.examined} invoices examined "
            f"({report.enrolled} new), {report.performed} steps performed, "
            f"{report.skipped} skipped, {report.postponed} postponed (minimum gap), "
            f"{report.blocked} blocked, {report.settled} settled."
        )
        self.stdout.write(
            f"{report.messages} messages ({report.to_review} to review), {report.tasks} tasks."
        )
        for name, count in sorted(report.by_step.items(), key=lambda item: -item[1]):
            self.stdout.write(f"  {name}: {count}")

    def _preview(self, on: dt.date, limit: int) -> None:
        preview = dunning_preview(on=on)
        for day in preview.days:
            steps = ", ".join(f"{name} {count}" for name, count in sorted(day.by_step.items()))
            self.stdout.write(
                f"{day.on}: {day.messages} messages, {day.tasks} tasks"
                + (f" ({steps})" if steps else "")
            )
        self.stdout.write(f"On {on}:")
        for g in preview.groups[:limit]:
            total = sum(d.facts.net for d in g.decisions)
            review = " [to review]" if g.needs_review else ""
            self.stdout.write(
                f"  customer {g.customer_id}: {g.step.name} ({g.channel}), "
                f"{len(g.decisions)} invoice(s), {total}{review}"
            )
        if len(preview.groups) > limit:
            self.stdout.write(f"  … and {len(preview.groups) - limit} more")
