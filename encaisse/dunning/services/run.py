"""The daily run: decide, group, write — once per date (SPEC §4.2)."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from operator import itemgetter
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from encaisse.accounts.models import User, stored_actor
from encaisse.dunning.delivery.tasks import deliveries_kick
from encaisse.dunning.engine.batch import Decider
from encaisse.dunning.engine.group import group
from encaisse.dunning.engine.types import Decision, Plan
from encaisse.dunning.models import DunningRun, DunningSettings, InvoiceDunning
from encaisse.dunning.services.cash_tasks import cash_tasks_write
from encaisse.dunning.services.facts import (
    Blocks,
    blocks_on,
    contact_allowed_from,
    due_rows,
    enrolment_cutoff,
    new_invoice_rows,
)
from encaisse.dunning.services.go_live import FirstRunNotConfirmed, go_live_of
from encaisse.dunning.services.parking import (
    covered_wake,
    parked_record,
    parked_settle,
    parked_wake,
    reopened_wake,
)
from encaisse.dunning.services.persist import Decided, outcomes_write
from encaisse.dunning.services.plans import PlanBook, plan_book_load
from encaisse.ledger.models.invoice import OPEN_STATUSES
from encaisse.ledger.net_position import invoice_cover
from encaisse.lib import bulk, clock
from encaisse.webhooks.bulk_events import run_events_emit

# A run that enrols this many invoices (a first run on an existing ledger)
# refreshes the state table's statistics: without them SQLite's planner
# knows nothing of the table it has just filled.
ANALYZE_AFTER = 10_000


class RunRefused(Exception):
    """A run for this date would go back in time (a later date has run)."""


@dataclass(slots=True)
class RunReport:
    run_on: dt.date
    created: bool
    examined: int = 0
    enrolled: int = 0
    woken: int = 0  # customers whose status no longer parks their invoices
    settled_since: int = 0  # undated states (plan complete, escalated…) whose invoice was paid
    reopened: int = 0  # settled invoices an undone allocation reopened since the last run
    covered_woken: int = 0  # covered invoices woken: their customer's ledger moved
    performed: int = 0
    skipped: int = 0
    postponed: int = 0
    blocked: int = 0
    settled: int = 0
    covered: int = 0  # invoices whose cash on account covers the balance: not chased
    messages: int = 0
    to_review: int = 0
    tasks: int = 0
    by_step: dict[str, int] = field(default_factory=dict)
    # Wall time per phase, for the log and the benchmark; not part of the figures.
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["run_on"] = self.run_on.isoformat()
        del data["seconds"]
        return data


def dunning_run(*, run_on: dt.date, actor: User | None = None) -> RunReport:
    """Run the engine for `run_on`; a second run for the same date does nothing.

    0. Nothing runs before finance has confirmed the first run (go_live).
    1. Claim the date (unique row): a concurrent or repeated run stops here.
       Wake the invoices parked by a customer status that has since changed,
       and the covered ones whose customer's ledger has moved
       (services.parking).
    2. Load the states whose next action date has come, and the open
       invoices that have no state yet and whose first step may have come
       (enrolled: their state is created with their first decision), with
       their invoice and customer, and what the customers' cash on account
       covers of them (ledger.net_position).
    3. Decide each with the pure engine, once per distinct situation
       (engine.batch), given the holds, the customers' last contacts and the
       go-live policy.
    4. Group per customer and action; write states, actions, messages and
       tasks in the same transaction, and one task per customer whose cash on
       account stopped a reminder (finance applies it). Delivery starts after
       commit.
    """
    policy = DunningSettings.current()
    if not policy.first_run_confirmed:
        raise FirstRunNotConfirmed()
    # SQLite: the import's larger page cache, since a first run reads every
    # open invoice and writes a state for each (the default cache is 2 MB).
    with bulk.tuned_for_bulk(), bulk.gc_paused(), transaction.atomic():
        if DunningRun.objects.filter(run_on__gt=run_on).exists():
            raise RunRefused(_("A later date has already run; runs cannot go back in time."))
        latest = DunningRun.objects.order_by("-run_on").values_list("run_on", flat=True)
        previous_on = latest.first()
        # Ledger writes since the previous run read the ledger (its earlier start:
        # the simulator moves the product's clock, not the ledger's stamps).
        since = DunningRun.ledger_read_at()
        started = clock.now()
        try:
            with transaction.atomic():
                run = DunningRun.objects.create(run_on=run_on, actor=stored_actor(actor))
        except IntegrityError:
            return RunReport(run_on, created=False)
        report = RunReport(run_on, created=True)
        lap = _Laps(report.seconds)
        report.woken = parked_wake(run_on)
        report.settled_since = parked_settle(run_on)
        report.reopened = reopened_wake(run_on, since)
        report.covered_woken = covered_wake(run_on, since)
        book, blocks = plan_book_load(), blocks_on(run_on)
        due, new = due_rows(run_on), new_invoice_rows(enrolment_cutoff(run_on, book))
        lap("load")
        customer_ids = {row[1] for rows in (due, new) for row in rows}
        allowed = contact_allowed_from(customer_ids)
        covers = invoice_cover(customer_ids)
        lap("cover")
        decider = Decider(run_on, go_live_of(policy))
        decide_rows = _RowDecider(decider, book, blocks, allowed, covers)
        decided, enrolled = decide_rows(due), decide_rows(new)
        lap("decide")
        groups = group(decide_rows.performing)
        lap("group")
        written = outcomes_write(run, decided, groups, decide_rows.languages, enrolled=enrolled)
        parked_record((decided, enrolled))
        cash_tasks_write(run, decide_rows.covered)
        if len(enrolled) >= ANALYZE_AFTER:
            _statistics_refresh()
        lap("write")
        report.enrolled = len(enrolled)
        _count(report, (decided, enrolled))
        report.messages, report.to_review, report.tasks = (
            written.messages,
            written.to_review,
            written.tasks,
        )
        run_events_emit(run_on=run_on, previous_on=previous_on, since=started)
        run.finished_at = clock.now()
        run.counts = report.as_dict()
        run.save(update_fields=["finished_at", "counts"])
        if written.messages:
            transaction.on_commit(deliveries_kick)
    lap("commit")
    return report


class _Laps:
    """Records the wall time since the previous lap under a phase name."""

    def __init__(self, into: dict[str, float]) -> None:
        self.into = into
        self.last = time.perf_counter()

    def __call__(self, phase: str) -> None:
        now = time.perf_counter()
        self.into[phase] = self.into.get(phase, 0.0) + now - self.last
        self.last = now


class _RowDecider:
    """Decides raw fact rows (`facts.due_rows`), once per distinct situation.

    Builds an invoice's own InvoiceFacts and Decision only when its decision
    performs a step (grouping needs them); the written outcome is the
    situation's shared decision (engine.batch), for every invoice. The
    balance recorded with each decision is the net amount (what is chased).
    """

    def __init__(
        self,
        decider: Decider,
        book: PlanBook,
        blocks: Blocks,
        allowed: dict[int, dt.date],
        covers: dict[int, Decimal],
    ) -> None:
        self.decider, self.book, self.blocks, self.allowed = decider, book, blocks, allowed
        self.covers = covers
        self.performing: list[Decision] = []
        self.languages: dict[int, str] = {}
        # Customers whose cash on account covers (part of) an invoice decided
        # here, with the invoices concerned: finance is asked to apply it.
        self.covered: dict[int, list[int]] = {}
        self._plans: dict[int, Plan | None] = {}

    def __call__(self, rows: list[tuple[Any, ...]]) -> list[Decided]:
        decider, block_for, plans = self.decider, self.blocks.for_invoice, self._plans
        allowed, languages, performing = self.allowed, self.languages, self.performing
        covers = self.covers
        decided: list[Decided] = []
        for row in rows:
            invoice_id, customer_id, due, extended, balance, status, last_offset = row[:7]
            if customer_id in plans:
                plan = plans[customer_id]
            else:  # once per customer
                risk, _status, language = row[7:10]
                plan = plans[customer_id] = self.book.plan_for(customer_id, risk or "")
                languages[customer_id] = language or "fr"
            block = block_for(invoice_id, customer_id, row[8])
            due_on = extended or due
            is_open = status in _OPEN
            contact = allowed.get(customer_id)
            cover = covers.get(invoice_id, _ZERO) if covers else _ZERO
            key = decider.situation(
                plan, due_on, balance, is_open, last_offset, block, contact, cover
            )
            shared = decider.known(key)
            if shared is None or shared.perform is not None:
                facts = decider.facts(
                    invoice_id, customer_id, due_on, balance, is_open, last_offset, block, cover
                )
                if shared is None:
                    shared = own = decider.learn(key, plan, facts, contact)
                else:
                    own = shared.for_facts(facts)
                if own.perform is not None:
                    performing.append(own)
            if cover:
                balance = balance - cover
                if is_open and plan is not None:
                    self.covered.setdefault(customer_id, []).append(invoice_id)
            decided.append((shared, invoice_id, customer_id, balance))
        return decided


_OPEN = frozenset(OPEN_STATUSES)
_ZERO = Decimal("0")


def _statistics_refresh() -> None:
    """After a large enrolment (a first run), the planner needs to know the state table."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {InvoiceDunning._meta.db_table}")


def _count(report: RunReport, parts: tuple[list[Decided], ...]) -> None:
    # The decisions are shared per situation: count each distinct one once, times its uses.
    uses: Counter[int] = Counter()
    distinct: dict[int, Decision] = {}
    for decided in parts:
        report.examined += len(decided)
        decisions = list(map(itemgetter(0), decided))
        uses.update(map(id, decisions))
        distinct.update(zip(map(id, decisions), decisions, strict=True))
    reasons: Counter[str] = Counter()
    by_step: Counter[str] = Counter()
    for key, d in distinct.items():
        times = uses[key]
        reasons[d.reason] += times
        report.skipped += len(d.skipped) * times
        if d.perform is not None:
            by_step[d.perform.name] += times
    report.performed = by_step.total()
    report.postponed = reasons["postponed_gap"]
    report.blocked = reasons["blocked"]
    report.settled = reasons["settled"]
    report.covered = reasons["covered"]
    report.by_step = dict(by_step)
