"""Writing the demo ledger as a FEC (Fichier des Écritures Comptables), streaming.

Sales journal VE: invoice = 411 debit / 706 credit / 44571 credit (a credit
note is the mirror). Bank journal BQ: payment = 512 debit / 411 credit.
Customer lines are lettered (AA, AB, … per customer account) when a group of
invoices, credit notes and payments settles to zero; partly paid invoices stay
unlettered.

Entries are written in date order, numbered per journal, as a real export
does. To keep memory bounded, lines are first spilled to one temporary file
per month, then each month is sorted and numbered on its own.
"""

from __future__ import annotations

import datetime as dt
import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from encaisse.demo.generator import DEFAULT_SEED, customer_histories
from encaisse.demo.progress import progress_bar
from encaisse.demo.records import CustomerHistory, cents_to_text

FEC_COLUMNS = (
    "JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib",
    "CompAuxNum", "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit",
    "EcritureLet", "DateLet", "ValidDate", "Montantdevise", "Idevise",
)  # fmt: skip
JOURNALS = {"VE": "Journal des ventes", "BQ": "Banque"}
CUSTOMERS = ("411000", "Clients")
REVENUE = ("706000", "Prestations de services")
VAT = ("445710", "TVA collectée")
BANK = ("512000", "Banque")
_KEY_LENGTH = 22  # date (8) + journal (2) + entry sequence (10) + line (2)

Entry = tuple[dt.date, str, list[str]]  # date, journal, lines from EcritureDate on


def lettering_code(number: int) -> str:
    """0 → AA, 1 → AB, … 675 → ZZ, 676 → AAA: two letters at least, as most packages write."""
    letters = ""
    number += 26 + 1  # skip the one-letter codes
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _fec_date(day: dt.date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _amount(cents: int) -> str:
    return cents_to_text(cents, decimal_mark=",")


def write_fec(
    path: str | Path,
    *,
    invoices: int,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    progress: bool = False,
) -> int:
    """Write the FEC (tab-separated, UTF-8, decimal comma) to `path`; return its line count."""
    today = today or dt.date.today()
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    entry_numbers = itertools.count()
    lines = 0
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".fec-") as spill:
        months: dict[int, TextIO] = {}
        try:
            with progress_bar("FEC", invoices, progress) as advance:
                for history in customer_histories(invoices=invoices, seed=seed, today=today):
                    for day, journal, entry_lines in _entries(history):
                        month = day.year * 12 + day.month
                        if month not in months:
                            months[month] = open(  # noqa: SIM115 - closed in finally
                                Path(spill) / f"{month}.txt", "w", encoding="utf-8"
                            )
                        key = f"{_fec_date(day)}{journal}{next(entry_numbers):010d}"
                        for position, line in enumerate(entry_lines):
                            months[month].write(f"{key}{position:02d}\t{line}\n")
                    advance(len(history.invoices))
        finally:
            for handle in months.values():
                handle.close()
        with target.open("w", encoding="utf-8", newline="") as out:
            out.write("\t".join(FEC_COLUMNS) + "\n")
            for line in _numbered(Path(spill), sorted(months)):
                out.write(line)
                lines += 1
    return lines


def _numbered(spill: Path, months: list[int]) -> Iterator[str]:
    counters = dict.fromkeys(JOURNALS, 0)
    previous = ""
    for month in months:
        with (spill / f"{month}.txt").open(encoding="utf-8") as handle:
            month_lines = handle.readlines()
        month_lines.sort()
        for raw in month_lines:
            entry, journal = raw[: _KEY_LENGTH - 2], raw[8:10]
            if entry != previous:
                counters[journal] += 1
                previous = entry
            number = f"{journal}{counters[journal]:07d}"
            yield f"{journal}\t{JOURNALS[journal]}\t{number}\t{raw[_KEY_LENGTH + 1 :]}"


