"""The freshness guard: no automatic reminder from a stale ledger (SPEC §4.4)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import override

from encaisse.collab.models import TaskKind
from encaisse.collab.services import task_create
from encaisse.dunning.models import DunningSettings
from encaisse.ledger.models import Company
from encaisse.ledger.selectors import ledger_refreshed_at
from encaisse.lib import clock


@dataclass(frozen=True, slots=True)
class Freshness:
    """How old the ledger is, against the guard's limit (0: the guard is off)."""

    age: dt.timedelta | None  # None: the ledger never received data
    max_hours: int

    @property
    def stale(self) -> bool:
        """True when the guard is on and the last import or payment is too old.

        A ledger that never received data has nothing to be stale about.
        """
        return (
            bool(self.max_hours)
            and self.age is not None
            and self.age > dt.timedelta(hours=self.max_hours)
        )

    @property
    def age_hours(self) -> int | None:
        return None if self.age is None else int(self.age.total_seconds() // 3600)


def ledger_freshness(policy: DunningSettings | None = None) -> Freshness:
    """One look at the ledger's age and the guard's limit (a page reads it once;
    one that has the dunning settings already passes them)."""
    refreshed = ledger_refreshed_at()
    age = None if refreshed is None else clock.now() - refreshed
    policy = policy or DunningSettings.current()
    return Freshness(age=age, max_hours=policy.freshness_max_hours)


def ledger_is_stale() -> bool:
    return ledger_freshness().stale


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
