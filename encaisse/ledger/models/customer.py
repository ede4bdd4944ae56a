"""Customers (and prospects) and the people we contact there."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from encaisse.ledger.models.fields import FoldedKeyField, currency_field, money_field


class CustomerStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    ON_HOLD = "on_hold", _("On hold")
    AGENCY = "agency", _("With collection agency")
    INSOLVENCY = "insolvency", _("Insolvency proceedings")
    CLOSED = "closed", _("Closed")


class Customer(models.Model):
    """A company that owes us money (or may, for a prospect).

    `open_balance` is the sum of its invoices' open balances, maintained by the
    ledger services in the same transaction as every change, so that lists can
    sort by it on a million-invoice ledger. `name_key` is the name folded for
    French order and accent-insensitive search (`lib.text.folded`).
    """

    external_key = models.CharField(_("external key"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    # Lists sort by it (French order) and search in it (accents and case ignored).
    name_key = FoldedKeyField(_("name, folded"), source="name")
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, default="", db_index=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, default="")
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True, default="")
    address = models.CharField(_("address"), max_length=250, blank=True, default="")
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True, default="")
    city = models.CharField(_("city"), max_length=120, blank=True, default="")
    country = models.CharField(_("country"), max_length=2, default="FR")
    language = models.CharField(_("language"), max_length=8, default="fr")
    currency = currency_field()
    terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), null=True, blank=True)
    terms_end_of_month = models.BooleanField(_("end of month"), default=False)
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customers",
    )
    credit_limit = models.DecimalField(
        _("credit limit"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    risk_class = models.CharField(_("risk class"), max_length=1, blank=True, default="")
    external_rating = models.CharField(_("external rating"), max_length=20, blank=True, default="")
    insurance_cover = models.DecimalField(
        _("insurance cover"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    open_balance = money_field(_("open balance"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name_key", "id"]
        indexes = [
            models.Index(fields=["name_key", "id"], name="customer_name_key"),
            models.Index(fields=["account_manager", "name_key"], name="customer_manager_name_key"),
            models.Index(fields=["open_balance"], name="customer_open_balance"),
            # "Updated since", in (updated_at, id) cursor order: for finance, and for a
            # rep (whose portfolio is a filter on the account manager).
            models.Index(fields=["updated_at", "id"], name="customer_updated"),
            models.Index(
                fields=["account_manager", "updated_at", "id"], name="customer_manager_updated"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(open_balance__gte=0), name="customer_open_balance_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # `save(update_fields=["name"])` must refresh the key the name derives, and any
        # partial save the `updated_at` the API's "updated since" reads.
        fields = kwargs.get("update_fields")
        if fields is not None:
            derived = {"name_key"} if "name" in fields else set()
            kwargs["update_fields"] = [*fields, *sorted((derived | {"updated_at"}) - set(fields))]
        super().save(*args, **kwargs)


class ContactRole(models.TextChoices):
    BILLING = "billing", _("Billing")
    PURCHASING = "purchasing", _("Purchasing")
    MANAGEMENT = "management", _("Management")
    OTHER = "other", _("Other")


class Contact(models.Model):
    """A person at a customer; the preferred ones receive reminders."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(
        _("role"), max_length=16, choices=ContactRole.choices, default=ContactRole.BILLING
    )
    email = models.EmailField(_("email"), blank=True, default="")
    phone = models.CharField(_("phone"), max_length=40, blank=True, default="")
    preferred_for_reminders = models.BooleanField(_("receives reminders"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-preferred_for_reminders", "name"]
        indexes = [models.Index(fields=["updated_at", "id"], name="contact_updated")]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "email"],
                name="contact_unique_email",
                condition=~models.Q(email=""),
            ),
        ]

    def __str__(self) -> str:
        return self.name
