"""Forms of the settings page. They only parse what the browser sent; the rules are
the settings services' (ledger.services.company, dunning.services.settings)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db import models
from django.utils.text import capfirst

from encaisse.dunning.models import DunningSettings
from encaisse.ledger.models import Company
from encaisse.resolution.models import PortalSettings


def _label(model: type[models.Model], name: str) -> dict[str, Any]:
    """The model field's own label and help (already translated): one wording."""
    field = model._meta.get_field(name)
    return {
        "label": capfirst(str(field.verbose_name)),  # type: ignore[union-attr]
        "help_text": getattr(field, "help_text", ""),
    }


def _text(name: str, **kwargs: Any) -> forms.CharField:
    return forms.CharField(required=False, strip=False, **_label(Company, name), **kwargs)


class IdentityForm(forms.Form):
    legal_name = _text("legal_name")
    siren = _text("siren")
    vat_number = _text("vat_number")
    address = _text("address", widget=forms.Textarea(attrs={"rows": 3}))
    iban = _text("iban")
    bic = _text("bic")
    email = _text("email")
    phone = _text("phone")
    currency = _text("currency")
    language = forms.ChoiceField(choices=settings.LANGUAGES, **_label(Company, "language"))


class TermsForm(forms.Form):
    default_terms_days = forms.IntegerField(**_label(Company, "default_terms_days"))
    default_terms_end_of_month = forms.BooleanField(
        required=False, **_label(Company, "default_terms_end_of_month")
    )


def _number(name: str) -> forms.IntegerField:
    return forms.IntegerField(**_label(DunningSettings, name))


def _decimal(name: str, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(required=required, **_label(DunningSettings, name))


class DunningSettingsForm(forms.Form):
    run_at = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        **_label(DunningSettings, "run_at"),
    )
    min_contact_gap_days = forms.IntegerField(**_label(Company, "min_contact_gap_days"))
    freshness_max_hours = _number("freshness_max_hours")
    promise_grace_days = _number("promise_grace_days")
    notice_deadline_days = _number("notice_deadline_days")
    max_delivery_attempts = _number("max_delivery_attempts")
    claim_penalties = forms.BooleanField(
        required=False, **_label(DunningSettings, "claim_penalties")
    )
    contractual_penalty_rate = _decimal("contractual_penalty_rate", required=False)
    legal_interest_rate = _decimal("legal_interest_rate")
    recovery_indemnity = _decimal("recovery_indemnity")


class PortalSettingsForm(forms.Form):
    link_days = forms.IntegerField(**_label(PortalSettings, "link_days"))
