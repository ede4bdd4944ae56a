"""The first-run screen: what the first dunning run would do, and finance's go.

Until finance confirms, the daily run does not start (dunning.services.go_live).
The page previews the run under the policy being chosen (htmx re-renders the
outline as the choice changes); confirming records the policy and starts
today's run. Afterwards the same page changes the go-live policy.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from encaisse.dunning.models import DunningSettings
from encaisse.dunning.scheduling import run_dunning_for
from encaisse.dunning.services.go_live import (
    FirstRunOutline,
    first_run_outline,
    go_live_policy_update,
    policy_candidate,
)
from encaisse.ledger.models import Customer, Invoice
from encaisse.lib import clock
from encaisse.lib.errors import ValidationFailed
from encaisse.web.forms.dunning_go_live import GoLiveForm
from encaisse.web.forms.errors import form_errors_add
from encaisse.web.views.access import finance_required
from encaisse.web.views.listing import is_htmx, viewer


@finance_required
def first_run(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    today = clock.today()
    policy = DunningSettings.current()
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = GoLiveForm(data, today=today, initial=GoLiveForm.initial_for(policy, today))
    if request.method == "POST" and form.is_valid():
        first = not policy.first_run_confirmed
        try:
            go_live_policy_update(
                actor=user,
                go_live_on=form.cleaned_data["go_live_on"],
                mode=form.cleaned_data["mode"],
                ceiling_offset=form.cleaned_data["ceiling_offset"],
            )
        except ValidationFailed as failed:
            form_errors_add(form, failed)
        else:
            if first:
                run_dunning_for.enqueue(today.isoformat())
                messages.success(
                    request, _("First run confirmed: today's dunning run has started.")
                )
            else:
                messages.success(request, _("Go-live policy saved: the next run applies it."))
            return redirect("dunning_today")
    context: dict[str, Any] = {"form": form, "policy": policy, "today": today}
    if data is None or form.is_valid():
        choice = form.cleaned_data if data is not None else form.initial
        candidate = policy_candidate(
            go_live_on=choice["go_live_on"],
            mode=choice["mode"],
            ceiling_offset=choice["ceiling_offset"],
        )
        context |= _outline_context(first_run_outline(candidate, on=today))
    template = (
        "web/dunning/_first_run_outline.html" if is_htmx(request) else "web/dunning/first_run.html"
    )
    return render(request, template, context)


def _outline_context(outline: FirstRunOutline) -> dict[str, Any]:
    """The outline with the customers and invoices it names, loaded in two queries."""
    customer_ids = {row.customer_id for row in outline.customers} | {
        item.customer_id for item in outline.oldest
    }
    customers = Customer.objects.only("name", "currency").in_bulk(customer_ids)
    invoices = Invoice.objects.only("number", "currency").in_bulk(
        [item.invoice_id for item in outline.oldest]
    )
    return {
        "outline": outline,
        "oldest": [
            (item, invoices[item.invoice_id], customers[item.customer_id])
            for item in outline.oldest
        ],
        "top_customers": [(row, customers[row.customer_id]) for row in outline.customers],
    }
