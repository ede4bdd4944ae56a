"""Loading what the engine needs for a date, in a few set-based queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Q

from encaisse.collab.models import TaskKind, TaskStatus
from encaisse.dunning.engine.types import Block, InvoiceFacts
from encaisse.dunning.models import Hold
from encaisse.dunning.services.plans import PlanBook
from encaisse.ledger.models import Company
from encaisse.ledger.models.customer import CustomerStatus
from encaisse.ledger.models.invoice import OPEN_STATUSES
from encaisse.lib import bulk

# Customer statuses that stop dunning, with no end date: the run parks the
# customer's invoices and wakes them when the status changes (services.parking;
# the status may change through an import, which knows nothing of dunning).
BLOCKING_STATUSES = frozenset(
    {
        CustomerStatus.ON_HOLD,
        CustomerStatus.AGENCY,
        CustomerStatus.INSOLVENCY,
        CustomerStatus.CLOSED,
    }
)
# A status block's reason: this prefix and the customer status.
STATUS_BLOCK = "status:"


@dataclass(slots=True)
class DueRow:
    facts: InvoiceFacts
    risk_class: str
    customer_status: str
    language: str
    next_on: dt.date | None = None  # None: a new invoice, due for a first decision


@dataclass(slots=True)
class Blocks:
    """Active holds on `on`, by customer and by invoice."""

    on: dt.date
    by_customer: dict[int, Block] = field(default_factory=dict)
    by_invoice: dict[int, Block] = field(default_factory=dict)
    _by_status: dict[str, Block] = field(default_factory=dict, repr=False, compare=False)

    def for_invoice(self, invoice_id: int, customer_id: int, customer_status: str) -> Block | None:
        # Called once per due invoice: the common cases (nothing, or one block) first.
        on_invoice = self.by_invoice.get(invoice_id)
        on_customer = self.by_customer.get(customer_id)
        status = None
        if customer_status in BLOCKING_STATUSES:
            status = self._by_status.get(customer_status)
            if status is None:
                status = self._by_status[customer_status] = Block(
                    f"{STATUS_BLOCK}{customer_status}", None
                )
        if on_customer is None and status is None:
            return on_invoice
        if on_invoice is None and on_customer is None:
            return status
        candidates = (on_invoice, on_customer, status)
        return _longest(block for block in candidates if block is not None)


def _longest(blocks: Iterable[Block]) -> Block | None:
    best: Block | None = None
    for block in blocks:
        if best is None or (
            best.until is not None and (block.until is None or block.until > best.until)
        ):
            best = block
    return best


# The facts of an invoice, as `to_due_row` reads them: invoice id, customer id,
# due date, extended due date, open balance, status, last offset, risk class,
# customer status, language, next action date. Raw SQL: the ORM's per-row
# machinery cost more than the query itself at a million invoices. The
# {fields} are the columns each backend returns in its own way (see `_fetch`).
# CROSS JOIN makes SQLite start from the due states (partial index on the
# date) whatever its statistics say; without statistics on the state table it
# walked every customer's invoices instead. PostgreSQL plans it as a join.
_DUE_SQL = """
    SELECT i.id, i.customer_id, {due}, {extended}, {balance}, i.status,
           s.last_offset, c.risk_class, c.status, c.language, {next_on}
    FROM dunning_invoicedunning s
    CROSS JOIN ledger_invoice i
    CROSS JOIN ledger_customer c
    WHERE s.next_action_on <= %s AND i.id = s.invoice_id AND c.id = i.customer_id
"""
_OPEN = ", ".join(f"'{status.value}'" for status in OPEN_STATUSES)
# Open invoices never enrolled whose first step may have come: an anti-join on
# the state's primary key, run every day. The inner query reads a range of the
# partial index of invoices with a balance (`invoice_open_due`, on the due
# date; its ids are in it). An invoice is enrolled only once the earliest
# first step of any plan has come for it (`enrolment_cutoff`): before, the
# decision could only be "wait", and writing it would cost a state row per
# invoice not yet due. `> '0'` is written as in the index's predicate: SQLite
# uses a partial index only for a WHERE clause that matches it term for term.
_NEW_SQL = f"""
    SELECT i.id, i.customer_id, {{due}}, NULL, {{balance}}, i.status,
           NULL, c.risk_class, c.status, c.language, NULL
    FROM ledger_invoice i
    JOIN ledger_customer c ON c.id = i.customer_id
    WHERE i.id IN (
        SELECT o.id FROM ledger_invoice o
        WHERE o.balance > '0' AND o.due_date <= %s
          AND NOT EXISTS (SELECT 1 FROM dunning_invoicedunning s WHERE s.invoice_id = o.id)
    )
      AND i.status IN ({_OPEN})
