"""`encaisse import KIND FILE`: import a CSV or FEC file from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeElapsedColumn

from encaisse.accounts.models import User
from encaisse.ledger.imports import ImportReport, import_file
from encaisse.ledger.imports.report import Tally
from encaisse.ledger.language import language_for
from encaisse.ledger.models import ImportKind
from encaisse.lib.cli import add_language_option, labelled, number

MAX_PRINTED_ERRORS = 50


STATUSES = {
    "applied": gettext_lazy("applied"),
    "rejected": gettext_lazy("rejected: nothing was imported"),
    "valid": gettext_lazy("valid"),
    "invalid": gettext_lazy("invalid"),
}


class Command(BaseCommand):
    help = _("Import customers, invoices, payments, credit notes (CSV) or a FEC file.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=ImportKind.values)
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help=_("validate and report only"))
        parser.add_argument(
            "--valid-rows-only",
            action="store_true",
            help=_("import the valid rows despite errors"),
        )
        parser.add_argument(
            "--user",
            help=_("username recorded as the author of the import (and whose language it speaks)"),
        )
        add_language_option(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        language = options["language"]
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                with translation.override(language or language_for(None)):
                    raise CommandError(_("unknown user %(value)r") % {"value": options["user"]})
        with translation.override(language or language_for(actor)):
            self._import(options, actor)

    def _import(self, options: dict[str, Any], actor: User | None) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("%(path)s: no such file") % {"path": path})
        console = Console(stderr=True)
        with (
            path.open("rb") as handle,
            Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                DownloadColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            ) as progress,
        ):
            task = progress.add_task(f"{options['kind']} {path.name}", total=path.stat().st_size)
            report = import_file(
                kind=options["kind"],
                file=handle,
                filename=path.name,
                actor=actor,
                dry_run=options["dry_run"],
                valid_rows_only=options["valid_rows_only"],
                progress=lambda done: progress.update(task, completed=done),
            )
        self._print(report)
        if report.status in {"rejected", "invalid"}:
            raise CommandError(labelled(path.name, STATUSES[report.status]), returncode=1)

    def _print(self, report: ImportReport) -> None:
        """The report in the active language, figures in its number format."""
        out = self.stdout
        kind = ImportKind(report.kind).label
        what = _("%(kind)s, dry run") % {"kind": kind} if report.dry_run else kind
        status = STATUSES.get(report.status, report.status)
        out.write(labelled(report.filename, f"{status} ({what})"))
        if report.encoding:
            out.write(
                "  "
                + _("encoding %(encoding)s, separator %(separator)s")
                % {"encoding": report.encoding, "separator": repr(report.separator)}
            )
        out.write("  " + report.reading)
        out.write("  " + _counts(report) + _allocations(report.allocations))
        if report.reversals:
            out.write(
                "  "
                + ngettext(
                    "%(count)s allocation reversed by the FEC lettering",
                    "%(count)s allocations reversed by the FEC lettering",
                    report.reversals,
                )
                % {"count": number(report.reversals)}
            )
        if report.auto_applied:
            out.write(
                "  "
                + ngettext(
                    "%(count)s payment or credit note applied automatically",
                    "%(count)s payments or credit notes applied automatically",
                    report.auto_applied,
                )
                % {"count": number(report.auto_applied)}
            )
        for name, tally in report.labelled_tallies():
            out.write("    " + labelled(name, _counts(tally)))
        if report.file_error:
            out.write("  " + _("error: %(error)s") % {"error": report.file_error})
        for error in report.errors[:MAX_PRINTED_ERRORS]:
            out.write(f"  {error.file}:{error.line}: {error.column}: {error.reason}")
        if report.error_count > MAX_PRINTED_ERRORS:
            more = report.error_count - MAX_PRINTED_ERRORS
            out.write(
                "  "
                + ngettext("… and %(count)s more error", "… and %(count)s more errors", more)
                % {"count": number(more)}
            )
        if report.batch_id:
            out.write("  " + _("batch #%(id)s") % {"id": report.batch_id})


def _counts(tally: ImportReport | Tally) -> str:
    return _("created %(created)s, updated %(updated)s, unchanged %(unchanged)s") % {
        "created": number(tally.created),
        "updated": number(tally.updated),
        "unchanged": number(tally.unchanged),
    }


def _allocations(count: int) -> str:
    if not count:
        return ""
    return ", " + ngettext("%(count)s allocation", "%(count)s allocations", count) % {
        "count": number(count)
    }
