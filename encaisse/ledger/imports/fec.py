"""FEC (Fichier des Écritures Comptables) → customers, invoices, payments, credit notes.

1. Read every line (TAB, `|` or `;`; padded cells stripped; Debit/Credit or
   Montant/Sens; signed amounts); check the file balances; keep only customer
   lines: accounts 411* (receivables) and 416* (doubtful receivables, which
   tag the customer "doubtful"). 418 (not yet invoiced) and the rest are ignored.
2. The customer is CompAuxNum/CompAuxLib, or the 411 sub-account itself.
3. A debit is an invoice numbered by PieceRef (issue date PieceDate, else
   EcritureDate; due date from the payment terms). A credit is a credit note
   when its entry also has a revenue line (class 7), otherwise a payment.
4. Lettering: within one customer's lettering group (EcritureLet) the new
   credits are allocated to the group's debits, oldest first. A group that
   nets to zero ends settled; one that does not stays open by its difference;
   unlettered lines stay open (credits on account).
The customer lines are kept in memory (one fiscal year of one company); the
writes go through the same handlers as the CSV kinds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from encaisse.ledger.imports import fields as f
from encaisse.ledger.imports.context import Context
from encaisse.ledger.imports.errors import FileError
from encaisse.ledger.imports.fec_entries import Copy, EntryCopies, span
from encaisse.ledger.imports.kinds.credit_notes import CreditNotesHandler
from encaisse.ledger.imports.kinds.customers import CustomersHandler
from encaisse.ledger.imports.kinds.invoices import InvoicesHandler
from encaisse.ledger.imports.kinds.payments import PaymentsHandler
from encaisse.ledger.imports.lettering import letter
from encaisse.ledger.imports.reader import open_table
from encaisse.ledger.imports.report import ImportReport, Progress
from encaisse.ledger.imports.schema import Row

REQUIRED = ("journalcode", "ecriturenum", "ecrituredate", "comptenum", "pieceref")
CUSTOMER_ACCOUNTS = ("411", "416")
_one_line = f.text(1 << 24)  # only refuses control characters (lengths are cut on write)
DOUBTFUL = "doubtful"


@dataclass(slots=True)
class Line:
    line: int
    customer: str
    amount: Decimal  # debit − credit
    date: Any
    piece: str
    label: str
    lettering: str
    entry: str  # journal/number: the accounting entry the line belongs to


def fec_import(ctx: Context, file: IO[bytes], progress: Progress | None) -> None:
    report = ctx.report
    table = open_table(file, bad_row=report.bad_row, separators=("\t", "|", ";"), quoting=False)
    report.encoding, report.separator = table.encoding, table.separator
    header = table.header
    missing = [name for name in REQUIRED if name not in header]
    signed = "debit" in header and "credit" in header
    if not signed and not ("montant" in header and "sens" in header):
        missing.append("Debit/Credit " + _("or") + " Montant/Sens")
    if missing:
        raise FileError(
            _("Not a FEC file: missing column(s) %(columns)s.") % {"columns": ", ".join(missing)}
        )
    at = {name: header.index(name) for name in header}
    labels = {name: table.labels[index] for name, index in at.items()}
    lines, names, doubtful, sales_entries = _read(ctx, table.rows, at, labels, signed)
    report.encoding = table.encoding
    report.sha256 = table.sha256()
    if progress is not None:
        progress(table.bytes_read)
    if report.error_count and not report.valid_rows_only:
        return
    if not lines:
        raise FileError(_("This FEC has no customer lines (accounts 411 or 416)."))
    _write(ctx, lines, names, doubtful, sales_entries)


def _read(
    ctx: Context, rows: Any, at: dict[str, int], labels: dict[str, str], signed: bool
) -> tuple[list[Line], dict[str, tuple[int, str]], set[str], set[str]]:
    """The customer lines, the customers' names, the doubtful ones, the sales entries.

    A line with an error is reported once (its first error) and left out; so are
    the lines of an entry the file holds twice (`fec_entries`).
    """
    report = ctx.report
    lines: list[Line] = []
    names: dict[str, tuple[int, str]] = {}
    doubtful: set[str] = set()
    sales_entries: set[str] = set()  # entries with a revenue (class 7) line
    failed: set[int] = set()
    copies = EntryCopies()
    total = Decimal(0)

    def cell(cells: list[str], name: str) -> str:
        index = at.get(name)
        return cells[index].strip() if index is not None else ""

    def fail(number: int, column: str, reason: str) -> None:
        report.add_error(number, labels.get(column, column), reason)
        report.error_rows += 1
        failed.add(number)

    amount_column = f"{labels.get('debit')}/{labels.get('credit')}" if signed else "montant"
    for number, cells in rows:
        report.rows += 1
        key = (cell(cells, "journalcode"), cell(cells, "ecriturenum"), cell(cells, "ecrituredate"))
        copies.add(number, key, cells)
        account = cell(cells, "comptenum")
        # Some packages number every entry 0 (Odicom): the piece and date disambiguate.
        entry = "/".join((*key, cell(cells, "pieceref")))
        try:
            amount = _amount(cells, cell, signed)
        except ValueError as exc:
            fail(number, amount_column, str(exc))
            continue
        total += amount
        if account.startswith("7"):
            sales_entries.add(entry)
        if not account.startswith(CUSTOMER_ACCOUNTS):
            continue
        date_column = "piecedate" if cell(cells, "piecedate") else "ecrituredate"
        customer = cell(cells, "compauxnum") or account
        name_column = next((n for n in ("compauxlib", "comptelib") if cell(cells, n)), "compauxnum")
        name = cell(cells, name_column) or customer
        texts = ((name_column, name), ("pieceref", cell(cells, "pieceref")),
                 ("ecriturelib", cell(cells, "ecriturelib")))  # fmt: skip
        try:
            date = _date(cell(cells, date_column))
        except ValueError as exc:
            fail(number, date_column, str(exc))
            continue
        problem = _text_problem(texts)
        if problem is not None:
            fail(number, *problem)
            continue
        names.setdefault(customer, (number, name))
        if account.startswith("416"):
            doubtful.add(customer)
        if amount:
            lines.append(
                Line(number, customer, amount, date, cell(cells, "pieceref") or entry,
                     cell(cells, "ecriturelib"), cell(cells, "ecriturelet"), entry)
            )  # fmt: skip
    again = _report_copies(report, copies.finish(), labels, failed)
    if again:
        lines = [line for line in lines if line.line not in again]
    if total != 0 and not report.error_count:
        raise FileError(
            _("The FEC does not balance: debits − credits = %(total)s; is the file complete?")
            % {"total": total}
        )
    return lines, names, doubtful, sales_entries


def _text_problem(texts: tuple[tuple[str, str], ...]) -> tuple[str, str] | None:
    """(column, reason) of the first text with a control character: a line break in a
    name would reach email headers."""
    for column, value in texts:
        try:
            _one_line(value)
        except ValueError as exc:
            return column, str(exc)
    return None


def _report_copies(
    report: ImportReport, copies: list[Copy], labels: dict[str, str], failed: set[int]
) -> set[int]:
    """One error per entry held twice, at its second place; the lines of that copy."""
    again: set[int] = set()
    for copy in copies:
        journal, number, date = copy.key
        report.add_error(
            copy.again[0],
            labels.get("ecriturenum", "EcritureNum"),
            _("entry %(journal)s %(number)s of %(date)s (lines %(first)s) appears again at "
              "lines %(again)s: the file holds it twice")
            % {"journal": journal, "number": number, "date": date, "first": span(copy.first),
               "again": span(copy.again)},
        )  # fmt: skip
        lines = set(range(copy.again[0], copy.again[1] + 1))
        report.error_rows += len(lines - failed)
        again |= lines
    return again


def _date(raw: str) -> Any:
    if len(raw) == 8 and raw.isascii() and raw.isdigit():
        try:
            return dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
        except ValueError:
            pass
    else:
        with contextlib.suppress(ValueError):
            return f.date(raw)
    raise ValueError(
        _("not a date: %(value)r (the FEC format is YYYYMMDD, e.g. 20260131)") % {"value": raw}
    )


def _amount(cells: list[str], cell: Any, signed: bool) -> Decimal:
    if signed:
        debit, credit = cell(cells, "debit") or "0", cell(cells, "credit") or "0"
        return f.amount(debit) - f.amount(credit)
    value = f.amount(cell(cells, "montant") or "0")
    sens = cell(cells, "sens").upper()
    if sens in {"D", "+1", "1", "+"}:
        return value
    if sens in {"C", "-1", "-"}:
        return -value
    raise ValueError(_("Sens must be D or C (or +1/-1): %(value)r") % {"value": sens})


def _key(prefix: str, customer: str, piece: str, used: dict[str, int]) -> str:
    """A stable external key; repeats within the file get #2, #3… in file order."""
    key = f"{prefix}:{customer}:{piece}"
    used[key] = count = used.get(key, 0) + 1
    if count > 1:
        key = f"{key}#{count}"
    if len(key) > 64:
        key = key[:47] + "~" + hashlib.sha256(key.encode()).hexdigest()[:16]
    return key


