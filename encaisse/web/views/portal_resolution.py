"""The customer's own resolution actions on the portal (docs/portal.md): declare a
dispute, promise a payment date, ask for a due-date extension.

Each is one registered action (`web.portal_actions`): a form bound to the link's
customer only (its invoice choices are that customer's open invoices, so another
customer's invoice is refused as an invalid choice), the existing service called
with the portal source and no actor (the timeline reads "The customer"), and a
confirmation page. A refused form writes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language, gettext_lazy

from encaisse.ledger.models import Company, Invoice
from encaisse.lib.errors import ValidationFailed
from encaisse.lib.money import format_money
from encaisse.resolution.models import (
    DisputeReason,
    DisputeSource,
    Extension,
    ExtensionStatus,
    Promise,
    PromiseSource,
    PromiseStatus,
)
from encaisse.resolution.models.disputes import DisputeLine
from encaisse.resolution.selectors.portal import portal_invoices
from encaisse.resolution.services.dispute_files import attachment_check, dispute_attachment_add
from encaisse.resolution.services.disputes import DESCRIPTION_MAX, Disputed, dispute_open
from encaisse.resolution.services.extensions import extension_request
from encaisse.resolution.services.promises import promise_make
from encaisse.web.forms.errors import form_errors_add
from encaisse.web.portal_actions import portal_action
from encaisse.web.views.portal import PortalVisit


def _money(amount: Decimal, currency: str) -> str:
    return format_money(amount, currency, (get_language() or "fr")[:2])


class InvoiceChoice(forms.ModelChoiceField):
    """One of the customer's open invoices, shown by number, balance and due date."""

    def label_from_instance(self, obj: Any) -> str:
        invoice: Invoice = obj
        return f"{invoice.number} — {_money(invoice.balance, invoice.currency)}"


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )


def _undisputed(visit: PortalVisit) -> QuerySet[Invoice]:
    disputed = DisputeLine.objects.filter(is_open=True).values("invoice_id")
    return portal_invoices(visit.customer).exclude(pk__in=disputed)


def _open_promise(visit: PortalVisit) -> bool:
    return Promise.objects.filter(customer=visit.customer, status=PromiseStatus.OPEN).exists()


def _extendable(visit: PortalVisit) -> QuerySet[Invoice]:
    pending = Extension.objects.filter(status=ExtensionStatus.PENDING).values("invoice_id")
    return portal_invoices(visit.customer).exclude(pk__in=pending)


def _render(
    request: HttpRequest, template: str, visit: PortalVisit, **context: Any
) -> HttpResponse:
    return render(request, template, {"visit": visit, "company": Company.current(), **context})


# Declare a dispute ---------------------------------------------------------------


