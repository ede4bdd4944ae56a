"""Writing the demo ledger as the CSV files of docs/imports.md, streaming."""

from __future__ import annotations

import csv
import datetime as dt
from contextlib import ExitStack
from pathlib import Path

from encaisse.demo.generator import DEFAULT_SEED, customer_histories
from encaisse.demo.progress import progress_bar
from encaisse.demo.records import CustomerHistory, cents_to_text

# Column order of docs/imports.md (the importer's contract); tests compare them.
CUSTOMER_COLUMNS = (
    "external_key", "name", "siren", "siret", "vat_number", "address", "postal_code", "city",
    "country", "language", "currency", "terms_days", "terms_end_of_month", "account_manager",
    "credit_limit", "risk_class", "status", "tags", "contact_name", "contact_email",
    "contact_phone",
)  # fmt: skip
INVOICE_COLUMNS = (
    "external_key", "number", "customer_key", "issue_date", "due_date", "amount",
    "amount_excl_tax", "currency", "po_reference",
)  # fmt: skip
PAYMENT_COLUMNS = (
    "external_key", "customer_key", "date", "amount", "currency", "method", "bank_reference",
    "remittance", "invoice_numbers",
)  # fmt: skip
CREDIT_NOTE_COLUMNS = (
    "external_key", "number", "customer_key", "issue_date", "amount", "invoice_number", "reason",
)  # fmt: skip
FILES = {
    "customers.csv": CUSTOMER_COLUMNS,
    "invoices.csv": INVOICE_COLUMNS,
    "payments.csv": PAYMENT_COLUMNS,
    "credit_notes.csv": CREDIT_NOTE_COLUMNS,
}


def write_csv(
    directory: str | Path,
    *,
    invoices: int,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    progress: bool = False,
) -> dict[str, int]:
    """Write customers.csv, invoices.csv, payments.csv and credit_notes.csv into `directory`.

    UTF-8, `,`-separated, decimal point, ISO dates. Returns the row count per file.
    """
    today = today or dt.date.today()
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    counts = dict.fromkeys(FILES, 0)
    with ExitStack() as stack:
        writers = {}
        for filename, columns in FILES.items():
            handle = stack.enter_context(
                (folder / filename).open("w", encoding="utf-8", newline="")
            )
            writers[filename] = csv.writer(handle, lineterminator="\n")
            writers[filename].writerow(columns)
        advance = stack.enter_context(progress_bar("CSV", invoices, progress))
        for history in customer_histories(invoices=invoices, seed=seed, today=today):
            for filename, rows in _rows(history).items():
                writers[filename].writerows(rows)
                counts[filename] += len(rows)
            advance(len(history.invoices))
    return counts


def _rows(history: CustomerHistory) -> dict[str, list[tuple[str, ...]]]:
    customer = history.customer
    key = customer.key
    contact = customer.contacts[0]
    customers: list[tuple[str, ...]] = [
        (
            key, customer.name, customer.siren, customer.siret, customer.vat_number,
            customer.address, customer.postal_code, customer.city, "FR", "fr", "EUR",
            str(customer.terms_days), "1" if customer.terms_end_of_month else "0",
            customer.account_manager, cents_to_text(customer.credit_limit_cents),
            customer.risk_class, customer.status, "|".join(customer.tags),
            contact.name, contact.email, contact.phone,
        )
    ]  # fmt: skip
    invoices: list[tuple[str, ...]] = [
        (
            inv.number, inv.number, key, inv.issue.isoformat(), inv.due.isoformat(),
            cents_to_text(inv.amount_cents), cents_to_text(inv.excl_cents), "EUR",
            inv.po_reference,
        )
        for inv in history.invoices
    ]  # fmt: skip
    numbers = [inv.number for inv in history.invoices]
    payments: list[tuple[str, ...]] = [
        (
            pay.key, key, pay.date.isoformat(), cents_to_text(pay.amount_cents), "EUR",
            pay.method, pay.bank_reference, pay.remittance,
            "|".join(numbers[index] for index, _cents in pay.allocations),
        )
        for pay in history.payments
    ]  # fmt: skip
    credit_notes: list[tuple[str, ...]] = [
        (
            note.number, note.number, key, note.issue.isoformat(),
            cents_to_text(note.amount_cents), numbers[note.invoice], note.reason,
        )
        for note in history.credit_notes
    ]  # fmt: skip
    return {
        "customers.csv": customers,
        "invoices.csv": invoices,
        "payments.csv": payments,
        "credit_notes.csv": credit_notes,
    }
