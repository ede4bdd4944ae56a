"""Holds: the generic block on dunning that disputes, promises and plans use (SPEC §4.2)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from encaisse.lib import clock


class HoldReason(models.TextChoices):
    DISPUTE = "dispute", _("Dispute")
    PROMISE = "promise", _("Promise to pay")
    INSTALMENT_PLAN = "instalment_plan", _("Instalment plan")
    CUSTOMER_HOLD = "customer_hold", _("Customer on hold")
    AGENCY = "agency", _("Handed over to an agency")
    INSOLVENCY = "insolvency", _("Insolvency proceedings")
    OTHER = "other", _("Other")


class Hold(models.Model):
    """A block on the dunning of one invoice (`invoice` set: a dispute), or of all
    a customer's invoices.

    Active from `starts_on` through `ends_on` (inclusive; open-ended when
    empty) unless released. A promise's `ends_on` is the promised date plus
    the grace days.
    """

    customer = models.ForeignKey(
        "ledger.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="holds",
    )
    invoice = models.ForeignKey(
        "ledger.Invoice",
        verbose_name=_("invoice"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="holds",
    )
    reason = models.CharField(_("reason"), max_length=16, choices=HoldReason.choices)
    note = models.CharField(_("note"), max_length=250, blank=True, default="")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=clock.now)
    released_on = models.DateField(_("released on"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set by the hold services when they change the row (its release).
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        ordering = ["-starts_on", "-id"]
        indexes = [
            models.Index(
                fields=["customer"], name="hold_unreleased", condition=Q(released_on__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.customer_id})"

    def is_active(self, on: dt.date) -> bool:
        if self.released_on is not None and self.released_on <= on:
            return False
        return self.starts_on <= on and (self.ends_on is None or on <= self.ends_on)
