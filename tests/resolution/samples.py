"""A handover and a write-off per portfolio, for the authorization walkers.

Written as the services would leave them, with no user acting (the walkers
must not depend on who exists): a litigation handover of the portfolio's
overdue invoice, and, on a second customer of the same rep, a small pending
write-off plus a spare open invoice for the "request" and "hand over" bodies.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from encaisse.ledger.models import Customer, Invoice
from encaisse.resolution.models.handover import CollectionAgency, Handover, HandoverKind
from encaisse.resolution.models.write_off import WriteOff, WriteOffLine
from encaisse.resolution.services.handover import handover_create
from tests.conftest import make_customer, make_invoice


@dataclass
class Samples:
    handover: Handover
    write_off: WriteOff
    spare_customer: Customer
    spare_invoice: Invoice
    agency: CollectionAgency


def resolution_samples(customer: Customer, invoice: Invoice) -> Samples:
    agency, _created = CollectionAgency.objects.get_or_create(
        name="Walker Recouvrement", defaults={"fee_percent": Decimal("10")}
    )
    handover = handover_create(
        actor=None, customer=customer, invoices=[invoice], kind=HandoverKind.LITIGATION
    )
    spare = make_customer(customer.account_manager, f"{customer.name} annexe")
    written = make_invoice(spare, "50.00")
    write_off = WriteOff.objects.create(
        customer=spare, reason="too_small", total=written.balance, currency="EUR"
    )
    WriteOffLine.objects.create(write_off=write_off, invoice=written, amount=written.balance)
    return Samples(
        handover=handover,
        write_off=write_off,
        spare_customer=spare,
        spare_invoice=make_invoice(spare, "40.00"),
        agency=agency,
    )
