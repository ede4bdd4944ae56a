"""The dispute panels of the invoice and customer pages (their own queries, scoped)."""

from __future__ import annotations

from typing import Any

from django import template

from encaisse.resolution.models import Dispute
from encaisse.resolution.selectors.disputes import disputes_visible_to
from encaisse.web.views.disputes import may_open
from encaisse.web.views.listing import today

register = template.Library()
RECENT = 5


@register.inclusion_tag("web/resolution/_invoice_disputes_panel.html", takes_context=True)
def invoice_disputes(context: dict[str, Any]) -> dict[str, Any]:
    """The invoice's open dispute (at most one), its closed ones, and the opening button."""
    invoice, user = context["invoice"], context["request"].user
    disputes = list(
        disputes_visible_to(user)
        .filter(lines__invoice=invoice)
        .select_related("reason", "owner")
        .order_by("-opened_at")[:RECENT]
    )
    current = next((d for d in disputes if d.is_open), None)
    return {
        "invoice": invoice,
        "current": current,
        "closed": [d for d in disputes if not d.is_open],
        "can_open": current is None and invoice.is_open and may_open(user, invoice.customer),
        "today": today(),
        "request": context["request"],
    }


@register.inclusion_tag("web/resolution/_customer_disputes_panel.html", takes_context=True)
def customer_disputes(context: dict[str, Any]) -> dict[str, Any]:
    customer, user = context["customer"], context["request"].user
    disputes: list[Dispute] = list(
        disputes_visible_to(user)
        .filter(customer=customer)
        .select_related("reason", "owner")
        .order_by("-opened_at")[:RECENT]
    )
    return {
        "customer": customer,
        "disputes": disputes,
        "can_open": may_open(user, customer),
        "today": today(),
        "request": context["request"],
    }
