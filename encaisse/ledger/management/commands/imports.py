"""`encaisse imports purge [--days N] [--dry-run]`: delete uploads never applied."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from encaisse.ledger.imports.uploads import upload_folder, uploads_purge


class Command(BaseCommand):
    help = "Housekeeping of the import uploads (the scheduler purges them once a day)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        purge = sub.add_parser(
            "purge",
            help="Delete uploaded files never applied and older than the retention.",
        )
        purge.add_argument(
            "--days",
            type=int,
            default=None,
            help="Retention in days (default: ENCAISSE_UPLOAD_RETENTION_DAYS).",
        )
        purge.add_argument("--dry-run", action="store_true", help="List, delete nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"] if options["days"] is not None else (
            settings.ENCAISSE_UPLOAD_RETENTION_DAYS
        )  # fmt: skip
        if days < 1:
            raise CommandError(f"--days must be at least 1, got {days}.")
        deleted = uploads_purge(retention_days=days, dry_run=options["dry_run"])
        verb = "Would delete" if options["dry_run"] else "Deleted"
        for path in deleted:
            self.stdout.write(f"  {path.name}")
        self.stdout.write(
            f"{verb} {len(deleted)} upload(s) older than {days} days from {upload_folder()}."
        )
