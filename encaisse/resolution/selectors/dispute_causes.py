"""The root-cause figures: why customers dispute, where, and how fast it is settled.

Counts and sums are grouped in the database; the median and the 90th
percentile of the resolution time are taken here from the closed disputes'
(opened, closed) pairs, since SQLite has no percentile function (a company
closes thousands of disputes a year, not millions).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import get_language

from encaisse.accounts.models import User
from encaisse.resolution.models import OPEN_DISPUTE_STATUSES, Dispute, DisputeReason

TOP = 10
OPEN = Q(status__in=OPEN_DISPUTE_STATUSES)


@dataclass(frozen=True)
class Row:
    label: str
    count: int
    amount: Decimal
    open: int
    key: object = None
    share: int = 0  # per cent of the period's disputes (by reason only)


@dataclass(frozen=True)
class RootCauses:
    total: int
    open: int
    overdue: int
    blocked: Decimal
    median_days: Decimal | None
    p90_days: Decimal | None
    by_reason: list[Row]
    by_rep: list[Row]
    by_customer: list[Row]
    by_month: list[Row]
    recurring: list[tuple[str, str, int]]  # (reason, customer, disputes)

    @property
    def max_reason(self) -> int:
        return max((row.count for row in self.by_reason), default=0)

    @property
    def max_month(self) -> int:
        return max((row.count for row in self.by_month), default=0)


def days_between(opened: dt.datetime, closed: dt.datetime) -> Decimal:
    return Decimal((closed - opened).total_seconds() / 86400).quantize(Decimal("0.1"))


def median_and_p90(durations: list[Decimal]) -> tuple[Decimal | None, Decimal | None]:
    """The median (mean of the two middle values for an even count) and the
    90th percentile by nearest rank (the value below which 90 % of the times fall)."""
    if not durations:
        return None, None
    ordered = sorted(durations)
    median = Decimal(statistics.median(ordered)).quantize(Decimal("0.1"))
    p90 = ordered[math.ceil(0.9 * len(ordered)) - 1]
    return median, p90


def _rows(disputes: QuerySet[Dispute], key: str, label: str, limit: int | None) -> list[Row]:
    grouped = (
        disputes.values(key, label)
        .annotate(count=Count("id"), amount=Sum("amount"), open=Count("id", filter=OPEN))
        .order_by("-count", label)
    )
    if limit is not None:
        grouped = grouped[:limit]
    return [
        Row(
            label=str(row[label] or ""),
            count=row["count"],
            amount=row["amount"] or Decimal("0"),
            open=row["open"],
            key=row[key],
        )
        for row in grouped
    ]


def root_causes(disputes: QuerySet[Dispute], today: dt.date, *, since: dt.date) -> RootCauses:
    """Figures over the (already scoped) disputes opened on or after `since`."""
    period = disputes.filter(opened_at__date__gte=since)
    totals = period.aggregate(
        total=Count("id"),
        open=Count("id", filter=OPEN),
        overdue=Count("id", filter=OPEN & Q(sla_due_on__lt=today)),
    )
    blocked = disputes.filter(OPEN).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    closed = period.filter(resolved_at__isnull=False).values_list("opened_at", "resolved_at")
    durations = [days_between(opened, resolved) for opened, resolved in closed if resolved]
    median, p90 = median_and_p90(durations)
    rep_rows = _rows(
        period.annotate(rep=F("customer__account_manager__username")),
        "customer__account_manager_id",
        "rep",
        TOP,
    )
    people = User.objects.in_bulk([row.key for row in rep_rows if row.key is not None])
    by_rep = [
        replace(row, label=str(people[row.key])) if row.key in people else row for row in rep_rows
    ]
    months = (
        period.annotate(month=TruncMonth("opened_at"))
        .values("month")
        .annotate(count=Count("id"), amount=Sum("amount"), open=Count("id", filter=OPEN))
        .order_by("month")
    )
    recurring = (
        period.values("reason__label_fr", "reason__label_en", "customer__name")
        .annotate(count=Count("id"))
        .filter(count__gte=2)
        .order_by("-count", "customer__name")[:TOP]
    )
    labels: dict[object, str] = {r.pk: r.label for r in DisputeReason.objects.all()}
    by_reason = [
        Row(label=labels.get(row.key, row.label), count=row.count, amount=row.amount,
            open=row.open, key=row.key,
            share=round(100 * row.count / totals["total"]) if totals["total"] else 0)
        for row in _rows(period, "reason_id", "reason__code", None)
    ]  # fmt: skip
    return RootCauses(
        total=totals["total"],
        open=totals["open"],
        overdue=totals["overdue"],
        blocked=blocked,
        median_days=median,
        p90_days=p90,
        by_reason=by_reason,
        by_rep=by_rep,
        by_customer=_rows(period, "customer_id", "customer__name", TOP),
        by_month=_every_month(months, since, today),
        recurring=[(_label(row), row["customer__name"], row["count"]) for row in recurring],
    )


def _label(row: dict[str, str]) -> str:
    if (get_language() or "fr").startswith("en") and row["reason__label_en"]:
        return row["reason__label_en"]
    return row["reason__label_fr"]


def _every_month(months: QuerySet, since: dt.date, today: dt.date) -> list[Row]:
    """One row per month from `since` to `today`, a month without disputes included."""
    counted = {
        (row["month"].year, row["month"].month): row for row in months if row["month"] is not None
    }
    rows, year, month = [], since.year, since.month
    while (year, month) <= (today.year, today.month):
        row = counted.get((year, month))
        rows.append(
            Row(
                label=f"{year}-{month:02d}",
                count=row["count"] if row else 0,
                amount=(row["amount"] if row else None) or Decimal("0"),
                open=row["open"] if row else 0,
                key=dt.date(year, month, 1),
            )
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return rows
