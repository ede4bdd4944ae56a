"""A demo company whose dunning has been running: the ledger of N days ago, then N days replayed.

`encaisse demo --history-days N` (60 by default with `--if-empty`, which
`make run` uses) generates the ledger as it stood on today − N, loads it, and
has the simulator replay the N days up to today, so that the pages show
reminders sent, approvals, calls with promises and disputes, payments and
handovers, each dated on its day. Today's run is part of the history, but
today's review queue and tasks are left to the people who log in.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import transaction

from encaisse.demo.generator import DEFAULT_SEED
from encaisse.demo.loader import DemoLoadResult, load_into_database
from encaisse.demo.sim.disputes import disputes_history
from encaisse.demo.sim.sink import delivery_sink
from encaisse.demo.simulator import DayReport, simulate
from encaisse.lib import clock

LOADED_AT = dt.time(19, 0)


def load_with_history(
    *,
    invoices: int = 2000,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    history_days: int = 60,
    progress: bool = False,
) -> tuple[DemoLoadResult, list[DayReport]]:
    """Load the demo as of `today − history_days`, then replay the days up to `today`.

    One transaction: a failure leaves the database empty, as a failed load does.
    """
    today = today or clock.today()
    if history_days <= 0:
        return load_into_database(invoices=invoices, seed=seed, today=today, progress=progress), []
    ledger_day = today - dt.timedelta(days=history_days)
    loaded_at = dt.datetime.combine(
        ledger_day, LOADED_AT, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)
    )
    with delivery_sink(None), transaction.atomic():
        with clock.simulated(loaded_at):
            result = load_into_database(
                invoices=invoices, seed=seed, today=ledger_day, progress=progress
            )
            disputes_history(seed, ledger_day)
        reports = simulate(
            days=history_days,
            start=ledger_day + dt.timedelta(days=1),
            seed=seed,
            staff_idle_on_last_day=True,
            progress=progress,
        )
    return result, reports
