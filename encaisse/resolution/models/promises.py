"""Promises to pay (SPEC §6): an amount by a date, which pauses dunning until then."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from encaisse.ledger.models.fields import currency_field, money_field
from encaisse.lib import clock


class PromiseSource(models.TextChoices):
    """Who recorded the promise: finance, a rep after a call, or the customer (portal)."""

    FINANCE = "finance", _("Finance")
    SALES = "sales", _("Sales rep")
    PORTAL = "portal", _("Customer portal")


class PromiseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("promise status", "Open")
    KEPT = "kept", pgettext_lazy("promise status", "Kept")
    BROKEN = "broken", pgettext_lazy("promise status", "Broken")
    CANCELLED = "cancelled", pgettext_lazy("promise status", "Cancelled")


class Promise(models.Model):
    """A customer's promise to pay `amount` by `promised_on`.

    While open it holds the customer's dunning (its `hold`, until the promised
    date plus the grace days). It ends once: kept when the payments received
    from `made_on` through the end of the grace cover the amount, broken when
    the grace passed without them, or cancelled by finance. One open promise
    per customer at a time (unique constraint).
    """

    customer = models.ForeignKey(
        "ledger.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="promises",
    )
    invoices = models.ManyToManyField(
        "ledger.Invoice", verbose_name=_("invoices"), blank=True, related_name="promises"
    )
    amount = money_field(_("amount"))
    currency = currency_field()
    promised_on = models.DateField(_("promised date"))
    # Payments dated from `made_on` through `grace_until` (the promised date
    # plus the grace days when it was made) count toward the promise.
    made_on = models.DateField(_("made on"))
    grace_until = models.DateField(_("grace until"))
    source = models.CharField(
        _("source"), max_length=16, choices=PromiseSource.choices, default=PromiseSource.FINANCE
    )
    note = models.CharField(_("note"), max_length=250, blank=True, default="")
    status = models.CharField(
        _("status"), max_length=16, choices=PromiseStatus.choices, default=PromiseStatus.OPEN
    )
    # What had been paid when the promise was settled (kept or broken).
    paid_amount = money_field(_("paid"))
    settled_on = models.DateField(_("settled on"), null=True, blank=True)
    hold = models.ForeignKey(
        "dunning.Hold",
        verbose_name=_("hold"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=clock.now)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        verbose_name = _("promise to pay")
        verbose_name_plural = _("promises to pay")
        ordering = ["promised_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(status="open"),
                name="promise_one_open_per_customer",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="promise_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["status", "promised_on"], name="promise_status_date"),
            models.Index(fields=["updated_at", "id"], name="promise_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} @ {self.promised_on}"
