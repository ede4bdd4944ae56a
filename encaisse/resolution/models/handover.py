"""Handing a customer's debt to a collection agency or to litigation (SPEC §6)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from encaisse.ledger.models.fields import currency_field, money_field
from encaisse.lib import clock
from encaisse.lib.money import round_money


class CollectionAgency(models.Model):
    """A collection agency (or law firm) finance hands files to, with its usual fees.

    An editable list: an agency that handled files is deactivated, never deleted.
    """

    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("email"), blank=True, default="")
    phone = models.CharField(_("phone"), max_length=40, blank=True, default="")
    address = models.TextField(_("address"), blank=True, default="")
    fee_percent = models.DecimalField(
        _("fee (percent of the amount recovered)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    fixed_fee = models.DecimalField(
        _("fixed fee"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=clock.now)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        verbose_name = _("collection agency")
        verbose_name_plural = _("collection agencies")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fee_percent__isnull=True)
                | (Q(fee_percent__gte=0) & Q(fee_percent__lte=100)),
                name="agency_fee_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(fixed_fee__isnull=True) | Q(fixed_fee__gte=0),
                name="agency_fixed_fee_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class HandoverKind(models.TextChoices):
    AGENCY = "agency", _("Collection agency")
    LITIGATION = "litigation", _("Litigation (lawyer)")


class HandoverStatus(models.TextChoices):
    ACTIVE = "active", _("Handed over")
    RECALLED = "recalled", _("Recalled")
    CLOSED = "closed", _("Closed")


def _who(name: Any) -> models.ForeignKey[Any, Any]:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=name,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )


class Handover(models.Model):
    """A customer's whole account, or some of its invoices, handed to an agency or
    to litigation: internal dunning stops (through `hold`, or the invoices' own
    holds) until the handover is recalled or closed.

    The fee terms are copied from the agency when it is chosen, so that changing
    an agency's usual terms never changes what a past handover costs.
    One active handover per customer at a time.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        "ledger.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="handovers",
    )
    kind = models.CharField(
        _("handed to"), max_length=16, choices=HandoverKind.choices, default=HandoverKind.AGENCY
    )
    agency = models.ForeignKey(
        CollectionAgency,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handovers",
    )
    whole_account = models.BooleanField(_("whole account"), default=False)
    handed_on = models.DateField(_("handed over on"))
    currency = currency_field()
    fee_percent = models.DecimalField(
        _("fee (percent of the amount recovered)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
    )
    fixed_fee = money_field(_("fixed fee"))
    note = models.CharField(_("note"), max_length=500, blank=True, default="")
    status = models.CharField(
        _("status"), max_length=16, choices=HandoverStatus.choices, default=HandoverStatus.ACTIVE
    )
    # The customer-wide hold (whole account); per-invoice holds are on HandoverInvoice.
    hold = models.ForeignKey(
        "dunning.Hold", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handed_by = _who(_("handed over by"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    ended_by = _who(_("ended by"))
    end_note = models.CharField(_("comment"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(_("created"), default=clock.now)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-handed_on", "-id"]
        indexes = [models.Index(fields=["updated_at", "id"], name="handover_updated")]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(status="active"),
                name="handover_one_active_per_customer",
            ),
            models.CheckConstraint(
                condition=Q(kind="litigation") | Q(agency__isnull=False),
                name="handover_agency_named",
            ),
            models.CheckConstraint(
                condition=Q(fee_percent__gte=0) & Q(fee_percent__lte=100) & Q(fixed_fee__gte=0),
                name="handover_fee_terms_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} → {self.agency or self.get_kind_display()}"

    @property
    def handed_to(self) -> str:
        return str(self.agency) if self.agency is not None else str(self.get_kind_display())

    def fees_on(self, recovered: Decimal) -> Decimal:
        """The agency's fee: its share of what was recovered plus the fixed fee."""
        return round_money(recovered * self.fee_percent / 100) + self.fixed_fee


class HandoverInvoice(models.Model):
    """One invoice of a handover, with its balance on the day it was handed over."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="lines")
    invoice = models.ForeignKey(
        "ledger.Invoice", on_delete=models.PROTECT, related_name="handover_lines"
    )
    balance_handed = money_field(_("balance handed over"))
    # Set when only some invoices are handed over: each is held on its own.
    hold = models.ForeignKey(
        "dunning.Hold", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("handed-over invoice")
        verbose_name_plural = _("handed-over invoices")
        ordering = ["invoice__due_date", "invoice_id"]
        constraints = [
            models.UniqueConstraint(fields=["handover", "invoice"], name="handover_invoice_once")
        ]

    def __str__(self) -> str:
        return f"{self.handover_id}: {self.invoice_id}"
