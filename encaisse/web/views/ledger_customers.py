"""Customer list, customer page and customer CSV export."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from encaisse.collab.timeline import timeline_of_customer
from encaisse.dunning.services.explain import dunning_outlook
from encaisse.ledger.selectors import (
    credit_notes_visible_to,
    customer_kpis,
    customers_visible_to,
    invoices_visible_to,
    open_invoices,
    overdue_amounts_by_customer,
    payments_visible_to,
)
from encaisse.web import dunning_labels
from encaisse.web.filters import CustomerFilterForm
from encaisse.web.views.dunning_panels import customer_panel
from encaisse.web.views.listing import (
    amount,
    chunks,
    csv_response,
    paginate,
    render_list,
    today,
    viewer,
)
from encaisse.web.views.portal_links import portal_panel

OPEN_ROWS = 25  # the customer page shows what to chase; lists hold the rest
RECENT_ROWS = 8


@login_required
@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    on = today()
    form = CustomerFilterForm(request.GET, user=user)
    customers = form.apply(customers_visible_to(user).select_related("account_manager"), on)
    page = paginate(customers, request)
    overdue = overdue_amounts_by_customer([c.pk for c in page.items], on)
    rows = [(customer, overdue.get(customer.pk)) for customer in page.items]
    context = {"form": form, "page": page, "rows": rows, "today": on}
    return render_list(
        request, "web/ledger/customer_list.html", "web/ledger/_customer_results.html", context
    )


@login_required
@require_GET
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = viewer(request)
    customer = get_object_or_404(
        customers_visible_to(user).select_related("account_manager"), pk=pk
    )
    on = today()
    invoices = invoices_visible_to(user).filter(customer=customer)
    # Open invoices first (oldest due first), then the others (settled, written off or
    # cancelled), latest first.
    open_rows = list(open_invoices(invoices).order_by("due_date", "id")[:OPEN_ROWS])
    closed = invoices.exclude(pk__in=open_invoices(invoices).values("pk"))
    settled_rows = list(closed.order_by("-due_date", "-id")[:RECENT_ROWS])
    # Each open invoice's next step: the same decision as its invoice panel.
    outlooks = dunning_outlook(customer, open_rows, on=on)
    context: dict[str, Any] = {
        "customer": customer,
        "contacts": list(customer.contacts.all()),
        "kpis": customer_kpis(customer, on),
        "open_invoices": [
            (invoice, dunning_labels.outlook_next(outlooks[invoice.pk])) for invoice in open_rows
        ],
        "settled_invoices": settled_rows,
        "payments": list(
            payments_visible_to(user)
            .filter(customer=customer)
            .order_by("-date", "-id")[:RECENT_ROWS]
        ),
        "credit_notes": list(
            credit_notes_visible_to(user)
            .filter(customer=customer)
            .order_by("-issue_date", "-id")[:RECENT_ROWS]
        ),
        "timeline": timeline_of_customer(user, customer.pk, limit=30),
        "today": on,
        "open_rows": OPEN_ROWS,
        "recent_rows": RECENT_ROWS,
    }
    context |= customer_panel(customer, user)
    context |= portal_panel(customer, user)
    return render(request, "web/ledger/customer_detail.html", context)


@login_required
@require_GET
def customer_export(request: HttpRequest) -> StreamingHttpResponse:
    user = viewer(request)
    on = today()
    form = CustomerFilterForm(request.GET, user=user)
    customers = form.apply(customers_visible_to(user).select_related("account_manager"), on)
    header = [
        _("Name"),
        _("SIREN"),
        _("External key"),
        _("Account manager"),
        _("Status"),
        _("Currency"),
        _("Open balance"),
        _("Overdue"),
    ]

    def rows() -> Iterator[list[Any]]:
        for batch in chunks(customers):
            overdue = overdue_amounts_by_customer([c.pk for c in batch], on)
            for c in batch:
                manager = c.account_manager
                yield [
                    c.name,
                    c.siren,
                    c.external_key,
                    str(manager) if manager else "",
                    c.get_status_display(),
                    c.currency,
                    amount(c.open_balance, c.currency),
                    amount(overdue.get(c.pk), c.currency),
                ]

    return csv_response("customers", header, rows())
