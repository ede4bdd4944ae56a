"""The handover and write-off panel of the customer and invoice pages.

An inclusion tag, so that each page template gains one include line and its
view nothing: the panel reads what it shows through the scoped selectors.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Case, Value, When

from encaisse.resolution.models.handover import HandoverStatus
from encaisse.resolution.models.write_off import WriteOffStatus
from encaisse.resolution.selectors.handover import handover_figures, handovers_visible_to
from encaisse.resolution.selectors.write_off import write_offs_visible_to

register = template.Library()


@register.inclusion_tag("web/resolution/_handover_panel_body.html", takes_context=True)
def handover_panel(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    customer = context["customer"]
    invoice = context.get("invoice")
    handovers = handovers_visible_to(user).filter(customer=customer)
    write_offs = write_offs_visible_to(user).filter(customer=customer)
    if invoice is not None:
        handovers = handovers.filter(lines__invoice=invoice)
        write_offs = write_offs.filter(lines__invoice=invoice)
    # One query for the handovers (the active one first) and one for the write-offs.
    first_active = Case(When(status=HandoverStatus.ACTIVE, then=Value(0)), default=Value(1))
    latest = list(handovers.order_by(first_active, "-handed_on", "-id")[:4])
    active = next((h for h in latest if h.status == HandoverStatus.ACTIVE), None)
    return {
        "customer": customer,
        "invoice": invoice,
        "active": active,
        "figures": handover_figures(active) if active is not None else None,
        "past": [h for h in latest if h is not active][:3],
        "write_offs": list(write_offs.exclude(status=WriteOffStatus.REJECTED).distinct()[:5]),
        "may_act": user.can_edit_ledger,
        "is_open": invoice.is_open if invoice is not None else customer.open_balance > 0,
    }
