"""Counting requests per key in fixed windows (the password-reset throttle)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from encaisse.accounts.models import Throttle


@dataclass(frozen=True, slots=True)
class ThrottleVerdict:
    allowed: bool
    retry_at: dt.datetime  # when the window ends and counting starts again


def _window_start(moment: dt.datetime, window: dt.timedelta) -> dt.datetime:
    seconds = int(window.total_seconds())
    return dt.datetime.fromtimestamp(int(moment.timestamp()) // seconds * seconds, tz=dt.UTC)


@transaction.atomic
def throttle_hit(*, scope: str, value: str, limit: int, window: dt.timedelta) -> ThrottleVerdict:
    """Count one request for `value` in `scope`; allowed while the window's count ≤ limit.

    1. The row of the current window is created if missing (the unique key makes
       concurrent creators meet on one row).
    2. Its counter goes up in the database (F expression), then is read back:
       every process sees every hit.
    3. Rows of windows long gone are deleted on the way.

    No actor and no timeline entry: the caller is anonymous and no customer is
    concerned; the log line of a refusal is its record.
    """
    start = _window_start(timezone.now(), window)
    key = hashlib.sha256(f"{scope}\n{value}".encode()).hexdigest()
    row, _created = Throttle.objects.get_or_create(scope=scope, key=key, window_start=start)
    Throttle.objects.filter(pk=row.pk).update(hits=F("hits") + 1)
    hits = Throttle.objects.values_list("hits", flat=True).get(pk=row.pk)
    Throttle.objects.filter(window_start__lt=start - window).delete()
    return ThrottleVerdict(allowed=hits <= limit, retry_at=start + window)
