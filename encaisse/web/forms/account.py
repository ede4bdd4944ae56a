"""The form that issues a personal API token."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from encaisse.accounts.models import TokenScope

EXPIRY_CHOICES = [
    ("30", _("30 days")),
    ("90", _("90 days")),
    ("365", _("1 year")),
    ("", _("Never")),
]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “ERP sync”."),
    )
    scope = forms.ChoiceField(
        label=_("Access"), choices=TokenScope.choices, initial=TokenScope.READ
    )
    expires_days = forms.ChoiceField(
        label=_("Expires after"), choices=EXPIRY_CHOICES, initial="90", required=False
    )

    def expiry(self) -> int | None:
        value = self.cleaned_data.get("expires_days")
        return int(value) if value else None