def _letters(history: CustomerHistory) -> tuple[list[str], list[str], list[str], list[dt.date]]:
    """Lettering codes of each invoice, credit note and payment ("" = unlettered).

    Nodes are invoices, credit notes and payments, joined by allocations; a
    connected group is lettered when all its invoices are settled and it holds
    no money on account.
    """
    n_inv, n_cn = len(history.invoices), len(history.credit_notes)
    parent = list(range(n_inv + n_cn + len(history.payments)))

    def find(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for position, note in enumerate(history.credit_notes):
        parent[find(n_inv + position)] = find(note.invoice)
    for position, payment in enumerate(history.payments):
        for index, _cents in payment.allocations:
            parent[find(n_inv + n_cn + position)] = find(index)
    settled: dict[int, bool] = {}
    dates: dict[int, dt.date] = {}
    for index, balance in enumerate(history.balances()):
        root = find(index)
        settled[root] = settled.get(root, True) and balance == 0
        dates[root] = max(
            dates.get(root, history.invoices[index].issue), history.invoices[index].issue
        )
    for position, note in enumerate(history.credit_notes):
        root = find(n_inv + position)
        dates[root] = max(dates[root], note.issue)
    for position, payment in enumerate(history.payments):
        root = find(n_inv + n_cn + position)
        allocated = sum(cents for _index, cents in payment.allocations)
        settled[root] = settled.get(root, False) and allocated == payment.amount_cents
        dates[root] = max(dates.get(root, payment.date), payment.date)
    codes: dict[int, str] = {}
    for index in range(n_inv):
        root = find(index)
        if settled[root] and root not in codes:
            codes[root] = lettering_code(len(codes))
    labels = [codes.get(find(node), "") for node in range(len(parent))]
    let_dates = [dates[find(node)] for node in range(len(parent))]
    return labels[:n_inv], labels[n_inv : n_inv + n_cn], labels[n_inv + n_cn :], let_dates


def _entries(history: CustomerHistory) -> Iterator[Entry]:
    customer = history.customer
    aux = f"{customer.key}\t{customer.name}"
    inv_letters, cn_letters, pay_letters, let_dates = _letters(history)
    n_inv, n_cn = len(history.invoices), len(history.credit_notes)

    def lettered(code: str, node: int) -> str:
        return f"{code}\t{_fec_date(let_dates[node])}" if code else "\t"

    for index, inv in enumerate(history.invoices):
        day = _fec_date(inv.issue)
        head, label = f"{day}\t", f"{inv.number}\t{day}\tFacture {inv.number} {customer.name}"
        tail = f"{day}\t\t"
        yield (
            inv.issue,
            "VE",
            [
                f"{head}{CUSTOMERS[0]}\t{CUSTOMERS[1]}\t{aux}\t{label}\t{_amount(inv.amount_cents)}"
                f"\t0,00\t{lettered(inv_letters[index], index)}\t{tail}",
                f"{head}{REVENUE[0]}\t{REVENUE[1]}\t\t\t{label}\t0,00\t{_amount(inv.excl_cents)}"
                f"\t\t\t{tail}",
                f"{head}{VAT[0]}\t{VAT[1]}\t\t\t{label}\t0,00\t{_amount(inv.vat_cents)}\t\t\t{tail}",
            ],
        )
    for position, note in enumerate(history.credit_notes):
        day = _fec_date(note.issue)
        invoice_number = history.invoices[note.invoice].number
        head, label = f"{day}\t", f"{note.number}\t{day}\tAvoir {note.number} sur {invoice_number}"
        tail = f"{day}\t\t"
        yield (
            note.issue,
            "VE",
            [
                f"{head}{CUSTOMERS[0]}\t{CUSTOMERS[1]}\t{aux}\t{label}\t0,00"
                f"\t{_amount(note.amount_cents)}"
                f"\t{lettered(cn_letters[position], n_inv + position)}\t{tail}",
                f"{head}{REVENUE[0]}\t{REVENUE[1]}\t\t\t{label}\t{_amount(note.excl_cents)}\t0,00"
                f"\t\t\t{tail}",
                f"{head}{VAT[0]}\t{VAT[1]}\t\t\t{label}\t{_amount(note.vat_cents)}\t0,00\t\t\t{tail}",
            ],
        )
    for position, pay in enumerate(history.payments):
        day = _fec_date(pay.date)
        head, label = f"{day}\t", f"{pay.key}\t{day}\t{pay.remittance[:80]}"
        tail = f"{day}\t\t"
        node = n_inv + n_cn + position
        yield (
            pay.date,
            "BQ",
            [
                f"{head}{BANK[0]}\t{BANK[1]}\t\t\t{label}\t{_amount(pay.amount_cents)}\t0,00"
                f"\t\t\t{tail}",
                f"{head}{CUSTOMERS[0]}\t{CUSTOMERS[1]}\t{aux}\t{label}\t0,00"
                f"\t{_amount(pay.amount_cents)}\t{lettered(pay_letters[position], node)}\t{tail}",
            ],
        )
