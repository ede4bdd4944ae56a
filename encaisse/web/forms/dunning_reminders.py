"""The "send a reminder now" form and the preview date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import formats
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from encaisse.dunning.models import MessageTemplate, TemplateCode
from encaisse.dunning.services.preview import PREVIEW_HORIZON_DAYS, preview_date_error
from encaisse.ledger.models import Invoice
from encaisse.lib.money import format_money

NOT_EMAIL_CODES = (
    TemplateCode.LETTER,
    TemplateCode.FORMAL_NOTICE,
    TemplateCode.AGENCY_NOTICE,
    TemplateCode.REP_ALERT,
)

# How far ahead the preview replays (each day is a run in memory).


class OpenInvoiceChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        invoice: Invoice = obj
        return _("%(number)s, due on %(due)s, %(balance)s open") % {
            "number": invoice.number,
            "due": formats.date_format(invoice.due_date, "SHORT_DATE_FORMAT"),
            "balance": format_money(invoice.balance, invoice.currency, get_language() or "fr"),
        }


class ReminderForm(forms.Form):
    invoices = OpenInvoiceChoices(
        label=gettext_lazy("Invoices to remind"),
        queryset=Invoice.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one open invoice.")},
    )
    template_code = forms.ChoiceField(label=gettext_lazy("Template"))
    override_reason = forms.CharField(
        label=gettext_lazy("Reason for contacting the customer again so soon"),
        max_length=250,
        required=False,
        widget=forms.TextInput(),
    )

    def __init__(self, *args: Any, open_invoices: QuerySet[Invoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["invoices"].queryset = open_invoices  # type: ignore[attr-defined]
        labels = dict(TemplateCode.choices)
        # A manual reminder is an email: the templates of documents and internal
        # alerts (letters, formal notices, agency notices, rep alerts) do not fit it.
        codes = (
            MessageTemplate.objects.exclude(code__in=NOT_EMAIL_CODES)
            .order_by("code")
            .values_list("code", flat=True)
            .distinct()
        )
        self.fields["template_code"].choices = [  # type: ignore[attr-defined]
            (code, str(labels.get(code, code))) for code in codes
        ]
        self.fields["template_code"].initial = TemplateCode.MANUAL


class PreviewDateForm(forms.Form):
    on = forms.DateField(
        label=gettext_lazy("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["on"].widget.attrs.update(
            {
                "min": today.isoformat(),
                "max": (today + dt.timedelta(days=PREVIEW_HORIZON_DAYS)).isoformat(),
            }
        )

    def clean_on(self) -> dt.date:
        on: dt.date = self.cleaned_data["on"]
        error = preview_date_error(on, self.today)
        if error:
            raise forms.ValidationError(error)
        return on
