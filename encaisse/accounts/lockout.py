"""Sign-in lockouts (django-axes): when a locked-out client may try again, and
one log line per lockout.

django-axes counts failures per username and per client address
(AXES_LOCKOUT_PARAMETERS); the rows it keeps are per (username, address,
browser), each with its failures and the time of the last one.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

log = logging.getLogger("encaisse.security")


def _release(attempts: list[tuple[dt.datetime, int]], cool_off: dt.timedelta) -> dt.datetime | None:
    """When failures counted within the cool-off fall below the limit, or None if they are below.

    1. Newest first, add up the failures until they reach the limit.
    2. The row where they do must leave the window for the count to drop below
       it: its time plus the cool-off.
    """
    total = 0
    for moment, failures in sorted(attempts, reverse=True):
        total += failures
        if total >= settings.AXES_FAILURE_LIMIT:
            return moment + cool_off
    return None


def lockout_ends_at(*, username: str | None, ip_address: str | None) -> dt.datetime:
    """When this username and this address may both sign in again."""
    cool_off = get_cool_off() or dt.timedelta(0)
    now = timezone.now()
    recent = AccessAttempt.objects.filter(attempt_time__gte=now - cool_off)
    releases = []
    for field, value in (("username", username), ("ip_address", ip_address)):
        if value:
            rows = recent.filter(**{field: value})
            counted = rows.values_list("attempt_time", "failures_since_start")
            releases.append(_release(list(counted), cool_off))
    known = [moment for moment in releases if moment is not None]
    return max(known) if known else now + cool_off


def log_lockout(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    """Receiver of axes' user_locked_out: the lockout itself, then each attempt it refuses."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        log.warning("Sign-in refused while locked out: username=%r ip=%s", username, ip_address)
    else:
        log.warning(
            "Sign-in locked out after %d failed attempts: username=%r ip=%s, for %s",
            failures,
            username,
            ip_address,
            get_cool_off(),
        )
