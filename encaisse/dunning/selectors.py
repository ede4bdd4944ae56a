"""Dunning reads, always scoped to the viewer through the ledger's `customers_visible_to`.

A sales rep sees the messages, tasks and previews of his portfolio only; finance
sees everything. Views never start from `DunningMessage.objects`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from encaisse.accounts.models import User
from encaisse.accounts.selectors import portfolio_owner_ids
from encaisse.collab.models import Task
from encaisse.dunning.engine.group import Group
from encaisse.dunning.models import (
    CustomerDunning,
    DeliveryAttempt,
    DunningAction,
    DunningMessage,
    DunningPlan,
    DunningRun,
    Hold,
    MessageState,
)
from encaisse.ledger.models import Customer
from encaisse.ledger.selectors import customers_visible_to, invoices_visible_to, overdue_invoices
from encaisse.lib.text import in_french_order


def messages_visible_to(user: User) -> QuerySet[DunningMessage]:
    """The messages of the customers `user` may see."""
    messages = DunningMessage.objects.all()
    if user.sees_whole_ledger:
        return messages
    return messages.filter(customer__in=customers_visible_to(user))


@dataclass(frozen=True, slots=True)
class MessageInvoice:
    invoice_id: int
    number: str
    balance: Decimal  # the open balance when the step was decided
    status: str  # the action's status: planned, done, dropped…


@dataclass(slots=True)
class MessageRow:
    """A message with the invoices it chases (from its actions)."""

    message: DunningMessage
    invoices: list[MessageInvoice] = field(default_factory=list)
    attempts: list[DeliveryAttempt] = field(default_factory=list)  # filled on demand

    @property
    def total(self) -> Decimal:
        """What was sent (set at delivery), else the balances at decision."""
        if self.message.total is not None:
            return self.message.total
        return sum((line.balance for line in self.invoices), Decimal("0"))

    @property
    def currency(self) -> str:
        return self.message.customer.currency


def message_rows(messages: QuerySet[DunningMessage] | list[DunningMessage]) -> list[MessageRow]:
    """Attach each message's invoices in one query."""
    rows = [MessageRow(message) for message in messages]
    by_id = {row.message.pk: row for row in rows}
    if not by_id:
        return rows
    actions = (
        DunningAction.objects.filter(message_id__in=list(by_id))
        .order_by("invoice__due_date", "invoice__number")
        .values_list("message_id", "invoice_id", "invoice__number", "balance", "status")
    )
    for message_id, invoice_id, number, balance, status in actions:
        by_id[message_id].invoices.append(MessageInvoice(invoice_id, number, balance, status))
    return rows


def _with_people(messages: QuerySet[DunningMessage]) -> QuerySet[DunningMessage]:
    return messages.select_related("customer", "created_by", "reviewed_by", "gap_overridden_by")


@dataclass(slots=True)
class CustomerDay:
    customer: Customer
    messages: list[MessageRow]


def day_groups(user: User, on: dt.date, customers: list[Customer]) -> list[CustomerDay]:
    """The messages decided on `on` for `customers` (one page of them), per customer."""
    messages = _with_people(
        messages_visible_to(user).filter(decided_on=on, customer__in=customers)
    ).order_by("customer_id", "id")
    by_customer: dict[int, list[MessageRow]] = defaultdict(list)
    for row in message_rows(messages):
        by_customer[row.message.customer_id].append(row)
    return [CustomerDay(c, by_customer[c.pk]) for c in customers if c.pk in by_customer]


def day_customers(user: User, on: dt.date) -> QuerySet[Customer]:
    """Customers with a message decided on `on`, by name (to paginate the day's page)."""
    ids = DunningMessage.objects.filter(decided_on=on).values("customer_id")
    return customers_visible_to(user).filter(pk__in=ids).order_by("name_key", "pk")


def day_counts(user: User, on: dt.date) -> dict[str, int]:
    """Messages decided on `on`, per state."""
    rows = messages_visible_to(user).filter(decided_on=on).values("state").annotate(n=Count("pk"))
    return {row["state"]: row["n"] for row in rows.order_by()}


def review_queue(user: User) -> QuerySet[DunningMessage]:
    """Messages waiting for finance's approval, oldest first."""
    return _with_people(messages_visible_to(user).filter(state=MessageState.TO_REVIEW)).order_by(
        "decided_on", "id"
    )


def failures(user: User) -> QuerySet[DunningMessage]:
    """Messages whose delivery failed for good, latest first."""
    return _with_people(messages_visible_to(user).filter(state=MessageState.FAILED)).order_by(
        "-decided_on", "-id"
    )


def customer_messages(customer: Customer) -> QuerySet[DunningMessage]:
    """A customer's reminder history (the caller has checked the customer is visible)."""
    return _with_people(DunningMessage.objects.filter(customer=customer)).order_by(
        "-decided_on", "-id"
    )


def message_attempts(message: DunningMessage) -> QuerySet[DeliveryAttempt]:
    return DeliveryAttempt.objects.filter(message=message).order_by("number")


