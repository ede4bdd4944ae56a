"""Payment list and payment CSV export."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from encaisse.ledger.selectors import payments_visible_to
from encaisse.web.filters import PaymentFilterForm
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
def payment_list(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    form = PaymentFilterForm(request.GET, user=user)
    customer = visible_customer(request, form.value("customer"))
    # Prefetch, not a join: joining customers before the sort makes PostgreSQL
    # hash-join the whole ledger; one more query fetches the page's customers.
    payments = form.apply(payments_visible_to(user).prefetch_related("customer"), today())
    page = paginate(payments, request)
    context = {"form": form, "page": page, "customer": customer}
    return render_list(
        request, "web/ledger/payment_list.html", "web/ledger/_payment_results.html", context
    )


@login_required
@require_GET
def payment_export(request: HttpRequest) -> StreamingHttpResponse:
    user = viewer(request)
    form = PaymentFilterForm(request.GET, user=user)
    visible_customer(request, form.value("customer"))
    payments = form.apply(payments_visible_to(user).select_related("customer"), today())
    header = [
        _("Date"),
        _("Customer"),
        _("Customer key"),
        _("External key"),
        _("Method"),
        _("Bank reference"),
        _("Currency"),
        _("Amount"),
        _("Allocated"),
        _("On account"),
    ]

    def rows() -> Iterator[list[Any]]:
        for batch in chunks(payments):
            for p in batch:
                yield [
                    p.date,
                    p.customer.name,
                    p.customer.external_key,
                    p.external_key,
                    p.get_method_display(),
                    p.bank_reference,
                    p.currency,
                    amount(p.amount, p.currency),
                    amount(p.allocated, p.currency),
                    amount(p.unallocated, p.currency),
                ]

    return csv_response("payments", header, rows())
