"""`encaisse import KIND FILE`: import a CSV or FEC file from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeElapsedColumn

from encaisse.accounts.models import User
from encaisse.ledger.imports import ImportReport, import_file
from encaisse.ledger.models import ImportKind

MAX_PRINTED_ERRORS = 50


class Command(BaseCommand):
    help = "Import customers, invoices, payments, credit notes (CSV) or a FEC file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=ImportKind.values)
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="validate and report only")
        parser.add_argument(
            "--valid-rows-only", action="store_true", help="import the valid rows despite errors"
        )
        parser.add_argument("--user", help="username recorded as the author of the import")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"unknown user {options['user']!r}")
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
            raise CommandError(f"{path.name}: {report.status}", returncode=1)

    def _print(self, report: ImportReport) -> None:
        out = self.stdout
        out.write(
            f"{report.filename}: {report.status} ({report.kind}"
            f"{', dry run' if report.dry_run else ''})"
        )
        if report.encoding:
            out.write(f"  encoding {report.encoding}, separator {report.separator!r}")
        out.write(
            f"  rows {report.rows}: created {report.created}, updated {report.updated}, "
            f"unchanged {report.unchanged}, rows with errors {report.error_rows}, "
            f"allocations {report.allocations}"
        )
        if report.reversals:
            out.write(f"  allocations reversed by the FEC lettering: {report.reversals}")
        if report.auto_applied:
            out.write(f"  payments and credit notes applied automatically: {report.auto_applied}")
        for name, tally in report.labelled_tallies():
            out.write(
                f"    {name}: created {tally.created}, updated {tally.updated}, "
                f"unchanged {tally.unchanged}"
            )
        if report.file_error:
            out.write(f"  error: {report.file_error}")
        for error in report.errors[:MAX_PRINTED_ERRORS]:
            out.write(f"  {error.file}:{error.line}: {error.column}: {error.reason}")
        if report.error_count > MAX_PRINTED_ERRORS:
            out.write(f"  … and {report.error_count - MAX_PRINTED_ERRORS} more errors")
        if report.batch_id:
            out.write(f"  batch #{report.batch_id}")