"""
# The customers whose status has changed since it parked their invoices
# (services.parking), and their parked states: the run wakes them, the
# preview replays them.
CHANGED_PARKED_CUSTOMERS_SQL = """
    SELECT cd.customer_id FROM dunning_customerdunning cd
    JOIN ledger_customer c ON c.id = cd.customer_id
    WHERE cd.parked_status <> '' AND c.status <> cd.parked_status
"""
_WOKEN_SQL = f"""
    SELECT i.id, i.customer_id, {{due}}, {{extended}}, {{balance}}, i.status,
           s.last_offset, c.risk_class, c.status, c.language, {{next_on}}
    FROM dunning_invoicedunning s
    JOIN ledger_invoice i ON i.id = s.invoice_id
    JOIN ledger_customer c ON c.id = i.customer_id
    WHERE i.customer_id IN ({CHANGED_PARKED_CUSTOMERS_SQL})
      AND s.next_action_on IS NULL AND s.reason = 'blocked'
"""
# The customers whose invoices are parked as covered (services.parking: their
# cash on account covers them) and whose cover may have changed since `%s`:
# the customer, one of its invoices, payments or credit notes was written since
# (every ledger write path moves `updated_at`: a new invoice older than the
# covered one, cash applied elsewhere or reversed…); or the customer has no
# open "apply the cash" task (finance closed it with the cash still on
# account: the run asks again, as it did when it looked every day). The first
# condition repeats the partial index's predicate term for term; each ledger
# table is read once, through its `updated_at` index (the rows written since
# the previous run), whatever the size of a parked customer's history.
COVER_MOVED_CUSTOMERS_SQL = f"""
    SELECT DISTINCT i.customer_id FROM dunning_invoicedunning s
    CROSS JOIN ledger_invoice i
    WHERE ("next_action_on" IS NULL AND NOT ("reason" = 'settled'))
      AND s.reason = 'covered' AND i.id = s.invoice_id
      AND (
        i.customer_id IN (SELECT c.id FROM ledger_customer c WHERE c.updated_at >= %s)
        OR i.customer_id IN (SELECT o.customer_id FROM ledger_invoice o WHERE o.updated_at >= %s)
        OR i.customer_id IN (SELECT p.customer_id FROM ledger_payment p WHERE p.updated_at >= %s)
        OR i.customer_id IN (
            SELECT n.customer_id FROM ledger_creditnote n WHERE n.updated_at >= %s
        )
        OR NOT EXISTS (
            SELECT 1 FROM collab_task t
            WHERE t.customer_id = i.customer_id AND t.status = '{TaskStatus.OPEN.value}'
              AND t.kind = '{TaskKind.APPLY_CASH.value}'
        )
      )
"""
COVER_MOVED_PARAMS = 4  # how many times the query takes `since`
_COVER_WOKEN_SQL = f"""
    SELECT i.id, i.customer_id, {{due}}, {{extended}}, {{balance}}, i.status,
           s.last_offset, c.risk_class, c.status, c.language, {{next_on}}
    FROM dunning_invoicedunning s
    JOIN ledger_invoice i ON i.id = s.invoice_id
    JOIN ledger_customer c ON c.id = i.customer_id
    WHERE i.customer_id IN ({COVER_MOVED_CUSTOMERS_SQL})
      AND s.next_action_on IS NULL AND s.reason = 'covered'