def tasks_created_on(user: User, on: dt.date) -> QuerySet[Task]:
    """Tasks created on `on` (calls, letters to post, contacts to fix…), scoped.

    Tasks about no customer (the stale-ledger alert) are finance's.
    """
    start = timezone.make_aware(dt.datetime.combine(on, dt.time.min))
    tasks = Task.objects.filter(created_at__gte=start, created_at__lt=start + dt.timedelta(days=1))
    if user.sees_whole_ledger:
        scoped = tasks
    else:
        scoped = tasks.filter(customer__in=customers_visible_to(user))
    return scoped.select_related("customer", "assignee").order_by("kind", "id")


def recent_runs(limit: int = 7) -> list[DunningRun]:
    return list(DunningRun.objects.order_by("-run_on")[:limit])


def most_overdue_customers(user: User, on: dt.date, *, limit: int = 50) -> list[Customer]:
    """The visible customers owing the most overdue money, largest first."""
    rows = (
        overdue_invoices(invoices_visible_to(user), on)
        .values("customer_id")
        .annotate(total=Sum("balance"))
        .order_by("-total", "customer_id")[:limit]
    )
    ids = [row["customer_id"] for row in rows]
    customers = customers_visible_to(user).in_bulk(ids)
    return [customers[pk] for pk in ids if pk in customers]


def visible_groups(user: User, groups: list[Group]) -> list[Group]:
    """A preview's groups limited to the customers `user` may see."""
    if user.sees_whole_ledger:
        return groups
    ids = {g.customer_id for g in groups}
    visible = set(customers_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    return [g for g in groups if g.customer_id in visible]


@dataclass(frozen=True, slots=True)
class PlanSummary:
    plan: DunningPlan
    steps: int
    overrides: int


def plans_overview() -> list[PlanSummary]:
    """Every plan with its number of steps and of customers assigned to it by override."""
    overrides = dict(
        CustomerDunning.objects.filter(plan__isnull=False)
        .values("plan_id")
        .annotate(n=Count("pk"))
        .values_list("plan_id", "n")
        .order_by()
    )
    plans = in_french_order(
        DunningPlan.objects.annotate(step_count=Count("steps")), key=lambda plan: plan.name
    )
    plans.sort(key=lambda plan: not plan.is_default)  # the default first (a stable sort)
    return [PlanSummary(p, p.step_count, overrides.get(p.pk, 0)) for p in plans]


@dataclass(frozen=True, slots=True)
class CustomerPlan:
    """Which plan a customer follows, and why, with its last contact (one query each)."""

    plan: DunningPlan | None
    is_override: bool
    last_contact_on: dt.date | None
    plans: list[DunningPlan]  # every plan, for a chooser


def customer_plan(customer: Customer) -> CustomerPlan:
    """The customer's own plan, else the rule of `PlanBook.plan_for` (first plan by
    name listing its risk class, else the default), in two queries."""
    facts = CustomerDunning.objects.filter(customer=customer).select_related("plan").first()
    plans = list(DunningPlan.objects.order_by("name"))
    last = facts.last_contact_on if facts else None
    if facts is not None and facts.plan is not None:
        return CustomerPlan(facts.plan, True, last, plans)
    risk = customer.risk_class.upper()
    by_class = next((p for p in plans if risk and risk in p.risk_class_list), None)
    default = next((p for p in plans if p.is_default), None)
    return CustomerPlan(by_class or default, False, last, plans)


def overridden_customers(plan: DunningPlan, user: User, limit: int = 50) -> list[Customer]:
    """Customers assigned to `plan` by override (visible ones), by name."""
    return list(
        customers_visible_to(user)
        .filter(Q(dunning__plan=plan))
        .select_related("account_manager")
        .order_by("name_key", "pk")[:limit]
    )


def holds_visible_to(user: User) -> QuerySet[Hold]:
    """The holds on the customers `user` may see (a rep: his portfolio only), latest first."""
    holds = Hold.objects.select_related("customer", "invoice", "created_by", "released_by")
    owners = portfolio_owner_ids(user)
    if owners is not None:
        holds = holds.filter(customer__account_manager_id__in=owners)
    return holds.order_by("-starts_on", "-id")


def customer_messages_visible(user: User, customer_id: int) -> QuerySet[DunningMessage]:
    """One customer's messages, latest first; empty when `user` may not see the customer."""
    return _with_people(messages_visible_to(user).filter(customer_id=customer_id)).order_by(
        "-decided_on", "-id"
    )


def messages_with_attempts(
    messages: QuerySet[DunningMessage] | list[DunningMessage],
) -> list[MessageRow]:
    """Each message with its invoices and its delivery attempts (two more queries)."""
    rows = message_rows(messages)
    by_id = {row.message.pk: row for row in rows}
    if by_id:
        attempts = DeliveryAttempt.objects.filter(message_id__in=list(by_id)).order_by(
            "message_id", "number"
        )
        for attempt in attempts:
            by_id[attempt.message_id].attempts.append(attempt)
    return rows


def messages_of_customer(user: User, customer: Customer, *, limit: int = 50) -> list[MessageRow]:
    """A customer's reminders with what each attempt to deliver them gave, scoped to `user`."""
    return messages_with_attempts(list(customer_messages_visible(user, customer.pk)[:limit]))
