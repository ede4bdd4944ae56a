"""The import service: read → validate → write, in chunks, in one transaction.

1. Read: `open_table` streams (line, cells) from the file (encoding and separator sniffed).
2. Validate: the kind's schema parses every cell; the kind's handler checks each
   chunk against the ledger (one query per chunk) and classifies rows as
   created / updated / unchanged / error.
3. Write: unless it is a dry run, the handler writes the chunk with raw bulk
   statements. Once an error is seen (and `valid_rows_only` is off) writing
   stops, the rest is only validated, and the transaction is rolled back.
4. Finish: customers' open balances recomputed set-based for the customers
   touched (invoice balances and allocated totals are written final by the
   handlers; FEC lettering recomputes its invoices set-based), one timeline
   entry per customer touched, an ImportBatch recorded (applied or rejected).
5. With the company's `cash_auto_apply` setting on, the payments and credit
   notes of the batch whose match is unambiguous are applied (cash application).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
from collections.abc import Callable, Iterator
from typing import IO

from django.conf import settings
from django.db import reset_queries, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from encaisse.accounts.models import User, stored_actor
from encaisse.collab.models import Activity
from encaisse.ledger.hooks import cash_moved
from encaisse.ledger.imports.context import Context
from encaisse.ledger.imports.fec import fec_import
from encaisse.ledger.imports.kinds.base import Handler
from encaisse.ledger.imports.kinds.credit_notes import CreditNotesHandler
from encaisse.ledger.imports.kinds.customers import CustomersHandler
from encaisse.ledger.imports.kinds.invoices import InvoicesHandler
from encaisse.ledger.imports.kinds.payments import PaymentsHandler
from encaisse.ledger.imports.reader import FileError, open_table
from encaisse.ledger.imports.report import MAX_STORED_ERRORS, ImportReport, Progress
from encaisse.ledger.imports.schema import Row
from encaisse.ledger.models import (
    Company,
    Customer,
    ImportBatch,
    ImportKind,
    ImportSource,
    ImportStatus,
    Invoice,
)
from encaisse.ledger.services.balances import (
    balances_recompute,
    open_balances_recompute,
    statistics_refresh,
)
from encaisse.ledger.services.cash_application import cash_apply_confident
from encaisse.lib import bulk
from encaisse.webhooks.bulk_events import import_events_emit

logger = logging.getLogger(__name__)

CSV_HANDLERS: dict[str, type[Handler]] = {
    ImportKind.CUSTOMERS: CustomersHandler,
    ImportKind.INVOICES: InvoicesHandler,
    ImportKind.PAYMENTS: PaymentsHandler,
    ImportKind.CREDIT_NOTES: CreditNotesHandler,
}
AUTO_APPLY_KINDS = {ImportKind.PAYMENTS, ImportKind.CREDIT_NOTES, ImportKind.FEC}
# Past this many touched rows (and half the table), recompute everything at once.
RECOMPUTE_ALL_ABOVE = 50_000
ANALYZE_ABOVE = 10_000


class _Rollback(Exception):
    pass


def import_file(
    *,
    kind: str,
    file: IO[bytes],
    filename: str,
    actor: User | None,
    dry_run: bool = False,
    valid_rows_only: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import one file (seekable, binary). Never raises for bad input: see the report."""
    report = ImportReport(
        kind=kind, filename=filename, dry_run=dry_run, valid_rows_only=valid_rows_only
    )
    if kind not in ImportKind.values:
        report.file_error = f"unknown kind {kind!r}"
        return report
    source = ImportSource.FEC if kind == ImportKind.FEC else ImportSource.CSV
    run_import(
        report,
        actor=actor,
        source=source,
        work=lambda ctx: _read_and_write(ctx, kind, file, progress),
    )
    if not report.sha256:
        report.sha256 = _sha256(file)
    conclude(report, actor=actor, source=source)
    return report


def run_import(
    report: ImportReport,
    *,
    actor: User | None,
    source: str,
    work: Callable[[Context], None],
    setup: Callable[[Context], None] | None = None,
) -> Context | None:
    """Stages 2–5 in one transaction around `work` (which reads and writes the rows).

    Shared by the file imports and `import_records` (the API): one validation, one
    writer, one way to finish. Returns the run's context (None after a crash, which
    the report describes).
    """
    ctx: Context | None = None
    try:
        with bulk.tuned_for_bulk(), transaction.atomic():
            ctx = Context(report=report, actor=actor, created_at=bulk.now_value())
            if setup is not None:
                setup(ctx)
            if not report.dry_run:
                ctx.batch_id = ImportBatch.objects.create(
                    kind=report.kind,
                    source=source,
                    filename=report.filename[:255],
                    sha256="",
                    status=ImportStatus.APPLIED,
                    valid_rows_only=report.valid_rows_only,
                    actor=stored_actor(actor),
                ).pk
            work(ctx)
            # Cell errors come out while reading, ledger checks per chunk: show them in file order.
            report.errors.sort(key=lambda error: error.line)
            if report.dry_run or (
                report.has_errors and not (report.valid_rows_only and report.valid_rows)
            ):
                raise _Rollback
            if ctx.skip_if_unchanged and not (report.created or report.updated or ctx.extra_writes):
                raise _Rollback  # nothing to write, not even the batch: an idempotent push
            _finish(ctx)
    except _Rollback:
        pass
    except Exception as exc:  # a bug or a database refusal must still give a clear report
        logger.exception("import of %s failed", report.filename)
        report.file_error = _("Unexpected error, nothing was imported: %(error)s") % {
            "error": exc.__class__.__name__
        }
        return None
    return ctx


