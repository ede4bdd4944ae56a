"""The customer asks for an instalment plan from the portal (docs/portal.md).

One registered action: the customer picks some of his open invoices that are in
no live plan, a number of instalments, their frequency and the first date; the
schedule is proposed through `plan_propose` with the portal source and no actor,
and waits for finance's approval in the approvals queue. A refused form writes
nothing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy

from encaisse.ledger.models import Invoice
from encaisse.lib.errors import ValidationFailed
from encaisse.resolution.models.payment_plans import (
    PlanFrequency,
    PlanInvoice,
    PlanSource,
    PlanStatus,
)
from encaisse.resolution.selectors.portal import portal_invoices
from encaisse.resolution.services.payment_plans import plan_propose
from encaisse.web.forms.errors import form_errors_add
from encaisse.web.portal_actions import portal_action
from encaisse.web.views.portal import PortalVisit
from encaisse.web.views.portal_resolution import InvoiceChoice, _date_field, _render

# A customer asks for a few instalments; a longer plan is negotiated with finance.
MAX_PORTAL_INSTALMENTS = 12


class InvoicesChoice(forms.ModelMultipleChoiceField):
    label_from_instance = InvoiceChoice.label_from_instance


def _plannable(visit: PortalVisit) -> QuerySet[Invoice]:
    live = PlanInvoice.objects.filter(
        plan__status__in=[PlanStatus.PROPOSED, PlanStatus.ACTIVE]
    ).values("invoice_id")
    return portal_invoices(visit.customer).exclude(pk__in=live)


class PortalPlanForm(forms.Form):
    invoices = InvoicesChoice(
        queryset=Invoice.objects.none(),
        label=gettext_lazy("Invoices"),
        widget=forms.CheckboxSelectMultiple,
    )
    instalment_count = forms.TypedChoiceField(
        label=gettext_lazy("Number of instalments"),
        choices=[(n, str(n)) for n in range(2, MAX_PORTAL_INSTALMENTS + 1)],
        coerce=int,
        initial=3,
    )
    frequency = forms.ChoiceField(
        label=gettext_lazy("Frequency"), choices=PlanFrequency.choices, initial="monthly"
    )
    first_due_on = _date_field(gettext_lazy("First instalment on"))
    note = forms.CharField(
        label=gettext_lazy("Your message (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        required=False,
    )

    def __init__(self, *args: Any, visit: PortalVisit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        invoices: Any = self.fields["invoices"]
        invoices.queryset = _plannable(visit)


@portal_action(
    "plan",
    gettext_lazy("Ask for an instalment plan"),
    gettext_lazy("Spread the payment of your invoices; our finance team will answer."),
    available=lambda visit: _plannable(visit).exists(),
)
def plan_action(request: HttpRequest, visit: PortalVisit) -> HttpResponse:
    form = PortalPlanForm(request.POST or None, visit=visit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = plan_propose(
                actor=None,
                customer=visit.customer,
                invoices=list(data["invoices"]),
                instalment_count=data["instalment_count"],
                frequency=data["frequency"],
                first_due_on=data["first_due_on"],
                note=data["note"],
                source=PlanSource.PORTAL,
            )
        except ValidationFailed as failed:
            form_errors_add(form, failed)
        else:
            return _render(request, "web/portal/plan.html", visit, done=True, plan=plan)
    return _render(request, "web/portal/plan.html", visit, form=form)