class PortalDisputeForm(forms.Form):
    invoice = InvoiceChoice(queryset=Invoice.objects.none(), label=gettext_lazy("Invoice"))
    reason = forms.ModelChoiceField(
        queryset=DisputeReason.objects.none(), label=gettext_lazy("What is wrong?")
    )
    message = forms.CharField(
        label=gettext_lazy("Your message"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=DESCRIPTION_MAX,
    )
    file = forms.FileField(label=gettext_lazy("A document (optional)"), required=False)

    def __init__(self, *args: Any, visit: PortalVisit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        invoice_field: Any = self.fields["invoice"]
        invoice_field.queryset = _undisputed(visit)
        reason_field: Any = self.fields["reason"]
        reason_field.queryset = DisputeReason.objects.filter(active=True).order_by("pk")

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload:
            try:
                attachment_check(upload)
            except ValidationFailed as failed:
                raise forms.ValidationError(
                    [str(m) for messages in failed.errors.values() for m in messages]
                ) from None
        return upload


def _can_dispute(visit: PortalVisit) -> bool:
    return _undisputed(visit).exists() and DisputeReason.objects.filter(active=True).exists()


@portal_action(
    "dispute",
    gettext_lazy("Dispute an invoice"),
    gettext_lazy("A wrong amount, goods not received, a missing order number…"),
    available=_can_dispute,
)
def dispute_action(request: HttpRequest, visit: PortalVisit) -> HttpResponse:
    form = PortalDisputeForm(request.POST or None, request.FILES or None, visit=visit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                dispute = dispute_open(
                    actor=None,
                    customer=visit.customer,
                    reason=data["reason"],
                    lines=[Disputed(invoice=data["invoice"])],
                    description=data["message"],
                    source=DisputeSource.PORTAL,
                )
                if data.get("file"):
                    dispute_attachment_add(actor=None, dispute=dispute, upload=data["file"])
        except ValidationFailed as failed:
            form_errors_add(form, failed, rename={"invoices": "invoice", "description": "message"})
        else:
            return _render(
                request,
                "web/portal/dispute.html",
                visit,
                done=True,
                invoice=data["invoice"],
                dispute=dispute,
            )
    return _render(request, "web/portal/dispute.html", visit, form=form)


# Promise a payment date ------------------------------------------------------------


class PortalPromiseForm(forms.Form):
    promised_on = _date_field(gettext_lazy("I will pay on"))
    amount = forms.DecimalField(
        label=gettext_lazy("Amount"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )

    def __init__(self, *args: Any, visit: PortalVisit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.visit = visit

    def clean_promised_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["promised_on"]
        if value < self.visit.on:
            raise forms.ValidationError(gettext_lazy("Choose today or a later date."))
        return value

    def clean_amount(self) -> Decimal:
        value: Decimal = self.cleaned_data["amount"]
        balance = self.visit.customer.open_balance
        if value <= 0:
            raise forms.ValidationError(gettext_lazy("The amount must be greater than zero."))
        if value > balance:
            raise forms.ValidationError(
                gettext_lazy("At most what you owe: %(balance)s.")
                % {"balance": _money(balance, self.visit.customer.currency)}
            )
        return value


def _can_promise(visit: PortalVisit) -> bool:
    return portal_invoices(visit.customer).exists() and not _open_promise(visit)


@portal_action(
    "promise",
    gettext_lazy("Promise a payment date"),
    gettext_lazy("Tell us when you will pay: we pause our reminders until then."),
    available=_can_promise,
)
def promise_action(request: HttpRequest, visit: PortalVisit) -> HttpResponse:
    initial = {"amount": visit.customer.open_balance, "promised_on": visit.on}
    form = PortalPromiseForm(request.POST or None, initial=initial, visit=visit)
    if request.method == "POST" and form.is_valid():
        try:
            promise = promise_make(
                actor=None,
                customer=visit.customer,
                amount=form.cleaned_data["amount"],
                promised_on=form.cleaned_data["promised_on"],
                source=PromiseSource.PORTAL,
            )
        except ValidationFailed as failed:
            if "" in failed.errors:  # another promise was recorded meanwhile
                failed.errors[""] = [str(ALREADY_PROMISED)]
            form_errors_add(form, failed)
        else:
            return _render(request, "web/portal/promise.html", visit, done=True, promise=promise)
    return _render(request, "web/portal/promise.html", visit, form=form)


ALREADY_PROMISED = gettext_lazy(
    "You already promised a payment: we are waiting for it before another promise."
)


# Request a due-date extension ----------------------------------------------------


class PortalExtensionForm(forms.Form):
    invoice = InvoiceChoice(queryset=Invoice.objects.none(), label=gettext_lazy("Invoice"))
    due_on = _date_field(gettext_lazy("New due date"))
    reason = forms.CharField(
        label=gettext_lazy("Why do you need more time?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=500,
    )

    def __init__(self, *args: Any, visit: PortalVisit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        invoice_field: Any = self.fields["invoice"]
        invoice_field.queryset = _extendable(visit)


@portal_action(
    "extension",
    gettext_lazy("Ask for more time"),
    gettext_lazy("Ask to move an invoice's due date; our finance team will answer."),
    available=lambda visit: _extendable(visit).exists(),
)
def extension_action(request: HttpRequest, visit: PortalVisit) -> HttpResponse:
    form = PortalExtensionForm(request.POST or None, visit=visit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            extension = extension_request(
                actor=None,
                invoice=data["invoice"],
                due_on=data["due_on"],
                reason=data["reason"],
                source=PromiseSource.PORTAL,
            )
        except ValidationFailed as failed:
            form_errors_add(form, failed, rename={"invoice_id": "invoice"})
        else:
            return _render(
                request, "web/portal/extension.html", visit, done=True, extension=extension
            )
    return _render(request, "web/portal/extension.html", visit, form=form)
