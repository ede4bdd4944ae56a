"""`import_records`: the API's upserts, through the CSV import's own pipeline.

1. Each record (a dict) becomes the cells of a CSV row (`record_cells`); the
   kind's schema parses them as it parses a file, so values and messages are
   the import's own.
2. Per chunk, when the caller is scoped (a sales rep) or the mode is not
   "upsert", one query checks the records' keys against the ledger: a key held
   by an object outside the scope is refused without saying more, "create"
   refuses existing keys, "update" unknown ones.
3. The kind's handler checks the chunk against the ledger (customers named by
   key are resolved inside the scope only) and writes it; the import's finish
   (balances, timeline, ImportBatch with source "api") follows, in the same
   transaction. Any error: nothing is written and every error is returned.
4. A push that changes nothing writes nothing at all (not even its batch), so
   the same payload twice is a no-op that says "unchanged" per record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from encaisse.accounts.models import User
from encaisse.ledger.imports.context import Context
from encaisse.ledger.imports.kinds.base import Handler
from encaisse.ledger.imports.pipeline import CSV_HANDLERS, conclude, run_import
from encaisse.ledger.imports.record_cells import REQUIRED_MISSING, RecordShape
from encaisse.ledger.imports.record_results import (
    MAX_RECORDS,
    ErrorCode,
    Mode,
    Outcome,
    RecordError,
    RecordOutcome,
    RecordsResult,
)
from encaisse.ledger.imports.report import ImportReport
from encaisse.ledger.imports.schema import Row
from encaisse.ledger.models import Company, Customer, ImportSource, InvoiceSource
from encaisse.lib import bulk

# Outcome(value) costs ~14 µs (enum machinery): 10 % of a 1 000-record push.
OUTCOMES = {outcome.value: outcome for outcome in Outcome}
# Kinds whose external key defaults to the number (see their handlers).
KEYED_BY_NUMBER = {"invoices", "credit_notes"}


def import_records(
    *,
    company: Company,
    kind: str,
    records: Sequence[Mapping[str, Any]],
    actor: User | None,
    source_label: str,
    dry_run: bool = False,
    mode: Mode = "upsert",
    visible_customers: QuerySet[Customer] | None = None,
) -> RecordsResult:
    """Create or update up to MAX_RECORDS objects of `kind`, all or nothing.

    `visible_customers` is the caller's scope (`customers_visible_to(user)` for a
    sales rep; None for everyone): records may only name, and only change
    objects of, customers inside it.
    """
    if kind not in CSV_HANDLERS:
        return RecordsResult.refused(kind, dry_run, _("unknown kind %(kind)r") % {"kind": kind})
    if len(records) > MAX_RECORDS:
        reason = _("at most %(max)s records per call (got %(count)s)") % {
            "max": MAX_RECORDS,
            "count": len(records),
        }
        return RecordsResult.refused(kind, dry_run, reason)
    report = ImportReport(kind=kind, filename=source_label, dry_run=dry_run)
    report.sha256 = _digest(records)
    outcomes: dict[int, tuple[str, str]] = {}
    codes: dict[tuple[int, str], ErrorCode] = {}
    ids: dict[str, int] = {}
    keyless: set[int] = set()

    def setup(ctx: Context) -> None:
        ctx.outcomes = outcomes
        ctx.skip_if_unchanged = True
        ctx.customers.visible = visible_customers
        ctx.customers.company_terms = (
            company.default_terms_days,
            company.default_terms_end_of_month,
        )

    def work(ctx: Context) -> None:
        handler = CSV_HANDLERS[kind](ctx, source=InvoiceSource.API)
        shape = RecordShape(handler.schema)
        report.columns = {name: name for name in shape.header}
        invalid: dict[int, set[str]] = {}
        rows = handler.schema.rows(
            shape.cells(records, report, invalid, keyless), shape.header, shape.header, report
        )
        chunk: list[Row] = []
        size = settings.ENCAISSE_IMPORT_CHUNK  # a lazy setting costs a lookup per read
        for row in rows:
            _flag(row, report, invalid, shape.required)
            chunk.append(row)
            if len(chunk) >= size:
                _handle(handler, chunk, mode, codes)
                chunk = []
        if chunk:
            _handle(handler, chunk, mode, codes)
        handler.finish()
        if report.has_errors:
            return
        ids.update(ctx.known_ids)
        keys = [key for _outcome, key in outcomes.values() if key not in ids]
        if keys:  # the created records: their ids were given by the database
            ids.update(
                bulk.select_in(
                    f"SELECT external_key, id FROM {handler.table} "
                    "WHERE external_key IN ({marks})",
                    keys,
                )
            )

    run_import(report, actor=actor, source=ImportSource.API, work=work, setup=setup)
    conclude(report, actor=actor, source=ImportSource.API)
    return _result(report, outcomes, ids, codes, keyless)


def _flag(row: Row, report: ImportReport, invalid: dict[int, set[str]], required: set[str]) -> None:
    """Mark a record refused by `record_cells` as broken; drop the schema's "missing"
    error for a required field whose value was refused (one error per field)."""
    bad = invalid.get(row.line)
    if not bad:
        return
    missing = _(REQUIRED_MISSING)
    dropped = [
        error
        for error in report.errors
        if error.line == row.line and error.column in bad & required and error.reason == missing
    ]
    for error in dropped:
        report.errors.remove(error)
        report.error_count -= 1
    row.broken = True
    if not row.failed:
        row.failed = True
        report.error_rows += 1


def _key(row: Row) -> str | None:
    values = row.values
    key = values.get("external_key") or values.get("number")
    return str(key) if key else None


def _handle(
    handler: Handler, chunk: list[Row], mode: Mode, codes: dict[tuple[int, str], ErrorCode]
) -> None:
    ctx = handler.ctx
    if mode != "upsert" or ctx.customers.visible is not None:
        _check_keys(handler, chunk, mode, codes)
    handler.handle_chunk(chunk)


def _check_keys(
    handler: Handler, chunk: list[Row], mode: Mode, codes: dict[tuple[int, str], ErrorCode]
) -> None:
    """One query for the chunk's keys: scope, and the "create"/"update" modes."""
    keyed = [(row, key) for row in chunk if (key := _key(row)) is not None]
    owner_column = "id" if handler.table == "ledger_customer" else "customer_id"
    owners: dict[str, int] = dict(
        bulk.select_in(
            f"SELECT external_key, {owner_column} FROM {handler.table} "
            "WHERE external_key IN ({marks})",
            [key for _row, key in keyed],
        )
    )
    visible = handler.ctx.customers.visible_ids(set(owners.values()))
    for row, key in keyed:
        owner = owners.get(key)
        outside = owner is not None and owner not in visible
        if mode == "update" and (owner is None or outside):
            reason = _("unknown external key %(key)r") % {"key": key}
            code: ErrorCode = "not_found"
        elif owner is not None and (mode == "create" or outside):
            # Out of scope, the key is refused as if taken: never what holds it.
            reason = _("external key %(key)r is already used") % {"key": key}
            code = "conflict"
        else:
            continue
        handler.error(row, "external_key", reason)
        codes[(row.line, "external_key")] = code
        row.broken = True


