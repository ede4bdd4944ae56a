"""The freshness guard: no automatic reminder from a stale ledger (SPEC §4.4)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import override

from encaisse.collab.models import TaskKind
from encaisse.collab.services import task_create
from encaisse.dunning.models import DunningSettings
from encaisse.ledger.models import Company
from encaisse.ledger.selectors import ledger_refreshed_at
from encaisse.lib import clock


def ledger_age() -> dt.timedelta | None:
    refreshed = ledger_refreshed_at()
    return None if refreshed is None else clock.now() - refreshed


def ledger_is_stale() -> bool:
    """True when the guard is on and the last import or payment is too old.

    A ledger that never received data has nothing to be stale about.
    """
    hours = DunningSettings.current().freshness_max_hours
    age = ledger_age()
    return bool(hours) and age is not None and age > dt.timedelta(hours=hours)


def stale_alert() -> None:
    """One task per day for finance: automatic sends are held until the ledger is refreshed."""
    today = clock.today()
    with override(Company.current().language):
        task_create(
            actor=None,
            kind=TaskKind.LEDGER_STALE,
            title=_("Automatic reminders are held: the ledger has not been refreshed"),
            details=_(
                "Import the latest invoices and payments; held reminders then go out by themselves."
            ),
            due_on=today,
            source_key=f"dunning:stale:{today.isoformat()}",
        )
