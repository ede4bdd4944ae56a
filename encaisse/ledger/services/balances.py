"""Set-based recomputation of derived balances from the allocations.

Every sum is ROUNDed to the cent for the reason given in `money_sql`.

The bulk import path inserts allocations in batches and then calls this once,
rather than running one conditional UPDATE per allocation.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from encaisse.ledger.models.invoice import InvoiceStatus

_CHUNK = 50_000


def _in_chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _run(sql: str, ids: list[int] | None, column: str = "id") -> None:
    with connection.cursor() as cursor:
        if ids is None:
            cursor.execute(sql.format(where="1=1"))
            return
        for chunk in _in_chunks(ids):
            placeholders = ",".join(["%s"] * len(chunk))
            cursor.execute(sql.format(where=f"{column} IN ({placeholders})"), chunk)


@transaction.atomic
def balances_recompute(
    *, invoice_ids: list[int] | None = None, customer_ids: list[int] | None = None
) -> None:
    """Recompute invoice balances/status and customer open balances.

    `None` means "all". Cancelled and written-off invoices keep their status.
    Payments and credit notes of the given customers get their `allocated`
    totals from the same allocations.
    """
    _run(
        f"""
        UPDATE ledger_invoice SET
          balance = ROUND(amount - COALESCE((SELECT SUM(a.amount) FROM ledger_allocation a
                                       WHERE a.invoice_id = ledger_invoice.id), 0), 2),
          status = CASE
            WHEN status IN ('{InvoiceStatus.CANCELLED}', '{InvoiceStatus.WRITTEN_OFF}') THEN status
            WHEN ROUND(amount - COALESCE((SELECT SUM(a.amount) FROM ledger_allocation a
                                    WHERE a.invoice_id = ledger_invoice.id), 0), 2) = 0
              THEN '{InvoiceStatus.PAID}'
            WHEN EXISTS (SELECT 1 FROM ledger_allocation a WHERE a.invoice_id = ledger_invoice.id)
              THEN '{InvoiceStatus.PARTIALLY_PAID}'
            ELSE '{InvoiceStatus.OPEN}' END
        WHERE {{where}}
        """,
        invoice_ids,
    )
    _run(
        f"""
        UPDATE ledger_invoice SET paid_on = CASE WHEN status = '{InvoiceStatus.PAID}' THEN (
          SELECT MAX(COALESCE(p.date, c.issue_date)) FROM ledger_allocation a
          LEFT JOIN ledger_payment p ON p.id = a.payment_id
          LEFT JOIN ledger_creditnote c ON c.id = a.credit_note_id
          WHERE a.invoice_id = ledger_invoice.id) ELSE NULL END
        WHERE {{where}}
        """,
        invoice_ids,
    )
    for table, column in (
        ("ledger_payment", "payment_id"),
        ("ledger_creditnote", "credit_note_id"),
    ):
        _run(
            f"""
            UPDATE {table} SET allocated = ROUND(COALESCE((SELECT SUM(a.amount)
              FROM ledger_allocation a WHERE a.{column} = {table}.id), 0), 2)
            WHERE {{where}}
            """,
            customer_ids,
            column="customer_id",
        )
    _run(
        f"""
        UPDATE ledger_customer SET open_balance = ROUND(COALESCE((
          SELECT SUM(i.balance) FROM ledger_invoice i WHERE i.customer_id = ledger_customer.id
          AND i.status IN ('{InvoiceStatus.OPEN}', '{InvoiceStatus.PARTIALLY_PAID}')), 0), 2)
        WHERE {{where}}
        """,
        customer_ids,
    )
