"""Handovers as a user may see them, with what was recovered and what the agency costs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from encaisse.accounts.models import User
from encaisse.ledger.models import Allocation
from encaisse.ledger.selectors import customers_visible_to
from encaisse.lib.money import ZERO, round_money
from encaisse.resolution.models.handover import CollectionAgency, Handover, HandoverStatus

# A handover still active counts payments up to any date.
_OPEN_END = dt.date(9999, 12, 31)
_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=18, decimal_places=2)


def recovered_subquery() -> Coalesce:
    """Σ payment allocations (reversals included, so an undone one counts nothing)
    on the handover's invoices, for payments dated from the handover to its end."""
    rows = (
        Allocation.objects.filter(
            invoice__handover_lines__handover=OuterRef("pk"),
            payment__isnull=False,
            payment__date__gte=OuterRef("handed_on"),
            payment__date__lte=Coalesce(OuterRef("ended_on"), _OPEN_END),
        )
        .order_by()
        .values("invoice__handover_lines__handover")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=_MONEY), ZERO, output_field=_MONEY)


def handed_subquery() -> Coalesce:
    from encaisse.resolution.models.handover import HandoverInvoice

    rows = (
        HandoverInvoice.objects.filter(handover=OuterRef("pk"))
        .order_by()
        .values("handover")
        .annotate(total=Sum("balance_handed"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=_MONEY), ZERO, output_field=_MONEY)


def handovers_visible_to(user: User) -> QuerySet[Handover]:
    """Handovers of the customers `user` may see, with `recovered` and `handed_total`."""
    return (
        Handover.objects.filter(customer__in=customers_visible_to(user))
        .select_related("customer", "agency", "handed_by", "ended_by")
        .annotate(recovered=recovered_subquery(), handed_total=handed_subquery())
        .order_by("-handed_on", "-id")
    )


@dataclass(frozen=True, slots=True)
class HandoverFigures:
    handed: Decimal
    recovered: Decimal
    fees: Decimal
    net: Decimal


def handover_figures(handover: Handover) -> HandoverFigures:
    """What was handed over, recovered since, the agency's fees and what is left for us."""
    recovered = getattr(handover, "recovered", None)
    handed = getattr(handover, "handed_total", None)
    if recovered is None or handed is None:
        row = (
            Handover.objects.filter(pk=handover.pk)
            .annotate(recovered=recovered_subquery(), handed_total=handed_subquery())
            .values_list("recovered", "handed_total")
            .get()
        )
        recovered, handed = row
    # SQLite sums decimals as floats: back to the cent.
    recovered, handed = round_money(Decimal(recovered)), round_money(Decimal(handed))
    fees = handover.fees_on(recovered)
    return HandoverFigures(handed, recovered, fees, recovered - fees)


def active_handover_of(customer_id: int) -> Handover | None:
    return (
        Handover.objects.filter(customer_id=customer_id, status=HandoverStatus.ACTIVE)
        .select_related("agency")
        .first()
    )


def agencies(*, active_only: bool = False) -> QuerySet[CollectionAgency]:
    found = CollectionAgency.objects.all()
    return found.filter(active=True) if active_only else found
