"""Claiming queued work with a lease: the one pattern behind every outbox.

The email outbox (dunning.delivery) and the webhook deliveries (webhooks.delivery)
both keep rows with a `state`, an `attempts` counter, a `next_attempt_at` and a
`lease_until`. A worker:

1. claims a row with a conditional UPDATE (pending and due, or claimed by a
   worker whose lease has expired) that also bumps `attempts`; a row count of 0
   means another worker has it;
2. does the slow part (network) outside any transaction;
3. writes the outcome only while its claim is still the current one
   (`held`: same state, same `attempts`), so a worker that overslept its lease
   cannot overwrite the outcome of the worker that took over.

A worker that dies leaves its lease to expire and the row is claimed again:
at least once, never lost. This module holds no model, only the queries.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import F, Q

from encaisse.lib import clock


def worker_name() -> str:
    """Who made an attempt, for the attempt log: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def backoff(tries: int, schedule: Sequence[dt.timedelta]) -> dt.timedelta:
    """The wait after the `tries`-th failed try: the schedule's entry, its last one past the end."""
    return schedule[min(max(tries, 1), len(schedule)) - 1]


@dataclass(frozen=True, slots=True)
class Leasing:
    """The claim queries of one outbox table.

    `pending` and `working` are the values of its `state` field for "waiting
    for a worker" and "claimed by a worker"; `lease` is how long a claim lasts
    before another worker may take the row over (longer than any one attempt).
    """

    model: type[models.Model]
    pending: str
    working: str
    lease: dt.timedelta

    def due(self) -> Q:
        """Rows a worker may claim now: due retries, and claims whose worker died."""
        now = clock.now()
        return Q(state=self.pending, next_attempt_at__lte=now) | Q(
            state=self.working, lease_until__lt=now
        )

    def claim(self, pk: int, **also: Any) -> bool:
        """Take the row for one attempt; False when it is not due or another worker has it."""
        manager = self.model._default_manager
        return bool(
            manager.filter(self.due(), pk=pk).update(
                state=self.working,
                lease_until=clock.now() + self.lease,
                attempts=F("attempts") + 1,
                **also,
            )
        )

    def held(self, pk: int, attempts: int) -> Q:
        """Our claim (made when `attempts` became this number) is still the current one."""
        return Q(pk=pk, state=self.working, attempts=attempts)

    def settle(self, pk: int, attempts: int, **fields: Any) -> bool:
        """Write an attempt's outcome, if our claim still holds; False when it was taken over."""
        manager = self.model._default_manager
        return bool(manager.filter(self.held(pk, attempts)).update(lease_until=None, **fields))

    def retry_at(self, tries: int, schedule: Sequence[dt.timedelta]) -> dt.datetime:
        return clock.now() + backoff(tries, schedule)