def _result(
    report: ImportReport,
    outcomes: dict[int, tuple[str, str]],
    ids: dict[str, int],
    codes: dict[tuple[int, str], ErrorCode],
    keyless: set[int],
) -> RecordsResult:
    errors = [
        RecordError(
            error.line,
            _field(error.line, error.column, keyless, report.kind),
            error.reason,
            codes.get((error.line, error.column), "invalid"),
        )
        for error in report.errors
    ]
    if report.file_error:
        errors.insert(0, RecordError(None, "", report.file_error, "error"))
    records = [] if errors else [
        RecordOutcome(index, OUTCOMES[outcome], ids.get(key), key)
        for index, (outcome, key) in sorted(outcomes.items())
    ]  # fmt: skip
    return RecordsResult(
        kind=report.kind,
        dry_run=report.dry_run,
        applied=not errors and not report.dry_run and report.status == "applied",
        records=records,
        errors=errors,
        batch_id=report.batch_id,
    )


def _field(index: int, column: str, keyless: set[int], kind: str) -> str:
    """The field an error names: a record keyed by its number hears about `number`."""
    if column == "external_key" and index in keyless and kind in KEYED_BY_NUMBER:
        return "number"
    return column


def _digest(records: Sequence[Mapping[str, Any]]) -> str:
    """The batch's fingerprint (a file import stores the file's SHA-256)."""
    text = json.dumps(list(records), sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()
