"""The instalment plan panels of the customer and invoice pages (scoped to the viewer),
so that the pages include them with one line and no change to their views."""

from __future__ import annotations

from typing import Any

from django import template

from encaisse.ledger.models import Customer, Invoice
from encaisse.resolution.models.payment_plans import LIVE_STATUSES
from encaisse.resolution.selectors.payment_plans import plans_of_customer, plans_of_invoice
from encaisse.web.views.payment_plans import may_propose

register = template.Library()
PANEL_ROWS = 5


@register.simple_tag(takes_context=True)
def customer_plans(context: dict[str, Any], customer: Customer) -> dict[str, Any]:
    user = context["request"].user
    plans = list(plans_of_customer(user, customer.pk).order_by("-created_at", "-id")[:PANEL_ROWS])
    return {"plans": plans, "may_propose": may_propose(user, customer)}


@register.simple_tag(takes_context=True)
def invoice_plans(context: dict[str, Any], invoice: Invoice) -> dict[str, Any]:
    user = context["request"].user
    plans = list(plans_of_invoice(user, invoice.pk).order_by("-created_at", "-id")[:PANEL_ROWS])
    return {
        "plans": plans,
        "live": any(plan.status in LIVE_STATUSES for plan in plans),
        "may_propose": invoice.is_open and may_propose(user, invoice.customer),
    }