"""
_COLUMNS = {
    "due": "i.due_date",
    "extended": "s.effective_due_on",
    "balance": "i.balance",
    "next_on": "s.next_action_on",
}


def due_rows(on: dt.date) -> list[tuple[Any, ...]]:
    """Raw rows of the states whose next action date has come (partial index on that date)."""
    return _fetch(_DUE_SQL, [on])


def woken_rows(since: dt.datetime | None) -> list[tuple[Any, ...]]:
    """Parked states the next run wakes, shaped like `due_rows` (no next action
    date: due at once): those whose customer's status has changed, and the
    covered ones whose customer's cash or invoices have moved since `since`
    (`cover_moved_since`)."""
    moved = [cover_moved_since(since)] * COVER_MOVED_PARAMS
    return _fetch(_WOKEN_SQL, []) + _fetch(_COVER_WOKEN_SQL, moved)


# How far before the previous run's start a ledger write still counts as new:
# a transaction that began before that run and committed during it wrote an
# earlier `updated_at` than the run's start, and the run may not have seen it.
# Waking a covered invoice again costs one decision; missing one would leave it
# parked while its customer owes it.
COVER_MOVED_MARGIN = dt.timedelta(days=1)


def cover_moved_since(since: dt.datetime | None) -> Any:
    """The database value from which a ledger write wakes the covered invoices
    (`since`: when the previous run read the ledger, `DunningRun.ledger_read_at`;
    None: ever)."""
    floor = (since - COVER_MOVED_MARGIN) if since else dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    return connection.ops.adapt_datetimefield_value(floor)


def new_invoice_rows(cutoff: dt.date) -> list[tuple[Any, ...]]:
    """Open invoices due by `cutoff` that have no dunning state yet, shaped like `due_rows`."""
    return _fetch(_NEW_SQL, [cutoff])


def enrolment_cutoff(on: dt.date, book: PlanBook) -> dt.date:
    """The last due date whose invoices may have a step on `on` under some plan.

    The earliest first step of all plans (J−5 in the default plan: invoices
    due up to 5 days after `on`); a later-starting plan's invoices are
    enrolled early and wait in their state. Without any step, invoices are
    enrolled on their due date (their state then says why nothing happens).
    """
    first_offsets = [plan.steps[0].offset_days for plan in book.plans.values() if plan.steps]
    return on - dt.timedelta(days=min(first_offsets, default=0))


def _fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Run one of the queries above: dates as dates, money as exact Decimal.

    PostgreSQL's driver returns both. SQLite stores decimals as floating
    point: `printf('%.2f')` gives the text Django's own converter would
    produce (rounded to the cent), which Decimal parses exactly. Its dates are
    text: Django's converter parsed each (a third of the load time of a first
    run); a ledger has a few hundred distinct dates, parsed once each here.
    """
    with connection.cursor() as cursor:
        if connection.vendor != "sqlite":
            cursor.execute(sql.format(**_COLUMNS), params)
            return cursor.fetchall()
        as_text = {name: f"CAST({column} AS TEXT)" for name, column in _COLUMNS.items()}
        as_text["balance"] = "printf('%%.2f', i.balance)"
        cursor.execute(sql.format(**as_text), params)
        rows = cursor.fetchall()
    dates = _Dates()
    return [
        (ident, customer, dates[due], dates[extended], Decimal(balance), *middle, dates[next_on])
        for ident, customer, due, extended, balance, *middle, next_on in rows
    ]


class _Dates(dict[str | None, dt.date | None]):
    """ISO text -> date, each distinct text parsed once."""

    def __missing__(self, text: str | None) -> dt.date | None:
        value = self[text] = None if text is None else dt.date.fromisoformat(text)
        return value


def to_due_row(row: tuple[Any, ...], blocks: Blocks) -> DueRow:
    (
        invoice_id,
        customer_id,
        due,
        extended,
        balance,
        status,
        last_offset,
        risk,
        cstatus,
        lang,
        next_on,
    ) = row
    facts = InvoiceFacts(
        invoice_id=invoice_id,
        customer_id=customer_id,
        due_on=extended or due,
        balance=balance,
        is_open=status in OPEN_STATUSES,
        last_offset=last_offset,
        block=blocks.for_invoice(invoice_id, customer_id, cstatus),
    )
    return DueRow(facts, risk or "", cstatus, lang or "fr", next_on)


def blocks_on(on: dt.date, *, customer_id: int | None = None) -> Blocks:
    """Every hold active on `on` (a run loads them all: they are few), or only
    one customer's (delivering or explaining one message or invoice)."""
    blocks = Blocks(on)
    active = Hold.objects.filter(
        Q(released_on__isnull=True) | Q(released_on__gt=on),
        Q(ends_on__isnull=True) | Q(ends_on__gte=on),
        starts_on__lte=on,
    )
    if customer_id is not None:
        active = active.filter(customer_id=customer_id)
    for hold in active:
        block = Block(hold.reason, hold.ends_on, hold.pk)
        # A hold on an invoice (a dispute) blocks that invoice only.
        if hold.invoice_id is not None:
            target, key = blocks.by_invoice, hold.invoice_id
        else:
            target, key = blocks.by_customer, hold.customer_id
        current = target.get(key)
        target[key] = block if current is None else (_longest([current, block]) or block)
    return blocks


def contact_allowed_from(customer_ids: Iterable[int]) -> dict[int, dt.date]:
    """For each customer with a last contact: the first day another is allowed."""
    gap = dt.timedelta(days=Company.current().min_contact_gap_days)
    sql = (
        "SELECT customer_id, last_contact_on FROM dunning_customerdunning"
        " WHERE last_contact_on IS NOT NULL AND customer_id IN ({marks})"
    )
    return {customer_id: last + gap for customer_id, last in bulk.select_in(sql, set(customer_ids))}
