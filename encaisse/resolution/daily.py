"""The resolution's daily checks, run once a day by the scheduler (with the dunning run).

Each object that needs a daily look registers a job with `@daily_job`
(promises broken or kept, holds expired; instalment plans in default…).
Jobs must be idempotent: the task may run twice a day (a second scheduler, a
retry), and each job claims its rows with conditional UPDATEs.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django_tasks import task

log = logging.getLogger(__name__)
DailyJob = Callable[[dt.date], int]
DAILY_JOBS: dict[str, DailyJob] = {}


def daily_job(name: str) -> Callable[[DailyJob], DailyJob]:
    def register(job: DailyJob) -> DailyJob:
        DAILY_JOBS[name] = job
        return job

    return register


def resolution_daily_run(on: dt.date) -> dict[str, int]:
    """Run every job in registration order; one failing does not stop the others."""
    done: dict[str, int] = {}
    for name, job in DAILY_JOBS.items():
        try:
            done[name] = job(on)
        except Exception:
            log.exception("resolution daily job %s failed for %s", name, on)
            done[name] = -1
    return done


@task()
def resolution_daily(run_on: str) -> dict[str, int]:
    """The daily checks for `run_on` (YYYY-MM-DD)."""
    return resolution_daily_run(dt.date.fromisoformat(run_on))