def _write(
    ctx: Context,
    lines: list[Line],
    names: dict[str, tuple[int, str]],
    doubtful: set[str],
    sales_entries: set[str],
) -> None:
    """Feed the derived rows to the CSV handlers, then allocate by lettering."""
    customers = [
        Row(line, {"external_key": key[:64], "name": name[:200]}
            | ({"tags": [DOUBTFUL]} if key in doubtful else {}))
        for key, (line, name) in names.items()
    ]  # fmt: skip
    invoices: list[Row] = []
    payments: list[Row] = []
    credit_notes: list[Row] = []
    groups: dict[tuple[str, str], list[tuple[str, str, Decimal]]] = defaultdict(list)
    used: dict[str, int] = {}
    for item in lines:
        customer = item.customer[:64]
        piece = item.piece[:64]
        if item.amount > 0:
            key = _key("FEC-F", customer, piece, used)
            invoices.append(
                Row(
                    item.line,
                    {
                        "external_key": key,
                        "number": piece,
                        "customer_key": customer,
                        "issue_date": item.date,
                        "amount": item.amount,
                    },
                )
            )
            kind = "invoice"
        elif item.entry in sales_entries:
            key = _key("FEC-A", customer, piece, used)
            credit_notes.append(
                Row(
                    item.line,
                    {
                        "external_key": key,
                        "number": piece,
                        "customer_key": customer,
                        "issue_date": item.date,
                        "amount": -item.amount,
                        "reason": item.label[:200],
                    },
                )
            )
            kind = "credit_note"
        else:
            key = _key("FEC-P", customer, piece, used)
            payments.append(
                Row(
                    item.line,
                    {
                        "external_key": key,
                        "customer_key": customer,
                        "date": item.date,
                        "amount": -item.amount,
                        "method": "other",
                        "bank_reference": piece[:120],
                        "remittance": item.label[:500],
                    },
                )
            )
            kind = "payment"
        if item.lettering:
            groups[(customer, item.lettering)].append((kind, key, item.amount))
    size = settings.ENCAISSE_IMPORT_CHUNK
    for handler, rows in (
        (CustomersHandler(ctx, update_existing=False), customers),
        (InvoicesHandler(ctx, source="fec"), invoices),
        (PaymentsHandler(ctx, source="fec"), payments),
        (CreditNotesHandler(ctx, source="fec"), credit_notes),
    ):
        for start in range(0, len(rows), size):
            handler.handle(rows[start : start + size])
    if ctx.writing:
        _letter(ctx, groups)


def _letter(ctx: Context, groups: dict[tuple[str, str], list[tuple[str, str, Decimal]]]) -> None:
    """Allocate by lettering; the accounting's lettering is authoritative (see `lettering`)."""
    letter(ctx, groups)
