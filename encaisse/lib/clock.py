"""The product's notion of "now", which the simulator can move.

The simulator (`encaisse simulate`) replays past days: the records it writes
(activities, delivery attempts, tasks) must carry the simulated time, not the
wall clock, or the demo's history would all be dated from the day it was
loaded. Production code asks this module instead of `timezone.now()` wherever
a timestamp is part of the record; outside a simulation it is the wall clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

_simulated: ContextVar[dt.datetime | None] = ContextVar("encaisse_simulated_now", default=None)


def now() -> dt.datetime:
    simulated = _simulated.get()
    return simulated if simulated is not None else timezone.now()


def today() -> dt.date:
    """Today in the company's time zone (settings.TIME_ZONE)."""
    return timezone.localdate(now())


@contextmanager
def simulated(moment: dt.datetime) -> Iterator[None]:
    """Make `now()` return `moment` (an aware datetime) inside the block."""
    if timezone.is_naive(moment):
        raise ValueError("simulated time must be timezone-aware")
    token = _simulated.set(moment)
    try:
        yield
    finally:
        _simulated.reset(token)
