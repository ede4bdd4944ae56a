"""The issuing company: one per deployment for now (SPEC §2)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from encaisse.ledger.models.fields import currency_field, money_field


class Company(models.Model):
    """Settings of the company whose receivables Encaisse collects (a singleton, pk=1)."""

    legal_name = models.CharField(_("legal name"), max_length=200, default="Ma Société")
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, default="")
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True, default="")
    address = models.TextField(_("address"), blank=True, default="")
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, default="")
    bic = models.CharField(_("BIC"), max_length=11, blank=True, default="")
    email = models.EmailField(_("reminder sender email"), blank=True, default="")
    phone = models.CharField(_("phone"), max_length=40, blank=True, default="")
    currency = currency_field()
    language = models.CharField(_("language"), max_length=8, default="fr")
    default_terms_days = models.PositiveSmallIntegerField(
        _("default payment terms (days)"), default=30
    )
    default_terms_end_of_month = models.BooleanField(_("end of month"), default=False)
    min_contact_gap_days = models.PositiveSmallIntegerField(
        _("minimum gap between two contacts (days)"), default=3
    )
    amount_tolerance = money_field(_("amount tolerance"), default=Decimal("0.00"))
    cash_auto_apply = models.BooleanField(
        _("apply unambiguous matches after each import"),
        default=False,
        help_text=_(
            "After a payments, credit notes or FEC import, the imported items whose match "
            "is unambiguous are applied to their invoices."
        ),
    )

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("company")

    def __str__(self) -> str:
        return self.legal_name

    @classmethod
    def current(cls) -> Company:
        company, _created = cls.objects.get_or_create(pk=1)
        return company
