"""`encaisse dunning run [--date D]` and `encaisse dunning preview --date D`.

Both report in the company's language (or `--language`), with its number and
money formats, every figure saying what it counts.
"""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from encaisse.dunning.models import StepAction
from encaisse.dunning.services.go_live import FirstRunNotConfirmed
from encaisse.dunning.services.preview import PreviewDay, dunning_preview
from encaisse.dunning.services.run import RunRefused, RunReport, dunning_run
from encaisse.ledger.language import language_for
from encaisse.ledger.selectors import first_customers_by_name
from encaisse.lib import clock
from encaisse.lib.cli import add_language_option, iso_date_option, labelled, number
from encaisse.lib.money import format_money


class Command(BaseCommand):
    help = _("Run the dunning engine for a date, or preview what it would send.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help=_("Decide and queue today's (or --date's) reminders."))
        run.add_argument("--date", type=iso_date_option("--date"), default=None)
        add_language_option(run)
        preview = sub.add_parser(
            "preview", help=_("Show what would go out on --date; writes nothing.")
        )
        preview.add_argument("--date", type=iso_date_option("--date"), required=True)
        preview.add_argument(
            "--limit", type=int, default=30, help=_("Customers listed (default 30).")
        )
        add_language_option(preview)

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"] or language_for(None)):
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
            self.stdout.write(
                _("Dunning for %(date)s has already run: nothing to do.") % {"date": on}
            )
            return
        self.stdout.write(run_summary(report))
        for name, count in sorted(report.by_step.items(), key=lambda item: -item[1]):
            self.stdout.write("  " + labelled(name, invoices(count)))

    def _preview(self, on: dt.date, limit: int) -> None:
        preview = dunning_preview(on=on)
        for day in preview.days:
            self.stdout.write(preview_day(day))
        self.stdout.write(
            ngettext(
                "On %(date)s: %(count)s customer action",
                "On %(date)s: %(count)s customer actions",
                len(preview.groups),
            )
            % {"date": on, "count": number(len(preview.groups))}
        )
        customers = first_customers_by_name({g.customer_id for g in preview.groups}, limit)
        rank = {customer.pk: n for n, customer in enumerate(customers)}
        listed = sorted(
            (g for g in preview.groups if g.customer_id in rank),
            key=lambda g: (rank[g.customer_id], g.channel),
        )[:limit]
        language = translation.get_language() or "fr"
        for g in listed:
            customer = customers[rank[g.customer_id]]
            total = sum((d.facts.net for d in g.decisions), Decimal("0"))
            review = f" [{_('to review')}]" if g.needs_review else ""
            what = (
                f"{g.step.name} ({StepAction(g.step.action).label}), "
                f"{invoices(len(g.decisions))}, "
                f"{format_money(total, customer.currency, language)}{review}"
            )
            self.stdout.write("  " + labelled(f"{customer.name} ({customer.external_key})", what))
        if len(preview.groups) > len(listed):
            more = len(preview.groups) - len(listed)
            self.stdout.write(
                "  "
                + ngettext("… and %(count)s more", "… and %(count)s more", more)
                % {"count": number(more)}
            )


def invoices(count: int) -> str:
    return ngettext("%(count)s invoice", "%(count)s invoices", count) % {"count": number(count)}


def run_summary(report: RunReport) -> str:
    """Two lines: what the run examined and did to invoices, then what it produced."""
    examined = ngettext(
        "%(count)s invoice examined", "%(count)s invoices examined", report.examined
    ) % {"count": number(report.examined)}
    enrolled = ngettext("%(count)s new", "%(count)s new", report.enrolled) % {
        "count": number(report.enrolled)
    }
    figures = [
        f"{examined} ({enrolled})",
        ngettext("%(count)s step performed", "%(count)s steps performed", report.performed)
        % {"count": number(report.performed)},
        ngettext("%(count)s step skipped", "%(count)s steps skipped", report.skipped)
        % {"count": number(report.skipped)},
        ngettext(
            "%(count)s invoice postponed (minimum gap)",
            "%(count)s invoices postponed (minimum gap)",
            report.postponed,
        )
        % {"count": number(report.postponed)},
        ngettext("%(count)s invoice blocked", "%(count)s invoices blocked", report.blocked)
        % {"count": number(report.blocked)},
        ngettext("%(count)s invoice settled", "%(count)s invoices settled", report.settled)
        % {"count": number(report.settled)},
    ]
    first = _("Dunning run of %(date)s: %(figures)s.") % {
        "date": report.run_on,
        "figures": ", ".join(figures),
    }
    messages = ngettext("%(count)s message", "%(count)s messages", report.messages) % {
        "count": number(report.messages)
    }
    review = ngettext("%(count)s to review", "%(count)s to review", report.to_review) % {
        "count": number(report.to_review)
    }
    tasks = ngettext("%(count)s task", "%(count)s tasks", report.tasks) % {
        "count": number(report.tasks)
    }
    return f"{first}\n{messages} ({review}), {tasks}."


def preview_day(day: PreviewDay) -> str:
    """A replayed day: messages (one per customer and channel), tasks, and the
    invoices reaching each step."""
    messages = ngettext("%(count)s message", "%(count)s messages", day.messages) % {
        "count": number(day.messages)
    }
    tasks = ngettext("%(count)s task", "%(count)s tasks", day.tasks) % {"count": number(day.tasks)}
    line = labelled(day.on, f"{messages}, {tasks}")
    if day.by_step:
        steps = ", ".join(labelled(name, invoices(n)) for name, n in sorted(day.by_step.items()))
        line += " — " + _("invoices per step: %(steps)s") % {"steps": steps}
    return line
