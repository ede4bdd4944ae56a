"""Ledger reads, always scoped to the viewer (SPEC §1.5).

`customers_visible_to(user)` is the root: every invoice, payment, credit note
and activity a user sees is reached through a customer they may see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from django.db.models import CharField, F, Model, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from encaisse.accounts.models import User
from encaisse.accounts.selectors import portfolio_owner_ids
from encaisse.ledger.models import Allocation, CreditNote, Customer, ImportBatch, Invoice, Payment
from encaisse.ledger.models.imports import ImportStatus
from encaisse.ledger.models.invoice import OPEN_STATUSES
from encaisse.lib import bulk
from encaisse.lib.money import ZERO, round_money


def customers_visible_to(user: User) -> QuerySet[Customer]:
    owners = portfolio_owner_ids(user)
    customers = Customer.objects.all()
    if owners is None:
        return customers
    return customers.filter(account_manager_id__in=owners)


def _scoped(queryset: QuerySet, user: User) -> QuerySet:
    owners = portfolio_owner_ids(user)
    if owners is None:
        return queryset
    return queryset.filter(customer__account_manager_id__in=owners)


def invoices_visible_to(user: User) -> QuerySet[Invoice]:
    return _scoped(Invoice.objects.all(), user)


def payments_visible_to(user: User) -> QuerySet[Payment]:
    return _scoped(Payment.objects.all(), user)


def credit_notes_visible_to(user: User) -> QuerySet[CreditNote]:
    return _scoped(CreditNote.objects.all(), user)


def open_invoices(queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
    return queryset.filter(status__in=OPEN_STATUSES, balance__gt=0)


def overdue_invoices(queryset: QuerySet[Invoice], today: dt.date) -> QuerySet[Invoice]:
    return open_invoices(queryset).filter(due_date__lt=today)


OVERDUE_BUCKETS: dict[str, tuple[int, int | None]] = {
    "1-30": (1, 30),
    "31-60": (31, 60),
    "61-90": (61, 90),
    "90+": (91, None),
}


def in_overdue_bucket(
    queryset: QuerySet[Invoice], bucket: str, today: dt.date
) -> QuerySet[Invoice]:
    """Open invoices `low`..`high` days past due; "not_due" for those not yet due."""
    if bucket == "not_due":
        return open_invoices(queryset).filter(due_date__gte=today)
    low, high = OVERDUE_BUCKETS[bucket]
    result = open_invoices(queryset).filter(due_date__lte=today - dt.timedelta(days=low))
    if high is not None:
        result = result.filter(due_date__gte=today - dt.timedelta(days=high))
    return result


@dataclass(frozen=True)
class CustomerKpis:
    open_balance: Decimal
    overdue: Decimal
    overdue_count: int
    unallocated_payments: Decimal
    unallocated_credit_notes: Decimal
    average_days_late: Decimal | None

    @property
    def unallocated(self) -> Decimal:
        """Money the customer has already given or been credited, not yet matched."""
        return self.unallocated_payments + self.unallocated_credit_notes

    @property
    def net_balance(self) -> Decimal:
        """What the customer really owes once amounts on account are matched (< 0: in credit)."""
        return self.open_balance - self.unallocated


def customer_kpis(customer: Customer, today: dt.date) -> CustomerKpis:
    """Headline figures for the customer page.

    Average days late = Σ(amount × days late) / Σ amount over the invoices
    settled in the last 12 months (days late = settled date − due date, ≥ 0).
    """
    invoices = Invoice.objects.filter(customer=customer)
    overdue = overdue_invoices(invoices, today).aggregate(
        total=Coalesce(Sum("balance"), ZERO), count=Sum(1)
    )
    on_account = Coalesce(Sum(F("amount") - F("allocated")), ZERO)
    unallocated_payments = Payment.objects.filter(customer=customer).aggregate(total=on_account)
    unallocated_credits = CreditNote.objects.filter(customer=customer).aggregate(total=on_account)
    settled = invoices.filter(paid_on__isnull=False, paid_on__gte=today - dt.timedelta(days=365))
    weighted = Decimal(0)
    total = Decimal(0)
    for amount, due, paid in settled.values_list("amount", "due_date", "paid_on").iterator():
        assert paid is not None  # filtered above
        weighted += amount * max(0, (paid - due).days)
        total += amount
    average = (weighted / total).quantize(Decimal("0.1")) if total else None
    return CustomerKpis(
        open_balance=customer.open_balance,
        overdue=overdue["total"],
        overdue_count=overdue["count"] or 0,
        unallocated_payments=round_money(unallocated_payments["total"]),
        unallocated_credit_notes=round_money(unallocated_credits["total"]),
        average_days_late=average,
    )


def overdue_amounts_by_customer(customer_ids: list[int], today: dt.date) -> dict[int, Decimal]:
    """Overdue balance per customer for one page of a list (cheap: a page is small)."""
    rows = (
        overdue_invoices(Invoice.objects.filter(customer_id__in=customer_ids), today)
        .values("customer_id")
        .annotate(total=Sum("balance"))
    )
    return {row["customer_id"]: row["total"] for row in rows}


def first_customers_by_name(customer_ids: set[int], limit: int) -> list[Customer]:
    """The first `limit` of these customers in French name order.

    The ids may be tens of thousands (a preview day on a large ledger): their
    keys are read in chunks, sorted here, and only the first rows loaded.
    """
    keys = bulk.select_in(
        "SELECT id, name_key FROM ledger_customer WHERE id IN ({marks})", customer_ids
    )
    first = [pk for pk, _key in sorted(keys, key=lambda row: (row[1], row[0]))[:limit]]
    customers = Customer.objects.in_bulk(first)
    return [customers[pk] for pk in first]


def ledger_refreshed_at() -> dt.datetime | None:
    """When the ledger last received data: the latest applied import, or the
    latest payment recorded by hand (the freshness guard of SPEC §4.4).

    The newest payment is one index lookup (payment_created), whatever the
    size of the ledger; the import table holds one row per file imported.
    """
    moments = [
        ImportBatch.objects.filter(status=ImportStatus.APPLIED)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first(),
        Payment.objects.order_by("-created_at").values_list("created_at", flat=True).first(),
    ]
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else None


def allocations_visible_to(user: User) -> QuerySet[Allocation]:
    owners = portfolio_owner_ids(user)
    allocations = Allocation.objects.all()
    if owners is None:
        return allocations
    return allocations.filter(invoice__customer__account_manager_id__in=owners)


def cash_on_account_visible_to(
    user: User,
    *,
    kinds: tuple[str, ...] = ("payment", "credit_note"),
    customer_id: int | None = None,
    customer_name: str = "",
) -> QuerySet[Payment]:
    """Payments and credit notes with something left to apply, newest first.

    Rows are (kind, id, on) tuples, `kind` "payment" or "credit_note": one
    list for both, read from the partial indexes of what is not wholly allocated.
    """
    parts: list[QuerySet] = []
    for kind, queryset, day in (
        ("payment", payments_visible_to(user), "date"),
        ("credit_note", credit_notes_visible_to(user), "issue_date"),
    ):
        if kind not in kinds:
            continue
        queryset = queryset.filter(allocated__lt=F("amount"))
        if customer_id is not None:
            queryset = queryset.filter(customer_id=customer_id)
        if customer_name:
            queryset = queryset.filter(customer__name__icontains=customer_name)
        parts.append(
            queryset.annotate(kind=Value(kind, output_field=CharField()), on=F(day))
            .order_by()
            .values_list("kind", "id", "on")
        )
    if not parts:
        return Payment.objects.none()
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return rows.order_by("-on", "-id")


M = TypeVar("M", bound=Model)


def updated_since(
    queryset: QuerySet[M],
    *,
    since: dt.datetime | None = None,
    after: tuple[dt.datetime, int] | None = None,
) -> QuerySet[M]:
    """`queryset` (any ledger object, already scoped) in (updated_at, id) order: the rows
    updated at or after `since`, and strictly after the cursor `after` (the last row's
    (updated_at, id) of the previous page).

    A keyset page: the (updated_at, id) indexes give it with one range scan however deep
    the cursor (an OFFSET would read every row before the page). The redundant
    `updated_at >= moment` gives the planner the start of that range.
    """
    if since is not None:
        queryset = queryset.filter(updated_at__gte=since)
    if after is not None:
        moment, pk = after
        queryset = queryset.filter(
            Q(updated_at__gte=moment), Q(updated_at__gt=moment) | Q(updated_at=moment, id__gt=pk)
        )
    return queryset.order_by("updated_at", "id")