def conclude(report: ImportReport, *, actor: User | None, source: str) -> None:
    """Set the final status; a rejected apply is recorded too (the history shows it)."""
    if report.dry_run:
        report.status = "invalid" if report.has_errors else "valid"
    elif report.status != ImportStatus.APPLIED and report.has_errors:
        report.discard_counts()  # what the rows would have done did not happen
        report.status = ImportStatus.REJECTED
        report.batch_id = _record(report, actor, ImportStatus.REJECTED, source).pk


def _read_and_write(ctx: Context, kind: str, file: IO[bytes], progress: Progress | None) -> None:
    report = ctx.report
    try:
        if kind == ImportKind.FEC:
            fec_import(ctx, file, progress)
            return
        table = open_table(file, bad_row=report.bad_row)
        report.encoding, report.separator = table.encoding, table.separator
        handler = CSV_HANDLERS[kind](ctx)
        rows = handler.schema.rows(table.rows, table.header, table.labels, report)
        for chunk in _chunks(rows, settings.ENCAISSE_IMPORT_CHUNK):
            handler.handle_chunk(chunk)
            reset_queries()  # under DEBUG the query log would keep every chunk's SQL
            if progress is not None:
                progress(table.bytes_read)
        handler.finish()
        report.encoding = table.encoding  # an all-ASCII start may have become Windows-1252
        report.sha256 = table.sha256()
    except FileError as exc:
        report.file_error = str(exc)


def _chunks(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    while chunk := list(itertools.islice(rows, size)):
        yield chunk


def _finish(ctx: Context) -> None:
    report = ctx.report
    if report.created > ANALYZE_ABOVE:
        statistics_refresh()
    customer_ids = _ids_or_all(set(ctx.touched) | ctx.lettered_customers, Customer)
    if ctx.touched_invoices:
        balances_recompute(
            invoice_ids=_ids_or_all(ctx.touched_invoices, Invoice), customer_ids=customer_ids
        )
    else:
        # Invoices, payments and credit notes were written with final values.
        open_balances_recompute(customer_ids)
    _auto_apply(ctx)
    cash_moved(set(ctx.touched) | ctx.lettered_customers)
    report.status = ImportStatus.APPLIED
    assert ctx.batch_id is not None
    batch = ImportBatch(pk=ctx.batch_id)  # written at the start: only its outcome is set now
    _fill(batch, report)
    batch.save(update_fields=FILLED)
    report.batch_id = batch.pk
    _record_timeline(ctx, batch.pk)
    import_events_emit(
        batch_id=batch.pk, created_at=ctx.created_at, updated_invoice_ids=ctx.updated_invoices
    )


def _auto_apply(ctx: Context) -> None:
    """With the company setting on, apply the batch's cash items whose match is unambiguous.

    Once balances are final, in the import's transaction: the report (and the
    batch's counts) say how many were applied.
    """
    if ctx.report.kind not in AUTO_APPLY_KINDS or not Company.current().cash_auto_apply:
        return
    result = cash_apply_confident(actor=ctx.actor, batch_id=ctx.batch_id)
    ctx.report.auto_applied = len(result.applied)


def _record_timeline(ctx: Context, batch_id: int) -> None:
    """One `ledger.import.applied` entry per customer touched.

    Written with the raw bulk insert, not `Activity.objects.bulk_create`: on a
    100 000-customer ledger the ORM spends seconds building model instances
    and compiling one parameterised INSERT per batch.
    """
    report = ctx.report
    actor = stored_actor(ctx.actor)
    actor_id = actor.pk if actor is not None else None
    created_at = bulk.now_value()
    entries = (
        (
            "ledger.import.applied",
            actor_id,
            customer_id,
            json.dumps(
                {
                    "batch": batch_id,
                    "kind": report.kind,
                    "file": report.filename,
                    "created": created,
                    "updated": updated,
                }
            ),
            created_at,
        )
        for customer_id, (created, updated) in ctx.touched.items()
    )
    while part := list(itertools.islice(entries, 10_000)):
        bulk.insert(
            Activity._meta.db_table,
            ("verb", "actor_id", "customer_id", "payload", "created_at"),
            part,
        )


def _ids_or_all(ids: set[int], model: type[Invoice] | type[Customer]) -> list[int] | None:
    """The touched ids, or None ("all") when they are most of the table anyway.

    On a large ledger a small import must not rewrite every row: each rewritten
    row costs index maintenance, and on PostgreSQL a new row version.
    """
    if len(ids) > RECOMPUTE_ALL_ABOVE and len(ids) * 2 > model.objects.count():
        return None
    return list(ids)


FILLED = ["sha256", "status", "counts", "errors", "finished_at"]


def _fill(batch: ImportBatch, report: ImportReport) -> None:
    batch.sha256 = report.sha256
    batch.status = report.status
    batch.counts = report.counts()
    batch.errors = [error.as_dict() for error in report.errors[:MAX_STORED_ERRORS]]
    if report.file_error:
        batch.errors.insert(0, {"file": report.filename, "line": 0, "column": "",
                                "reason": report.file_error})  # fmt: skip
    batch.finished_at = timezone.now()


def _record(report: ImportReport, actor: User | None, status: str, source: str) -> ImportBatch:
    batch = ImportBatch(
        kind=report.kind,
        source=source,
        filename=report.filename[:255],
        valid_rows_only=report.valid_rows_only,
        actor=stored_actor(actor),
    )
    report.status = status
    _fill(batch, report)
    batch.save()
    return batch


def _sha256(file: IO[bytes]) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    while block := file.read(1 << 20):
        digest.update(block)
    return digest.hexdigest()
