"""Handovers and write-offs in the simulation (docs/handover.md, docs/write-offs.md).

1. An escalation task done by finance hands the escalated invoices to the demo
   agency (`hand_over`), instead of bare holds.
2. Each day (`live_handovers`): ten days into a handover, most agencies get a
   first instalment (about 40 % of what was handed over, one payment); twenty
   days in, about half of the debtors the agency got nothing from are reported
   insolvent: the file is closed and what is left written off. A file paid off
   is closed; after 75 days the agency gives up: the file is closed and, for
   about half of them, what is left is written off. Write-offs are requested
   by finance and approved by the admin.
   Small balances (under 25 €) a month late are written off as too small to chase.

Every draw is seeded by business keys (customer key, handover date), so a replay
gives the same days.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from encaisse.accounts.models import Role, User
from encaisse.collab.models import Task
from encaisse.demo.sim.chance import chance
from encaisse.demo.sim.world import Account, World
from encaisse.ledger.models import Invoice, InvoiceSource, Payment
from encaisse.ledger.models.invoice import OPEN_STATUSES
from encaisse.ledger.services.records import payment_record
from encaisse.lib.errors import Conflict, ValidationFailed
from encaisse.lib.money import round_money
from encaisse.resolution.models.handover import CollectionAgency, Handover, HandoverStatus
from encaisse.resolution.models.write_off import WriteOffLine
from encaisse.resolution.services.handover import handover_close, handover_create
from encaisse.resolution.services.write_off import write_off_approve, write_off_request

AGENCY = "Cabinet Recouvra"
RECOVERY_AFTER = dt.timedelta(days=10)
INSOLVENT_AFTER = dt.timedelta(days=20)
CLOSE_AFTER = dt.timedelta(days=75)
TINY = Decimal("25.00")


def demo_agency() -> CollectionAgency:
    agency, _created = CollectionAgency.objects.get_or_create(
        name=AGENCY,
        defaults={
            "email": "dossiers@recouvra.example",
            "phone": "04 72 00 00 00",
            "address": "12 rue de la République\n69002 Lyon",
            "fee_percent": Decimal("12.00"),
            "fixed_fee": Decimal("35.00"),
        },
    )
    return agency


def hand_over(world: World, account: Account, task: Task, actor: User, day: dt.date) -> bool:
    """Hand the task's open invoices to the demo agency; False when nothing was."""
    invoices = [invoice for invoice in task.invoices.all() if invoice.is_open]
    if not invoices:
        return False
    try:
        handover_create(
            actor=actor,
            customer=account.customer,
            agency=demo_agency(),
            invoices=invoices,
            handed_on=day,
            note=_("File handed over to the collection agency"),
        )
    except (Conflict, ValidationFailed):
        return False  # already with the agency, or paid meanwhile
    return True


def _admin() -> User | None:
    return User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()


def live_handovers(world: World, day: dt.date) -> None:
    finance, admin = world.finance, _admin()
    if finance is None or admin is None:
        return
    active = Handover.objects.filter(status=HandoverStatus.ACTIVE).select_related("customer")
    for handover in active.order_by("handed_on", "customer__external_key"):
        key = f"{handover.customer.external_key}:{handover.handed_on.isoformat()}"
        open_lines = list(
            Invoice.objects.filter(
                handover_lines__handover=handover, status__in=OPEN_STATUSES, balance__gt=0
            ).order_by("due_date", "number")
        )
        if day >= handover.handed_on + RECOVERY_AFTER:
            _recover(world, handover, key, open_lines, day)
        recovered = Payment.objects.filter(external_key=f"AGY-{key}").exists()
        if (
            # On or after the day (the simulator may not live every day); the
            # chance is drawn per handover, so the answer is the same each day.
            day >= handover.handed_on + INSOLVENT_AFTER
            # Nothing recovered: one in two debtors is insolvent; a partial
            # recovery can still end in insolvency for the rest (one in four).
            and chance(world.seed, "insolvent", key).random() < (0.25 if recovered else 0.5)
        ):
            # The agency reports the debtor insolvent: what is left is written off.
            handover_close(actor=finance, handover=handover, comment=_("Debtor insolvent"))
            left = list(
                Invoice.objects.filter(
                    handover_lines__handover=handover, status__in=OPEN_STATUSES, balance__gt=0
                ).order_by("due_date", "number")
            )
            if left:
                _write_off(finance, admin, left, "insolvency")
            continue
        settled = not Invoice.objects.filter(
            handover_lines__handover=handover, status__in=OPEN_STATUSES, balance__gt=0
        ).exists()
        if settled or day >= handover.handed_on + CLOSE_AFTER:
            handover_close(actor=finance, handover=handover, comment=_("Agency's mission over"))
            still_open = list(
                Invoice.objects.filter(
                    handover_lines__handover=handover, status__in=OPEN_STATUSES, balance__gt=0
                ).order_by("due_date", "number")
            )
            if still_open and chance(world.seed, "write-off", key).random() < 0.5:
                _write_off(finance, admin, still_open, "insolvency")
    tiny = Invoice.objects.filter(
        status__in=OPEN_STATUSES,
        balance__gt=0,
        balance__lt=TINY,
        due_date__lt=day - dt.timedelta(days=30),
        source=InvoiceSource.DEMO,
    ).exclude(write_off_lines__isnull=False)
    for invoice in tiny.select_related("customer").order_by("number")[:3]:
        _write_off(finance, admin, [invoice], "too_small")


def _recover(
    world: World, handover: Handover, key: str, invoices: list[Invoice], day: dt.date
) -> None:
    external_key = f"AGY-{key}"
    if not invoices or Payment.objects.filter(external_key=external_key).exists():
        return
    rng = chance(world.seed, "agency", key)
    if rng.random() >= 0.7:
        return  # this agency never gets anything
    owed = sum((i.balance for i in invoices), Decimal(0))
    amount = min(owed, round_money(owed * Decimal(str(round(rng.uniform(0.25, 0.55), 2)))))
    if amount <= 0:
        return
    payment_record(
        actor=None,
        customer=handover.customer,
        amount=amount,
        date=day,
        external_key=external_key,
        bank_reference=f"VIR {AGENCY.upper()}",
        remittance=" ".join(i.number for i in invoices),
        source=InvoiceSource.DEMO,
    )


def _write_off(finance: User, admin: User, invoices: list[Invoice], reason: str) -> None:
    pending = WriteOffLine.objects.filter(
        Q(invoice__in=invoices), ~Q(write_off__status__in=["rejected", "reversed"])
    )
    if pending.exists():
        return
    try:
        write_off = write_off_request(
            actor=finance, customer=invoices[0].customer, invoices=invoices, reason=reason
        )
        write_off_approve(actor=admin, write_off=write_off)
    except (Conflict, ValidationFailed):
        return
