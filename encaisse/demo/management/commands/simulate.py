"""`encaisse simulate --days N`: replay days on the demo company and print the figures."""

from __future__ import annotations

import io
import shutil
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rich.console import Console

from encaisse.demo.sim.table import (
    done_in,
    dso_change,
    euros,
    figures,
    kpi_table,
    step_label,
    step_names,
    weeks,
)
from encaisse.demo.simulator import DayReport, SimulationRefused, merge, simulate
from encaisse.dunning.services.run import RunRefused
from encaisse.ledger.language import language_for
from encaisse.lib.cli import add_language_option, iso_date_option, number

MEMORY = "memory"


class Command(BaseCommand):
    help = _(
        "Replay days on the demo company: customers pay by their behaviour, the dunning run "
        "executes, finance reviews, reps call; print messages per step, overdue and DSO."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, required=True, help=_("number of days to replay"))
        parser.add_argument(
            "--start",
            type=iso_date_option("--start"),
            default=None,
            help=_("first day (YYYY-MM-DD); default: the day after the last run or ledger day"),
        )
        parser.add_argument(
            "--seed", type=int, default=None, help=_("default: the seed the demo was loaded with")
        )
        parser.add_argument("--weekly", action="store_true", help=_("one row per week"))
        parser.add_argument(
            "--sink",
            default=None,
            help=_("directory for the emails (default var/sink/), or “memory” to keep none"),
        )
        add_language_option(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        days: int = options["days"]
        if days < 1:
            raise CommandError(_("--days must be at least 1."))
        sink = self._sink(options["sink"])
        started = time.monotonic()
        try:
            reports = simulate(
                days=days,
                start=options["start"],
                seed=options["seed"],
                sink=sink,
                progress=options["verbosity"] >= 1,
            )
        except (SimulationRefused, RunRefused) as exc:
            raise CommandError(str(exc)) from exc
        # The report in the company's language (or --language); what the days
        # wrote (tasks, timeline) is in the company's, whatever the report's.
        with translation.override(options["language"] or language_for(None)):
            self._print(reports, weekly=options["weekly"])
            if sink is not None:
                self.stdout.write(_("Emails written to %(path)s") % {"path": sink})
            elapsed = time.monotonic() - started
            self.stdout.write(self.style.SUCCESS(done_in(elapsed)))

    @staticmethod
    def _sink(raw: str | None) -> Path | None:
        if raw == MEMORY:
            return None
        return Path(raw) if raw else Path(settings.VAR_DIR) / "sink"

    def _print(self, reports: list[DayReport], *, weekly: bool) -> None:
        names = step_names()
        total = merge(reports)
        offsets = sorted(set(names) | set(total.contacts))
        tty = self.stdout.isatty()
        buffer = io.StringIO()
        width = shutil.get_terminal_size().columns if tty else 200
        Console(file=buffer, width=width, force_terminal=tty).print(
            kpi_table(weeks(reports) if weekly else reports, offsets)
        )
        self.stdout.write(buffer.getvalue(), ending="")
        legend = ", ".join(f"{step_label(o)} {names.get(o, '?')}" for o in offsets)
        self.stdout.write(_("Messages or tasks per step: %(legend)s") % {"legend": legend})
        overdue_from, overdue_to = reports[0].kpis.overdue, total.kpis.overdue
        self.stdout.write(
            ngettext(
                "%(days)s day: %(figures)s; overdue %(overdue_from)s → %(overdue_to)s €, %(dso)s.",
                "%(days)s days: %(figures)s; overdue %(overdue_from)s → %(overdue_to)s €, %(dso)s.",
                len(reports),
            )
            % {
                "days": number(len(reports)),
                "figures": figures(total),
                "overdue_from": euros(overdue_from),
                "overdue_to": euros(overdue_to),
                "dso": dso_change(reports[0], total),
            }
        )
