"""Forms of handovers, agencies and write-offs: they check what the browser sent
parses; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from encaisse.ledger.models import Invoice
from encaisse.resolution.models.handover import CollectionAgency, HandoverKind
from encaisse.resolution.models.write_off import WriteOffReason
from encaisse.web.forms.dunning_reminders import OpenInvoiceChoices


class HandoverForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Hand over to"),
        choices=HandoverKind.choices,
        initial=HandoverKind.AGENCY,
        widget=forms.RadioSelect,
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=CollectionAgency.objects.none(), required=False
    )
    whole_account = forms.BooleanField(
        label=_("The whole account (every open invoice)"), required=False, initial=True
    )
    invoices = OpenInvoiceChoices(
        label=_("Or only these invoices"),
        queryset=Invoice.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    handed_on = forms.DateField(
        label=_("Handed over on"),
        required=False,
        help_text=_("Empty: today."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    fee_percent = forms.DecimalField(
        label=_("Fee (percent of the amount recovered)"),
        required=False,
        max_digits=5,
        decimal_places=2,
        help_text=_("Empty: the agency's usual terms."),
    )
    fixed_fee = forms.DecimalField(
        label=_("Fixed fee"), required=False, max_digits=18, decimal_places=2
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, open_invoices: QuerySet[Invoice], **kwargs: Any) -> None:
        # Loaded into the customer page beside other panels' forms: ids of its own.
        kwargs.setdefault("auto_id", "handover-%s")
        super().__init__(*args, **kwargs)
        self.fields["invoices"].queryset = open_invoices  # type: ignore[attr-defined]
        self.fields["agency"].queryset = CollectionAgency.objects.filter(active=True)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("whole_account") and not data.get("invoices"):
            self.add_error("invoices", _("Choose the invoices, or the whole account."))
        return data


class EndForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=500)


class AgencyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    fee_percent = forms.DecimalField(
        label=_("Fee (percent of the amount recovered)"),
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
    )
    fixed_fee = forms.DecimalField(
        label=_("Fixed fee"), required=False, max_digits=18, decimal_places=2, min_value=0
    )
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class WriteOffForm(forms.Form):
    invoices = OpenInvoiceChoices(
        label=_("Invoices to write off (their whole open balance)"),
        queryset=Invoice.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one open invoice.")},
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=WriteOffReason.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, open_invoices: QuerySet[Invoice], **kwargs: Any) -> None:
        # Loaded into the customer page beside other panels' forms: ids of its own.
        kwargs.setdefault("auto_id", "write-off-%s")
        super().__init__(*args, **kwargs)
        self.fields["invoices"].queryset = open_invoices  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=500)


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Why reverse it"), max_length=500)


class ThresholdForm(forms.Form):
    approval_threshold = forms.DecimalField(
        label=_("Approval threshold"),
        max_digits=18,
        decimal_places=2,
        min_value=0,
        help_text=_("Write-offs above this amount need an administrator's approval."),
    )
