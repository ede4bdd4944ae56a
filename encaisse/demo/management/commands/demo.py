"""`encaisse demo`: load the demo company into the database, or write it as CSV or FEC files."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from encaisse.demo.csv_files import write_csv
from encaisse.demo.fec import write_fec
from encaisse.demo.generator import DEFAULT_SEED
from encaisse.demo.loader import DemoDatabaseNotEmpty, load_into_database
from encaisse.demo.users import DemoLogin
from encaisse.ledger.models import Customer


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise CommandError(
            _("--today expects a date written YYYY-MM-DD, not %(raw)r") % {"raw": raw}
        ) from exc


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
            type=_date,
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

    def handle(self, *args: Any, **options: Any) -> None:
        invoices: int = options["invoices"]
        if invoices < 1:
            raise CommandError(_("--invoices must be at least 1."))
        seed: int = options["seed"]
        today: dt.date = options["today"] or dt.date.today()
        progress = options["verbosity"] >= 1
        started = time.monotonic()
        if options["csv"]:
            counts = write_csv(
                options["csv"], invoices=invoices, seed=seed, today=today, progress=progress
            )
            for filename, rows in counts.items():
                self.stdout.write(_("%(file)s: %(rows)d rows") % {"file": filename, "rows": rows})
        elif options["fec"]:
            lines = write_fec(
                options["fec"], invoices=invoices, seed=seed, today=today, progress=progress
            )
            self.stdout.write(
                _("%(file)s: %(lines)d lines") % {"file": options["fec"], "lines": lines}
            )
        else:
            if options["if_empty"] and Customer.objects.exists():
                self.stdout.write(_("The database already has customers: demo data not loaded."))
                return
            try:
                result = load_into_database(
                    invoices=invoices, seed=seed, today=today, progress=progress
                )
            except DemoDatabaseNotEmpty as exc:
                raise CommandError(str(exc)) from exc
            for name, count in result.counts.items():
                self.stdout.write(f"{name}: {count}")
            self._print_logins(result.logins)
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(_("Done in %(seconds).1f s.") % {"seconds": elapsed}))

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
