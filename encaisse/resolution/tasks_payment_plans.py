"""Background work of instalment plans (django-tasks): follow them when cash moves, and daily."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from encaisse.ledger.hooks import on_cash_moved
from encaisse.resolution.daily import daily_job
from encaisse.resolution.models.payment_plans import PaymentPlan, PlanStatus
from encaisse.resolution.services.instalment_reminders import instalment_reminders_queue
from encaisse.resolution.services.payment_plan_progress import payment_plans_check


@task()
def check_payment_plans_of(customer_ids: list[int]) -> int:
    """Bring these customers' active plans up to date (a payment just arrived)."""
    return payment_plans_check(customer_ids=customer_ids)


@daily_job("payment_plans")
def check_payment_plans(day: dt.date) -> int:
    """The daily job of instalment plans: missed instalments, then the instalment
    reminders of the plans still active."""
    checked = payment_plans_check(on=day)
    instalment_reminders_queue(on=day)
    return checked


@on_cash_moved
def _cash_moved(customer_ids: frozenset[int]) -> None:
    """Enqueue a check for the customers that have an active plan (most have none)."""
    with_plans = sorted(
        PaymentPlan.objects.filter(status=PlanStatus.ACTIVE, customer_id__in=customer_ids)
        .values_list("customer_id", flat=True)
        .distinct()
    )
    if with_plans:
        check_payment_plans_of.enqueue(with_plans)
