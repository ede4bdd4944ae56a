"""`encaisse demo`: load the demo company into the database, or write it as CSV or FEC files."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from encaisse.demo.csv_files import write_csv
from encaisse.demo.fec import write_fec
from encaisse.demo.generator import DEFAULT_SEED
from encaisse.demo.history import load_with_history
from encaisse.demo.loader import DemoDatabaseNotEmpty
from encaisse.demo.sim.table import done_in, dso_change, figures
from encaisse.demo.simulator import DayReport, merge
from encaisse.demo.users import DemoLogin, demo_logins
from encaisse.ledger.language import language_for
from encaisse.ledger.models import Customer
from encaisse.lib.cli import add_language_option, iso_date_option, labelled, number

# What the loader counted, as the report names it.
COUNTED = {
    "customers": gettext_lazy("Customers"),
    "contacts": gettext_lazy("Contacts"),
    "invoices": gettext_lazy("Invoices"),
    "credit_notes": gettext_lazy("Credit notes"),
    "payments": gettext_lazy("Payments"),
    "allocations": gettext_lazy("Allocations"),
}

# `make run` loads with --if-empty: a demo whose dunning has been running for two months.
IF_EMPTY_HISTORY_DAYS = 60


class Command(BaseCommand):
    help = _(
        "Create the deterministic demo company (staff, customers, invoices, payments, credit "
        "notes) in the database, or write it as CSV files or a FEC."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--invoices", type=int, default=2000, help=_("number of invoices (100 to 1 000 000)")
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=_("random seed"))
        parser.add_argument(
            "--today",
            type=iso_date_option("--today"),
            default=None,
            help=_("last day of the history (YYYY-MM-DD), default today"),
        )
        target = parser.add_mutually_exclusive_group()
        target.add_argument(
            "--csv", metavar="DIR", help=_("write the CSV files of docs/imports.md into DIR")
        )
        target.add_argument("--fec", metavar="FILE", help=_("write a FEC to FILE"))
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("do nothing when the database already has customers"),
        )
        parser.add_argument(
            "--history-days",
            type=int,
            default=None,
            help=_(
                "load the ledger of N days ago, then simulate the N days up to today so that "
                "dunning has a history (default: %(if_empty)d with --if-empty, else 0)"
            )
            % {"if_empty": IF_EMPTY_HISTORY_DAYS},
        )
        add_language_option(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        # The report speaks --language, else the company's language (the demo
        # company's once it is loaded), whatever language the loaded data is in.
        self.language = options["language"]
        invoices: int = options["invoices"]
        if invoices < 1:
            raise CommandError(_("--invoices must be at least 1."))
        seed: int = options["seed"]
        today: dt.date = options["today"] or dt.date.today()
        progress = options["verbosity"] >= 1
        if options["history_days"] and (options["csv"] or options["fec"]):
            raise CommandError(_("--history-days applies to a database load, not to files."))
        started = time.monotonic()
        if options["csv"]:
            counts = write_csv(
                options["csv"], invoices=invoices, seed=seed, today=today, progress=progress
            )
            with self.reporting():
                for filename, rows in counts.items():
                    self.stdout.write(
                        ngettext("%(file)s: %(count)s row", "%(file)s: %(count)s rows", rows)
                        % {"file": filename, "count": number(rows)}
                    )
        elif options["fec"]:
            lines = write_fec(
                options["fec"], invoices=invoices, seed=seed, today=today, progress=progress
            )
            with self.reporting():
                self.stdout.write(
                    ngettext("%(file)s: %(count)s line", "%(file)s: %(count)s lines", lines)
                    % {"file": options["fec"], "count": number(lines)}
                )
        else:
            if options["if_empty"] and Customer.objects.exists():
                with self.reporting():
                    self.stdout.write(
                        _("The database already has customers: demo data not loaded.")
                    )
                    # `make run` starts with --if-empty: remind the demo's logins at every start.
                    logins = demo_logins()
                    if logins:
                        self._print_logins(logins)
                return
            history_days = self._history_days(options)
            try:
                result, days = load_with_history(
                    invoices=invoices,
                    seed=seed,
                    today=today,
                    history_days=history_days,
                    progress=progress,
                )
            except DemoDatabaseNotEmpty as exc:
                raise CommandError(str(exc)) from exc
            with self.reporting():
                for name, count in result.counts.items():
                    self.stdout.write(labelled(COUNTED.get(name, name), number(count)))
                if days:
                    self._print_history(days)
                self._print_logins(result.logins)
        with self.reporting():
            self.stdout.write(self.style.SUCCESS(done_in(time.monotonic() - started)))

    def reporting(self) -> translation.override:
        return translation.override(self.language or language_for(None))

    @staticmethod
    def _history_days(options: dict[str, Any]) -> int:
        days: int | None = options["history_days"]
        if days is None:
            return IF_EMPTY_HISTORY_DAYS if options["if_empty"] else 0
        if days < 0:
            raise CommandError(_("--history-days cannot be negative."))
        return days

    def _print_history(self, days: list[DayReport]) -> None:
        total = merge(days)
        self.stdout.write(
            _("Dunning history simulated from %(first)s to %(last)s: %(figures)s; %(dso)s.")
            % {
                "first": days[0].day,
                "last": days[-1].day,
                "figures": figures(total),
                "dso": dso_change(days[0], total),
            }
        )

    def _print_logins(self, logins: list[DemoLogin]) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(_("Demo logins")))
        width = max(len(login.username) for login in logins)
        for login in logins:
            team = f", {login.team}" if login.team else ""
            self.stdout.write(
                f"  {login.username.ljust(width)}  {login.password}  "
                f"({login.full_name}, {login.role}{team})"
            )
