"""The instalment plan form: the shape only; the service checks the rules and its
`ValidationFailed` comes back as field errors through `refused`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from encaisse.ledger.models import Invoice
from encaisse.lib.errors import ValidationFailed
from encaisse.lib.money import format_money
from encaisse.resolution.models.payment_plans import PlanFrequency
from encaisse.resolution.services.payment_plans import MAX_GRACE_DAYS, MAX_INSTALMENTS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class InvoiceChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        language = get_language() or "fr"
        return _("%(number)s, due %(due)s, %(balance)s open") % {
            "number": obj.number,
            "due": date_format(obj.due_date, "SHORT_DATE_FORMAT"),
            "balance": format_money(obj.balance, obj.currency, language),
        }


class PlanForm(forms.Form):
    invoices = InvoiceChoice(
        label=gettext_lazy("Invoices"),
        queryset=Invoice.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    instalment_count = forms.IntegerField(
        label=gettext_lazy("Number of instalments"), min_value=1, max_value=MAX_INSTALMENTS
    )
    frequency = forms.ChoiceField(
        label=gettext_lazy("Frequency"), choices=PlanFrequency.choices, initial="monthly"
    )
    first_due_on = forms.DateField(label=gettext_lazy("First instalment on"), widget=DateInput())
    total = forms.DecimalField(
        label=gettext_lazy("Amount of the plan"),
        required=False,
        max_digits=18,
        decimal_places=2,
        min_value=0,
        help_text=gettext_lazy("Empty: the open balance of the invoices."),
    )
    deposit = forms.DecimalField(
        label=gettext_lazy("Deposit"), required=False, max_digits=18, decimal_places=2, min_value=0
    )
    deposit_due_on = forms.DateField(
        label=gettext_lazy("Deposit due on"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("Empty: today."),
    )
    grace_days = forms.IntegerField(
        label=gettext_lazy("Grace days"),
        required=False,
        min_value=0,
        max_value=MAX_GRACE_DAYS,
        help_text=gettext_lazy("Days after an instalment's date before the plan is in default."),
    )
    waive_penalties = forms.BooleanField(
        label=gettext_lazy("Waive the late penalties while the plan is kept"), required=False
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    activate = forms.BooleanField(
        label=gettext_lazy("Activate at once (no approval needed)"), required=False
    )

    def __init__(
        self, *args: Any, invoices: QuerySet[Invoice], may_activate: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["invoices"].queryset = invoices  # type: ignore[attr-defined]
        if not may_activate:
            del self.fields["activate"]

    def refused(self, error: ValidationFailed) -> None:
        for field, messages in error.errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
