"""Dispute forms: open, assign, resolve, reject, attach, filter, and the reasons."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from encaisse.accounts.models import User
from encaisse.ledger.models import CreditNote, Invoice
from encaisse.lib.money import format_money
from encaisse.resolution.models import DisputeReason, DisputeResolution, DisputeStatus
from encaisse.resolution.services.dispute_files import ALLOWED

ACCEPT = ",".join(f".{extension}" for extension in ALLOWED)
FINANCE_QUEUE = ""


def _money(value: Decimal, currency: str) -> str:
    return format_money(value, currency, get_language() or "fr")


class InvoiceChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        invoice: Invoice = obj
        return str(
            _("%(number)s, due on %(due)s, %(balance)s open")
            % {
                "number": invoice.number,
                "due": formats.date_format(invoice.due_date, "SHORT_DATE_FORMAT"),
                "balance": _money(invoice.balance, invoice.currency),
            }
        )


class ReasonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.label)


def owner_choices(people: list[User]) -> list[tuple[str, str]]:
    choices = [(FINANCE_QUEUE, str(_("Finance (the shared queue)")))]
    return choices + [(str(p.pk), p.get_full_name() or p.username) for p in people]


class DisputeOpenForm(forms.Form):
    """Invoices (each with an optional disputed part), reason, description, owner, a file."""

    invoices = InvoiceChoices(
        label=_("Disputed invoices"),
        queryset=Invoice.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one invoice.")},
    )
    reason = ReasonChoice(
        label=_("Reason"), queryset=DisputeReason.objects.none(), empty_label=None
    )
    description = forms.CharField(
        label=_("What the customer says"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(
        self,
        *args: Any,
        invoices: QuerySet[Invoice],
        reasons: QuerySet[DisputeReason],
        people: list[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["invoices"].queryset = invoices  # type: ignore[attr-defined]
        self.fields["reason"].queryset = reasons  # type: ignore[attr-defined]
        self.fields["attachment"].help_text = attachment_help()
        self.fields["owner"].choices = owner_choices(people)  # type: ignore[attr-defined]
        self.invoice_rows = list(invoices)
        for invoice in self.invoice_rows:
            self.fields[f"amount_{invoice.pk}"] = forms.DecimalField(
                label=_("Disputed amount of %(number)s") % {"number": invoice.number},
                required=False,
                min_value=Decimal("0.01"),
                max_digits=18,
                decimal_places=2,
                localize=True,
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "decimal",
                        "class": "amount-input",
                        "placeholder": formats.number_format(invoice.balance, 2, use_l10n=True),
                    }
                ),
            )

    def rows(self) -> list[tuple[Any, Any]]:
        """Each invoice checkbox with its amount field, for the template."""
        amounts = {invoice.pk: self[f"amount_{invoice.pk}"] for invoice in self.invoice_rows}
        return [(choice, amounts[int(str(choice.data["value"]))]) for choice in self["invoices"]]


class AssignForm(forms.Form):
    owner = forms.ChoiceField(label=_("Owner"), required=False)

    def __init__(self, *args: Any, people: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owner_choices(people)  # type: ignore[attr-defined]


class CreditNoteChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        note: CreditNote = obj
        return f"{note.number} · {_money(note.amount, note.currency)}"


class InvoiceChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        invoice: Invoice = obj
        return f"{invoice.number} · {_money(invoice.amount, invoice.currency)}"


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("Resolution"),
        choices=[
            (DisputeResolution.CREDIT_NOTE, DisputeResolution.CREDIT_NOTE.label),
            (DisputeResolution.CORRECTED_INVOICE, DisputeResolution.CORRECTED_INVOICE.label),
        ],
        widget=forms.RadioSelect,
    )
    credit_note = CreditNoteChoice(
        label=_("Credit note"), queryset=CreditNote.objects.none(), required=False
    )
    corrected_invoice = InvoiceChoice(
        label=_("Corrected invoice"), queryset=Invoice.objects.none(), required=False
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000, required=False
    )

    def __init__(
        self,
        *args: Any,
        credit_notes: QuerySet[CreditNote],
        invoices: QuerySet[Invoice],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["credit_note"].queryset = credit_notes  # type: ignore[attr-defined]
        self.fields["corrected_invoice"].queryset = invoices  # type: ignore[attr-defined]


class RejectForm(forms.Form):
    explanation = forms.CharField(
        label=_("Why the invoices stand"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        error_messages={"required": _("Explain why the dispute is rejected.")},
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Add an attachment"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={"required": _("Choose a file.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = attachment_help()


def attachment_help() -> str:
    return str(
        _("PDF, image or office document, up to %(mb)d MB.")
        % {"mb": settings.ENCAISSE_DISPUTE_ATTACHMENT_MAX_MB}
    )


class ReasonForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=32, required=False)
    label_fr = forms.CharField(label=_("Label (French)"), max_length=120)
    label_en = forms.CharField(label=_("Label (English)"), max_length=120, required=False)
    sla_days = forms.IntegerField(label=_("SLA (days)"), min_value=1, max_value=365)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


STATUS_FILTERS = [
    ("open", _("Open or in progress")),
    ("", _("All")),
    *DisputeStatus.choices,
]


class DisputeFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_FILTERS, required=False)
    reason = forms.ChoiceField(label=_("Reason"), required=False)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    overdue = forms.BooleanField(label=_("SLA overdue only"), required=False)

    def __init__(self, *args: Any, reasons: list[DisputeReason], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reason_field: Any = self.fields["reason"]
        reason_field.choices = [("", _("Any"))] + [(str(r.pk), r.label) for r in reasons]
        owner_field: Any = self.fields["owner"]
        owner_field.choices = [
            ("", _("Anyone")),
            ("finance", _("Finance queue")),
            ("me", _("Mine")),
        ]

    def value(self, name: str) -> Any:
        if not self.is_valid():
            return self.fields[name].initial
        return self.cleaned_data.get(name)
