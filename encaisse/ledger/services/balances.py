"""Set-based recomputation of derived balances from the allocations.

Every sum is ROUNDed to the cent for the reason given in `money_sql`.

Each statement is one `UPDATE … FROM (aggregate)`: the sums are computed once
per group (not once per row and column by correlated subqueries), and only the
rows whose stored value differs are written, so a recomputation that changes
nothing costs no index maintenance and, on PostgreSQL, no new row versions.
(`UPDATE … FROM` needs SQLite ≥ 3.33.) For the same reason `updated_at` moves
only on the rows whose values change: a daily recomputation that finds the
ledger right does not make a million rows "updated since" for API clients.

The CSV imports write final balances themselves and only call
`open_balances_recompute`; the FEC lettering and the demo loader insert
allocations in bulk and then call `balances_recompute` once.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from encaisse.ledger.models.invoice import InvoiceStatus
from encaisse.lib import bulk

_CHUNK = 20_000
OPEN = f"('{InvoiceStatus.OPEN}', '{InvoiceStatus.PARTIALLY_PAID}')"


def _in_chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _run(sql: str, ids: list[int] | None, *columns: str) -> None:
    """Run `sql` with `{0}`, `{1}`… (in textual order) replaced by "column IN (ids)".

    The statement's first placeholder (`updated_at = %s`) gets the current time.
    """
    now = bulk.now_value()
    with connection.cursor() as cursor:
        if ids is None:
            cursor.execute(sql.format(*["1=1"] * len(columns)), [now])
            return
        for chunk in _in_chunks(ids):
            marks = ",".join(["%s"] * len(chunk))
            cursor.execute(
                sql.format(*[f"{column} IN ({marks})" for column in columns]),
                [now, *(chunk * len(columns))],
            )


# The settlement date comes from live allocations only (not a reversal, not reversed):
# a payment whose application was undone did not settle anything. Reversals are few,
# so the join reads a small set, not the allocation table a second time.
REVERSED_JOIN = (
    "LEFT JOIN (SELECT reverses_id FROM ledger_allocation WHERE reverses_id IS NOT NULL) r"
    " ON r.reverses_id = a.id"
)
LIVE_DATE = (
    "CASE WHEN a.reverses_id IS NULL AND r.reverses_id IS NULL"
    " THEN COALESCE(p.date, c.issue_date) END"
)


def _differs() -> str:
    """Null-safe inequality (SQLite only has `IS DISTINCT FROM` since 3.39)."""
    return "IS NOT" if connection.vendor == "sqlite" else "IS DISTINCT FROM"


@transaction.atomic
def balances_recompute(
    *, invoice_ids: list[int] | None = None, customer_ids: list[int] | None = None
) -> None:
    """Recompute invoice balances/status/paid_on and customer open balances.

    `None` means "all". Cancelled and written-off invoices keep their status.
    Payments and credit notes of the given customers get their `allocated`
    totals from the same allocations.
    """
    new_balance = "ROUND(i.amount - COALESCE(a.total, 0), 2)"
    # An invoice whose every allocation was reversed is open again, not partially paid.
    new_status = f"""CASE
        WHEN i.status IN ('{InvoiceStatus.CANCELLED}', '{InvoiceStatus.WRITTEN_OFF}') THEN i.status
        WHEN {new_balance} = 0 THEN '{InvoiceStatus.PAID}'
        WHEN {new_balance} = i.amount THEN '{InvoiceStatus.OPEN}'
        ELSE '{InvoiceStatus.PARTIALLY_PAID}' END"""
    _run(
        f"""
        UPDATE ledger_invoice SET balance = s.balance, status = s.status, paid_on = s.paid_on,
          updated_at = %s
        FROM (
          SELECT i.id, {new_balance} AS balance, {new_status} AS status,
            CASE WHEN {new_status} = '{InvoiceStatus.PAID}' THEN a.latest END AS paid_on
          FROM ledger_invoice i LEFT JOIN (
            SELECT a.invoice_id, SUM(a.amount) AS total,
              MAX({LIVE_DATE}) AS latest
            FROM ledger_allocation a
            LEFT JOIN ledger_payment p ON p.id = a.payment_id
            LEFT JOIN ledger_creditnote c ON c.id = a.credit_note_id
            {REVERSED_JOIN}
            WHERE {{0}} GROUP BY a.invoice_id
          ) a ON a.invoice_id = i.id
          WHERE {{1}}
        ) s
        WHERE ledger_invoice.id = s.id AND (ledger_invoice.balance <> s.balance
          OR ledger_invoice.status <> s.status OR ledger_invoice.paid_on {_differs()} s.paid_on)
        """,
        invoice_ids,
        "a.invoice_id",
        "i.id",
    )
    for table, column in (
        ("ledger_payment", "payment_id"),
        ("ledger_creditnote", "credit_note_id"),
    ):
        _run(
            f"""
            UPDATE {table} SET allocated = s.total, updated_at = %s
            FROM (
              SELECT t.id, ROUND(COALESCE(SUM(a.amount), 0), 2) AS total
              FROM {table} t LEFT JOIN ledger_allocation a ON a.{column} = t.id
              WHERE {{0}} GROUP BY t.id
            ) s
            WHERE {table}.id = s.id AND {table}.allocated <> s.total
            """,
            customer_ids,
            "t.customer_id",
        )
    open_balances_recompute(customer_ids)


# Up to this many customers, each balance is summed from the customer's own invoices.
PER_CUSTOMER_UP_TO = 1_000
# The status is tested inside the sum, not in the WHERE: given the status, PostgreSQL
# without statistics picked the (status, due_date) index and read every open invoice.
_CUSTOMER_OPEN_TOTAL = f"""(SELECT ROUND(COALESCE(SUM(CASE WHEN i.status IN {OPEN}
      THEN i.balance END), 0), 2)
    FROM ledger_invoice i WHERE i.customer_id = ledger_customer.id)"""


def open_balances_recompute(customer_ids: list[int] | None) -> None:
    """Customers' open balance = Σ balance of their open and partially paid invoices.

    A few customers (an API push, a payment) are summed one by one through the
    (customer, due_date) index, whatever the planner's statistics: the single
    aggregate below, on a ledger loaded by API calls (never analyzed), made
    PostgreSQL hash every open invoice of the ledger for each call (35 ms at
    100 000 invoices, growing with the ledger). Many customers (a file import)
    keep the aggregate, cheaper than as many lookups.
    """
    if customer_ids is not None and len(customer_ids) <= PER_CUSTOMER_UP_TO:
        _run(
            f"""
            UPDATE ledger_customer SET open_balance = {_CUSTOMER_OPEN_TOTAL}, updated_at = %s
            WHERE {{0}} AND open_balance <> {_CUSTOMER_OPEN_TOTAL}
            """,
            customer_ids,
            "id",
        )
        return
    _run(
        f"""
        UPDATE ledger_customer SET open_balance = s.total, updated_at = %s
        FROM (
          SELECT c.id, ROUND(COALESCE(SUM(i.balance), 0), 2) AS total
          FROM ledger_customer c
          LEFT JOIN ledger_invoice i ON i.customer_id = c.id AND i.status IN {OPEN}
          WHERE {{0}} GROUP BY c.id
        ) s
        WHERE ledger_customer.id = s.id AND ledger_customer.open_balance <> s.total
        """,
        customer_ids,
        "c.id",
    )


LEDGER_TABLES = (
    "ledger_customer", "ledger_invoice", "ledger_payment", "ledger_creditnote", "ledger_allocation",
)  # fmt: skip


def statistics_refresh() -> None:
    """ANALYZE the ledger tables after a bulk load (about 1 s at a million invoices).

    Freshly filled tables have stale statistics (on SQLite, none at all): the
    planner then scans instead of using the indexes, in the set-based
    recomputations above and in the list pages afterwards (SQLite picked the
    status index over the partial open-invoices one: 250 ms → 30 ms for the
    first page of a million-invoice ledger).
    """
    with connection.cursor() as cursor:
        for table in LEDGER_TABLES:
            cursor.execute(f"ANALYZE {table}")
