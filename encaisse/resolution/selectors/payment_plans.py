"""Reading instalment plans, always through the viewer's portfolio (SPEC §1.5)."""

from __future__ import annotations

from django.db.models import QuerySet

from encaisse.accounts.models import User
from encaisse.ledger.selectors import customers_visible_to
from encaisse.resolution.models.payment_plans import PaymentPlan, PlanStatus
from encaisse.resolution.services.payment_plans import can_decide

# The list page's tabs: what each shows.
VIEWS = {
    "active": (PlanStatus.ACTIVE,),
    "defaulted": (PlanStatus.DEFAULTED,),
    "proposed": (PlanStatus.PROPOSED,),
    "ended": (PlanStatus.COMPLETED, PlanStatus.CANCELLED, PlanStatus.REFUSED),
}


def plans_visible_to(user: User) -> QuerySet[PaymentPlan]:
    """The plans of the customers `user` may see, with what their rows show."""
    return (
        PaymentPlan.objects.filter(customer__in=customers_visible_to(user))
        .select_related("customer", "proposed_by", "approved_by")
        .prefetch_related("instalments", "covered__invoice")
    )


def plans_pending_for(user: User) -> QuerySet[PaymentPlan]:
    """The proposed plans waiting for `user`'s decision: finance's approvals queue
    (nothing for those who may not decide)."""
    if not can_decide(user):
        return PaymentPlan.objects.none()
    return plans_visible_to(user).filter(status=PlanStatus.PROPOSED).order_by("created_at", "id")


def plans_waiting(user: User) -> QuerySet[PaymentPlan]:
    """Proposed plans `user` may see, oldest first (the approvals queue: a rep sees
    his customers' proposals wait; `can_decide` says who gets the buttons)."""
    return (
        plans_visible_to(user)
        .filter(status=PlanStatus.PROPOSED)
        .select_related("customer", "proposed_by")
        .prefetch_related("covered__invoice")
        .order_by("created_at", "id")
    )


def plans_of_customer(user: User, customer_id: int) -> QuerySet[PaymentPlan]:
    return plans_visible_to(user).filter(customer_id=customer_id)


def plans_of_invoice(user: User, invoice_id: int) -> QuerySet[PaymentPlan]:
    return plans_visible_to(user).filter(covered__invoice_id=invoice_id)
