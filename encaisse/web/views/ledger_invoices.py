"""Invoice list, invoice page and invoice CSV export."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from encaisse.collab.timeline import timeline_of_invoice
from encaisse.ledger.selectors import invoices_visible_to
from encaisse.web.filters import InvoiceFilterForm
from encaisse.web.views.dunning_panels import invoice_panel
from encaisse.web.views.listing import (
    amount,
    chunks,
    csv_response,
    paginate,
    render_list,
    today,
    viewer,
    visible_customer,
)


@login_required
@require_GET
def invoice_list(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    on = today()
    form = InvoiceFilterForm(request.GET, user=user)
    customer = visible_customer(request, form.value("customer"))
    # Prefetch, not a join: joining customers before the sort makes PostgreSQL
    # hash-join the whole ledger; one more query fetches the page's customers.
    invoices = form.apply(invoices_visible_to(user).prefetch_related("customer"), on)
    page = paginate(invoices, request)
    context = {"form": form, "page": page, "customer": customer, "today": on}
    return render_list(
        request, "web/ledger/invoice_list.html", "web/ledger/_invoice_results.html", context
    )


@login_required
@require_GET
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = viewer(request)
    on = today()
    invoice = get_object_or_404(
        invoices_visible_to(user).select_related("customer", "customer__account_manager"), pk=pk
    )
    allocations = invoice.allocations.select_related("payment", "credit_note", "reversal").order_by(
        "created_at", "id"
    )
    context: dict[str, Any] = {
        "invoice": invoice,
        "customer": invoice.customer,
        "allocations": list(allocations),
        "timeline": timeline_of_invoice(user, invoice.pk),
        "today": on,
        "days_late": invoice.days_late(on),
    }
    context |= invoice_panel(invoice, on)
    return render(request, "web/ledger/invoice_detail.html", context)


@login_required
@require_GET
def invoice_export(request: HttpRequest) -> StreamingHttpResponse:
    user = viewer(request)
    on = today()
    form = InvoiceFilterForm(request.GET, user=user)
    visible_customer(request, form.value("customer"))
    invoices = form.apply(invoices_visible_to(user).select_related("customer"), on)
    header = [
        _("Number"),
        _("Customer"),
        _("Customer key"),
        _("Issue date"),
        _("Due date"),
        _("Currency"),
        _("Amount incl. tax"),
        _("Open balance"),
        _("Status"),
        _("Days late"),
    ]

    def rows() -> Iterator[list[Any]]:
        for batch in chunks(invoices):
            for i in batch:
                yield [
                    i.number,
                    i.customer.name,
                    i.customer.external_key,
                    i.issue_date,
                    i.due_date,
                    i.currency,
                    amount(i.amount, i.currency),
                    amount(i.balance, i.currency),
                    i.get_status_display(),
                    i.days_late(on),
                ]

    return csv_response("invoices", header, rows())
