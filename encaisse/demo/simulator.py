"""`encaisse simulate`: replay days on the demo company and report how collection goes.

Each simulated day D, at simulated times (`lib.clock.simulated`), so that every
record written carries D and not the wall clock:

1. 06:00 the ledger feed: the day's new invoices, then the bank statement
   (payments by behaviour and in reaction to earlier reminders and promises,
   settled disputes) — `sim.ledger`;
2. 07:00 the dunning run for D, then delivery of what it queued to the local
   sink — `dunning_run`, `deliveries_process`;
3. 09:30 finance reviews the messages waiting for approval; approved ones are
   delivered — `sim.people.review`;
4. 11:00 some customers open the personal link of a recent reminder — `sim.portal`;
5. 14:00 reps and finance do their tasks: calls (promises, disputes, no
   answer), letters posted, files handed over — `sim.people.work_tasks`;
6. 19:00 the day's figures — `sim.kpis.ledger_kpis`.

Every choice is drawn from the seed and stable keys (`sim.chance`): the same
seed on the same ledger gives the same history. Days only go forward: the
simulator refuses to start on or before a day that has already run.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from encaisse.demo.progress import progress_bar
from encaisse.demo.sim import handover, ledger, payment_plans, people, portal
from encaisse.demo.sim.kpis import LedgerKpis, ledger_kpis
from encaisse.demo.sim.sink import delivery_sink
from encaisse.demo.sim.world import World, loaded_demo
from encaisse.dunning.delivery.tasks import deliveries_process
from encaisse.dunning.models import ActionStatus, AttemptOutcome, DunningAction, DunningRun
from encaisse.dunning.services.run import dunning_run
from encaisse.ledger.models import Invoice, InvoiceSource, Payment
from encaisse.lib import clock
from encaisse.resolution.daily import resolution_daily_run

FEED_AT, RUN_AT, REVIEW_AT, PORTAL_AT, TASKS_AT, CLOSE_AT = (
    dt.time(6, 0),
    dt.time(7, 0),
    dt.time(9, 30),
    dt.time(11, 0),
    dt.time(14, 0),
    dt.time(19, 0),
)


class SimulationRefused(Exception):
    """The simulation cannot start: not a demo ledger, or a start date in the past."""


@dataclass(slots=True)
class DayReport:
    """What happened on one simulated day (or, merged, on several)."""

    day: dt.date
    last_day: dt.date
    kpis: LedgerKpis
    issued: int = 0
    invoiced: Decimal = Decimal("0.00")
    payments: int = 0
    collected: Decimal = Decimal("0.00")
    credit_notes: int = 0
    contacts: Counter[int] = field(default_factory=Counter)  # step offset -> messages or tasks
    sent: int = 0
    staff: people.StaffDay = field(default_factory=people.StaffDay)


def merge(reports: Sequence[DayReport]) -> DayReport:
    """Several days as one: flows added up, the figures of the last day."""
    merged = DayReport(day=reports[0].day, last_day=reports[-1].last_day, kpis=reports[-1].kpis)
    for report in reports:
        for name in ("issued", "invoiced", "payments", "collected", "credit_notes", "sent"):
            setattr(merged, name, getattr(merged, name) + getattr(report, name))
        merged.contacts.update(report.contacts)
        merged.staff.add(report.staff)
    return merged


def next_start() -> dt.date:
    """The first day the simulator may replay: after the last run and the ledger's last day."""
    known = [
        DunningRun.objects.aggregate(last=Max("run_on"))["last"],
        Invoice.objects.aggregate(last=Max("issue_date"))["last"],
        Payment.objects.aggregate(last=Max("date"))["last"],
        loaded_demo().today,
    ]
    days = [day for day in known if day is not None]
    return max(days) + dt.timedelta(days=1) if days else clock.today()


def simulate(
    *,
    days: int,
    start: dt.date | None = None,
    seed: int | None = None,
    sink: Path | None = None,
    staff_idle_on_last_day: bool = False,
    progress: bool = False,
    on_day: Callable[[DayReport], None] | None = None,
) -> list[DayReport]:
    """Replay `days` days from `start` (default: `next_start()`); return one report per day.

    `staff_idle_on_last_day` leaves the last day's review queue and tasks to
    people (the demo's "today"). `sink`: directory for the emails (None: memory).
    """
    if days < 1:
        raise ValueError("days must be positive")
    if not Invoice.objects.filter(source=InvoiceSource.DEMO).exists():
        raise SimulationRefused(
            _("The simulator only replays the demo company: load it with `encaisse demo`.")
        )
    earliest = next_start()
    start = start or earliest
    if start < earliest:
        raise SimulationRefused(
            _(
                "The simulation cannot start on %(start)s: dunning or the ledger already reach "
                "%(last)s, and days only go forward. Start on %(earliest)s or later."
            )
            % {"start": start, "last": earliest - dt.timedelta(days=1), "earliest": earliest}
        )
    world = World.load(loaded_demo().seed if seed is None else seed, start)
    reports = []
    with (
        delivery_sink(sink),
        progress_bar(_("Simulating days"), days, progress) as advance,
    ):
        for offset in range(days):
            day = start + dt.timedelta(days=offset)
            staff = not (staff_idle_on_last_day and offset == days - 1)
            # A day is all or nothing: a failure never leaves a run without its
            # ledger feed. Its on-commit hooks fire inside the sink (no queued tasks).
            with transaction.atomic():
                report = simulate_day(world, day, staff=staff)
            reports.append(report)
            if on_day is not None:
                on_day(report)
            advance(1)
    return reports


def simulate_day(world: World, day: dt.date, *, staff: bool = True) -> DayReport:
    with clock.simulated(_at(day, FEED_AT)):
        issued = ledger.issue_invoices(world, day)
        paid = ledger.collect(world, day)
        payment_plans.plans_day(world, day)
    with clock.simulated(_at(day, RUN_AT)):
        resolution_daily_run(day)  # promises kept or broken, expired holds
        dunning_run(run_on=day)
        sent = _sent(deliveries_process())
    work = people.StaffDay()
    if staff:
        with clock.simulated(_at(day, REVIEW_AT)):
            people.review(world, day, work)
            sent += _sent(deliveries_process())
    with clock.simulated(_at(day, PORTAL_AT)):
        portal.portal_visits(world, day)
    if staff:
        with clock.simulated(_at(day, TASKS_AT)):
            people.work_tasks(world, day, work)
            handover.live_handovers(world, day)
    with clock.simulated(_at(day, CLOSE_AT)):
        kpis = ledger_kpis(day)
    return DayReport(
        day=day,
        last_day=day,
        kpis=kpis,
        issued=issued.issued,
        invoiced=issued.invoiced,
        payments=paid.payments,
        collected=paid.collected,
        credit_notes=paid.credit_notes,
        contacts=_contacts(day),
        sent=sent,
        staff=work,
    )


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def _sent(results: dict[str, int]) -> int:
    return results.get(AttemptOutcome.SENT, 0)


def _contacts(day: dt.date) -> Counter[int]:
    """Messages or tasks the day's run created, per step (by its offset)."""
    rows = (
        DunningAction.objects.filter(run__run_on=day, step__isnull=False)
        .exclude(status=ActionStatus.SKIPPED)
        .values_list("step__offset_days")
        .annotate(messages=Count("message", distinct=True), tasks=Count("task", distinct=True))
        .order_by()
    )
    return Counter({offset: messages + tasks for offset, messages, tasks in rows})
