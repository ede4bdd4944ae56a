"""The promise, extension and hold panels, rendered where a page includes them."""

from __future__ import annotations

from typing import Any

from django import template

from encaisse.ledger.models import Customer, Invoice
from encaisse.web.views import promises_panels

register = template.Library()


@register.inclusion_tag("web/resolution/_promises_customer_panel.html", takes_context=True)
def promises_customer_panel(context: template.Context, customer: Customer) -> dict[str, Any]:
    request = context["request"]
    return {"request": request, "csrf_token": context.get("csrf_token")} | (
        promises_panels.customer_panel(request.user, customer)
    )


@register.inclusion_tag("web/resolution/_promises_invoice_panel.html", takes_context=True)
def promises_invoice_panel(context: template.Context, invoice: Invoice) -> dict[str, Any]:
    request = context["request"]
    return {"request": request, "csrf_token": context.get("csrf_token")} | (
        promises_panels.invoice_panel(request.user, invoice)
    )
