"""The ledger figures the simulator reports: receivables, overdue amount, DSO (countback).

Formulas (docs/demo.md):
- receivables on day D: Σ open balance of the invoices issued on or before D;
- overdue on D: the same, for invoices whose due date is before D;
- DSO by the countback method (épuisement du chiffre d'affaires): see `dso_countback`,
  with the month to date of D, then each earlier calendar month, as the periods
  (revenue: the amounts incl. tax of the invoices issued, cancelled ones left out).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from encaisse.ledger.models import Company, Invoice
from encaisse.ledger.models.invoice import OPEN_STATUSES, InvoiceStatus

ZERO = Decimal("0.00")
COUNTBACK_MONTHS = 24


@dataclass(frozen=True, slots=True)
class LedgerKpis:
    on: dt.date
    receivables: Decimal
    overdue: Decimal
    dso: Decimal  # days, one decimal


def dso_countback(receivables: Decimal, periods: Sequence[tuple[int, Decimal]]) -> Decimal:
    """Days of sales outstanding by the countback method.

    `periods` are (days, revenue incl. tax), the most recent first.
    1. Start from the receivables at the end of the last period.
    2. While what is left covers a period's revenue, take that revenue away
       and count all the period's days.
    3. The period that exhausts it counts for days × left / revenue.
    4. Receivables beyond all the revenue given count every day given.
    """
    left, days = receivables, Decimal(0)
    for length, revenue in periods:
        if left <= 0:
            break
        if left >= revenue:
            days += length
            left -= revenue
        else:
            days += Decimal(length) * left / revenue
            left = ZERO
    return days.quantize(Decimal("0.1"))


def revenue_periods(on: dt.date, months: int = COUNTBACK_MONTHS) -> list[tuple[int, Decimal]]:
    """(days, invoiced incl. tax): the month to date of `on`, then each earlier calendar month."""
    first = on.replace(day=1)
    bounds = [(first, on)]
    for _ in range(months - 1):
        end = first - dt.timedelta(days=1)
        first = end.replace(day=1)
        bounds.append((first, end))
    by_month: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    rows = (
        _company_invoices()
        .filter(issue_date__gte=first, issue_date__lte=on)
        .exclude(status=InvoiceStatus.CANCELLED)
        .values_list("issue_date")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for issued, total in rows:
        by_month[(issued.year, issued.month)] += total or ZERO
    return [((end - start).days + 1, by_month[(start.year, start.month)]) for start, end in bounds]


def ledger_kpis(on: dt.date) -> LedgerKpis:
    """Receivables, overdue and DSO at the end of `on` (balances as they stand now)."""
    totals = (
        _company_invoices()
        .filter(status__in=OPEN_STATUSES, issue_date__lte=on)
        .aggregate(receivables=Sum("balance"), overdue=Sum("balance", filter=Q(due_date__lt=on)))
    )
    receivables = totals["receivables"] or ZERO
    return LedgerKpis(
        on=on,
        receivables=receivables,
        overdue=totals["overdue"] or ZERO,
        dso=dso_countback(receivables, revenue_periods(on)),
    )


def _company_invoices() -> QuerySet[Invoice]:
    return Invoice.objects.filter(currency=Company.current().currency)
