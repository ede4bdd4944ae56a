"""Feeding the engine from the ledger, set-based: never one query per item.

1. Cash items: the payments and credit notes not wholly allocated (the partial
   indexes `payment_unallocated` / `credit_note_unallocated` hold exactly
   those), read as plain rows.
2. Candidates, per chunk of `CHUNK` items: one query for the open invoices of
   the chunk's customers (the (customer, due date) index), and, for items
   whose customer is unknown (bank lines), one query on the invoice-number
   index for the numbers their texts spell.
3. The engine runs per item on what was read.
So the work grows with the number of items and their customers' open
invoices, not with the size of the ledger.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection

from encaisse.ledger.matching.engine import suggest
from encaisse.ledger.matching.references import lookup_numbers
from encaisse.ledger.matching.types import Candidate, CashItem, ItemKind, Suggestion, TextSource
from encaisse.ledger.models.invoice import OPEN_STATUSES
from encaisse.lib import bulk

CHUNK = 1_000
ItemKey = tuple[ItemKind, int]

_SOURCES = {
    ItemKind.PAYMENT: (
        "ledger_payment",
        "date",
        "remittance, bank_reference",
        (TextSource.REMITTANCE, TextSource.BANK_REFERENCE),
    ),
    ItemKind.CREDIT_NOTE: ("ledger_creditnote", "issue_date", "reason", (TextSource.REASON,)),
}
_OPEN = {str(status) for status in OPEN_STATUSES}


def _money(value: Any) -> Decimal:
    """SQLite may hand back a float or an int for a decimal column."""
    return (value if isinstance(value, Decimal) else Decimal(str(value))).quantize(Decimal("0.01"))


def _date(value: Any) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _all(sql: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def unapplied_items(
    *,
    kinds: Collection[ItemKind] = (ItemKind.PAYMENT, ItemKind.CREDIT_NOTE),
    customer_ids: Collection[int] | None = None,
    batch_id: int | None = None,
    ids: Collection[int] | None = None,
) -> list[CashItem]:
    """Payments and credit notes with something left to apply, as cash items.

    Narrowed to some customers (the partial index), to one import batch, or
    to some ids (of each kind asked).
    """
    items: list[CashItem] = []
    for kind in kinds:
        table, date_column, text_columns, sources = _SOURCES[kind]
        sql = (
            f"SELECT id, customer_id, {date_column}, currency, ROUND(amount - allocated, 2), "
            f"{text_columns} FROM {table} WHERE allocated < amount"
        )
        if batch_id is not None:
            sql += f" AND import_batch_id = {int(batch_id)}"
        if customer_ids is not None:
            rows = bulk.select_in(sql + " AND customer_id IN ({marks})", customer_ids)
        elif ids is not None:
            rows = bulk.select_in(sql + " AND id IN ({marks})", ids)
        else:
            rows = _all(sql)
        for pk, customer_id, on, currency, left, *texts in rows:
            items.append(
                CashItem(
                    kind=kind,
                    id=pk,
                    customer_id=customer_id,
                    amount=_money(left),
                    currency=currency,
                    date=_date(on),
                    texts=tuple(zip(sources, (t or "" for t in texts), strict=True)),
                )
            )
    return items


def _candidates(rows: list[tuple[Any, ...]]) -> list[Candidate]:
    return [
        Candidate(pk, number, customer_id, _date(due), _money(balance), currency)
        for pk, number, customer_id, due, balance, currency, status in rows
        if status in _OPEN
    ]


# `+balance`: SQLite must walk the (customer, due date) index, not the partial
# open-invoices index on due dates (which would read every open invoice).
_CANDIDATES_SQL = (
    "SELECT id, number, customer_id, due_date, balance, currency, status FROM ledger_invoice "
    "WHERE +balance > 0 AND {column} IN ({{marks}})"
)


def open_invoices_of(customer_ids: Collection[int]) -> dict[int, list[Candidate]]:
    """Open invoices by customer, in one query (chunked by `bulk.select_in`)."""
    found: dict[int, list[Candidate]] = defaultdict(list)
    rows = bulk.select_in(_CANDIDATES_SQL.format(column="customer_id"), customer_ids)
    for candidate in _candidates(rows):
        found[candidate.customer_id].append(candidate)
    return found


def invoices_numbered(numbers: Collection[str]) -> list[Candidate]:
    """Open invoices of any customer whose number is one of `numbers` (the number index)."""
    return _candidates(bulk.select_in(_CANDIDATES_SQL.format(column="number"), numbers))


def suggestions_for(
    items: Sequence[CashItem], *, chunk: int = CHUNK
) -> Iterator[tuple[CashItem, list[Suggestion]]]:
    """Each item with its ranked suggestions, reading candidates chunk by chunk."""
    for start in range(0, len(items), chunk):
        part = items[start : start + chunk]
        known = {item.customer_id for item in part if item.customer_id is not None}
        by_customer = open_invoices_of(known) if known else {}
        unknown = [item for item in part if item.customer_id is None]
        by_number: list[Candidate] = []
        if unknown:
            texts = [text for item in unknown for _source, text in item.texts]
            by_number = invoices_numbered(lookup_numbers(texts))
        for item in part:
            if item.customer_id is None:
                yield item, suggest(item, by_number)
            else:
                yield item, suggest(item, by_customer.get(item.customer_id, []))
