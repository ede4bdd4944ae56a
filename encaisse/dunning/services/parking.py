"""Invoices parked by their customer's status (on hold, agency, insolvency, closed),
or by the customer's cash on account, which covers them.

Such a status stops dunning with no end date. Rather than look at the
customer's invoices again every day (a quarter of the due work of a large
ledger, whose blocked customers are those who do not pay), the run parks them:
their state has no next action date, and the customer's `parked_status`
records the status that parked them. Each run first wakes the invoices of the
customers whose status is no longer that one: a query over the parked
customers, who are few, whatever the size of the ledger. The status may change
anywhere (an import, the admin), so the run compares rather than listens.

An invoice whose balance the customer's cash on account covers is parked the
same way (reason "covered", no date): the cover changes only when the
customer's ledger does, so each run wakes the covered invoices of the
customers whose invoices, payments or credit notes have been written since
the previous run (`facts.COVER_MOVED_CUSTOMERS_SQL`), and decides them again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection

from encaisse.dunning.models import CustomerDunning, InvoiceDunning, StateReason
from encaisse.dunning.services.facts import (
    CHANGED_PARKED_CUSTOMERS_SQL,
    COVER_MOVED_CUSTOMERS_SQL,
    COVER_MOVED_PARAMS,
    STATUS_BLOCK,
    cover_moved_since,
)
from encaisse.dunning.services.persist import Decided, customer_facts_write
from encaisse.ledger.models.invoice import OPEN_STATUSES

_CHUNK = 500
_OPEN = ", ".join(f"'{status.value}'" for status in OPEN_STATUSES)


def parked_wake(on: dt.date) -> int:
    """Make the parked invoices of the customers whose status changed due on `on`;
    returns how many customers were woken."""
    states, customers = InvoiceDunning._meta.db_table, CustomerDunning._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(CHANGED_PARKED_CUSTOMERS_SQL)
        customer_ids = [row[0] for row in cursor.fetchall()]
        for start in range(0, len(customer_ids), _CHUNK):
            chunk = customer_ids[start : start + _CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"UPDATE {states} SET next_action_on = %s"
                " WHERE next_action_on IS NULL AND reason = %s AND invoice_id IN"
                f" (SELECT id FROM ledger_invoice WHERE customer_id IN ({marks}))",
                [on, StateReason.BLOCKED.value, *chunk],
            )
            cursor.execute(
                f"UPDATE {customers} SET parked_status = '' WHERE customer_id IN ({marks})",
                chunk,
            )
    return len(customer_ids)


def covered_wake(on: dt.date, since: dt.datetime | None) -> int:
    """Make due on `on` the covered invoices whose customer's ledger has moved
    since `since` (the previous run's start; None: ever); returns how many."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {InvoiceDunning._meta.db_table} SET next_action_on = %s"
            " WHERE next_action_on IS NULL AND reason = %s AND invoice_id IN"
            " (SELECT id FROM ledger_invoice WHERE customer_id IN"
            f" ({COVER_MOVED_CUSTOMERS_SQL}))",
            [on, StateReason.COVERED.value, *[cover_moved_since(since)] * COVER_MOVED_PARAMS],
        )
        return cursor.rowcount


def parked_record(parts: Iterable[Iterable[Decided]]) -> None:
    """Record on each customer the status that has just parked its invoices."""
    parked: dict[int, str] = {}
    for decided in parts:
        for decision, _invoice_id, customer_id, _balance in decided:
            if decision.reason != StateReason.BLOCKED or decision.next_action_on is not None:
                continue
            block = str(decision.params.get("block") or "")
            if block.startswith(STATUS_BLOCK):
                parked[customer_id] = block.removeprefix(STATUS_BLOCK)
    customer_facts_write("parked_status", parked)


# The states no run reads by date (the plan is complete, the invoice escalated
# or parked) whose invoice has been paid or credited since: each run marks them
# settled, so that the stored state tells the truth. The WHERE clause repeats
# the partial index's predicate term for term (SQLite uses it only then); the
# cost follows the states without a date, not the ledger (CROSS JOIN: SQLite
# starts from them whatever its statistics say).
_SETTLED_SQL = f"""
    UPDATE {{states}} SET reason = 'settled', reason_params = '{{{{}}}}', next_step_id = NULL,
           updated_on = %s
    WHERE ("next_action_on" IS NULL AND NOT ("reason" = 'settled'))
      AND invoice_id IN (
          SELECT s.invoice_id FROM {{states}} s CROSS JOIN ledger_invoice i
          WHERE (s."next_action_on" IS NULL AND NOT (s."reason" = 'settled'))
            AND i.id = s.invoice_id AND (i.balance = '0' OR i.status NOT IN ({_OPEN}))
      )
"""


def parked_settle(on: dt.date) -> int:
    """Mark settled the undated states whose invoice is no longer open; returns how many."""
    with connection.cursor() as cursor:
        cursor.execute(_SETTLED_SQL.format(states=InvoiceDunning._meta.db_table), [on])
        return cursor.rowcount


# Invoices reopened by an undone allocation (a reversal row, ledger.services.
# reversal) since the previous run: their state said "settled" and has no date,
# so no run would read them again. The partial index on the reversals' date
# (`allocation_reversal_created`) keeps this to the few undone allocations.
_REOPENED_SQL = """
    UPDATE {states} SET next_action_on = %s
    WHERE next_action_on IS NULL AND reason = 'settled' AND invoice_id IN (
        SELECT invoice_id FROM ledger_allocation
        WHERE "reverses_id" IS NOT NULL AND created_at >= %s
    )
"""


def reopened_wake(on: dt.date, since: dt.datetime | None) -> int:
    """Make due on `on` the settled states of invoices an undone allocation reopened
    since `since` (the previous run's start; None: ever); returns how many."""
    floor = since or dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            _REOPENED_SQL.format(states=InvoiceDunning._meta.db_table),
            [on, connection.ops.adapt_datetimefield_value(floor)],
        )
        return cursor.rowcount
