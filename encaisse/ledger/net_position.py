"""Cash on account, and the part of each open invoice it covers (docs/cash-application.md).

A payment or a credit note that is not wholly allocated is *cash on account*:
the customer has paid (or been credited) but nobody has said yet which
invoice it settles. Until finance applies it, Encaisse reads it as settling
the customer's oldest open invoices first — by due date, then issue date, then
id, the order of `payment_allocate`'s oldest-first strategy — so that the most
advanced reminders are the first to stop. What it covers is never chased: the
net amount of an invoice is its open balance minus its cover, and the sum of
the net amounts of a customer's invoices is its net position (never below
zero: cash beyond the open balance covers nothing more).

These are reads (selectors): applying the cash is an allocation, made by
finance in the cash-application workspace.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from decimal import Decimal

from django.db import connection

from encaisse.ledger.models import CreditNote, Invoice, Payment
from encaisse.ledger.models.invoice import OPEN_STATUSES

ZERO = Decimal("0.00")
# Above this many customers a query reads every unallocated item (a partial
# index holding only those) rather than sending the ids.
_BY_ID_LIMIT = 2000

# (customer id, currency): cash in one currency never covers an invoice in another.
CashKey = tuple[int, str]


# One statement for both kinds of cash. `allocated < amount` is written as in
# the partial indexes' predicate: SQLite uses a partial index only for a WHERE
# clause that matches it term for term.
_CASH_SQL = """
    SELECT customer_id, currency, ROUND(SUM(amount - allocated), 2) FROM {table}
    WHERE "allocated" < ("amount") {customers} GROUP BY customer_id, currency
"""


def cash_on_account(customer_ids: Collection[int] | None = None) -> dict[CashKey, Decimal]:
    """Unallocated payments plus unallocated credit notes, per customer and currency.

    Reads the partial indexes of the payments and credit notes not wholly
    allocated, whose size follows the cash waiting to be applied, not the ledger.
    """
    by_id = customer_ids is not None and len(customer_ids) <= _BY_ID_LIMIT
    ids = sorted(customer_ids) if by_id and customer_ids is not None else []
    if by_id and not ids:
        return {}
    where = f"AND customer_id IN ({', '.join(['%s'] * len(ids))})" if by_id else ""
    sql = " UNION ALL ".join(
        _CASH_SQL.format(table=model._meta.db_table, customers=where)
        for model in (Payment, CreditNote)
    )
    totals: dict[CashKey, Decimal] = defaultdict(lambda: ZERO)
    with connection.cursor() as cursor:
        cursor.execute(sql, ids + ids)
        for customer_id, currency, left in cursor.fetchall():
            if customer_ids is None or customer_id in customer_ids:
                # SQLite sums decimal columns in floating point: ROUND then str is exact.
                totals[(customer_id, currency)] += Decimal(str(left)).quantize(ZERO)
    return {key: amount for key, amount in totals.items() if amount > 0}


def cover_oldest_first(
    cash: Decimal, balances: Iterable[tuple[int, Decimal]]
) -> dict[int, Decimal]:
    """Spread `cash` over (invoice id, open balance) pairs given oldest first.

    Returns the covered part of each invoice that gets any; an invoice is
    covered in full before the next one gets anything.
    """
    covered: dict[int, Decimal] = {}
    left = cash
    for invoice_id, balance in balances:
        if left <= 0:
            break
        share = min(left, balance)
        if share > 0:
            covered[invoice_id] = share
            left -= share
    return covered


def invoice_cover(
    customer_ids: Collection[int] | None = None, *, cash: dict[CashKey, Decimal] | None = None
) -> dict[int, Decimal]:
    """For every open invoice that cash on account covers: the covered part of its balance.

    Only the customers with cash on account are read (their open invoices,
    through the (customer, due date) index). `cash`: their cash on account,
    when the caller has read it already.
    """
    if cash is None:
        cash = cash_on_account(customer_ids)
    if not cash:
        return {}
    by_customer: dict[int, list[tuple[str, int, Decimal]]] = defaultdict(list)
    customers = sorted({customer_id for customer_id, _currency in cash})
    for start in range(0, len(customers), _BY_ID_LIMIT):
        open_rows = (
            Invoice.objects.filter(
                customer_id__in=customers[start : start + _BY_ID_LIMIT],
                balance__gt=0,
                status__in=OPEN_STATUSES,
            )
            .order_by("customer_id", "due_date", "issue_date", "id")
            .values_list("customer_id", "currency", "id", "balance")
        )
        for customer_id, currency, invoice_id, balance in open_rows:
            by_customer[customer_id].append((currency, invoice_id, balance))
    covered: dict[int, Decimal] = {}
    for (customer_id, currency), amount in cash.items():
        invoices = by_customer.get(customer_id, [])
        same_currency = ((pk, balance) for cur, pk, balance in invoices if cur == currency)
        covered.update(cover_oldest_first(amount, same_currency))
    return covered
