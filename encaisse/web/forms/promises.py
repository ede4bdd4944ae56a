"""The small forms of the promise, extension and hold panels.

They only parse what the browser sent; the rules (date not in the past,
amount within the balance, one open promise…) are the services'.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from encaisse.dunning.models import HoldReason
from encaisse.ledger.models import Invoice
from encaisse.web.forms.dunning_reminders import OpenInvoiceChoices


def _date(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class PromiseForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount promised"), max_digits=18, decimal_places=2)
    promised_on = _date(_("Promised payment date"))
    invoices = OpenInvoiceChoices(
        label=_("Invoices concerned (optional)"),
        queryset=Invoice.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Note"), max_length=250, required=False)

    def __init__(self, *args: Any, open_invoices: QuerySet[Invoice], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "promise-%s")  # beside the hold form on one page
        super().__init__(*args, **kwargs)
        field: Any = self.fields["invoices"]
        field.queryset = open_invoices


class ExtensionForm(forms.Form):
    due_on = _date(_("New due date"))
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "extension-%s")  # ids of its own on a page of panels
        super().__init__(*args, **kwargs)


class DecisionForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)


# What a person places by hand; disputes, promises and plans place their own.
MANUAL_REASONS = [
    (HoldReason.CUSTOMER_HOLD.value, HoldReason.CUSTOMER_HOLD.label),
    (HoldReason.INSOLVENCY.value, HoldReason.INSOLVENCY.label),
    (HoldReason.OTHER.value, HoldReason.OTHER.label),
]


class HoldForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=MANUAL_REASONS)
    note = forms.CharField(label=_("Note"), max_length=250, required=False)
    ends_on = _date(_("Until (optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "hold-%s")  # ids of its own on a page of panels
        super().__init__(*args, **kwargs)
