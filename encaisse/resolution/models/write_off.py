"""Writing off a balance that will not be collected (passage en perte, SPEC §6)."""

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


class WriteOffReason(models.TextChoices):
    INSOLVENCY = "insolvency", _("Insolvency")
    TOO_SMALL = "too_small", _("Too small to chase")
    COMMERCIAL_GESTURE = "commercial_gesture", _("Commercial gesture")
    PRESCRIPTION = "prescription", _("Prescription (time-barred)")


class WriteOffStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    REVERSED = "reversed", _("Reversed")


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


class WriteOff(models.Model):
    """A request to stop claiming the remaining balance of some invoices, and its decision.

    Its lines never change once requested. On approval the invoices take the
    `written_off` status: their balance (amount − Σ allocations) stays as it
    is, and it is that status that leaves them out of every open balance and
    of dunning (docs/write-offs.md explains why no allocation is written).
    A reversal puts them back as they were; the request keeps its history.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        "ledger.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="write_offs",
    )
    reason = models.CharField(_("reason"), max_length=24, choices=WriteOffReason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True, default="")
    currency = currency_field()
    total = money_field(_("amount written off"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=WriteOffStatus.choices,
        default=WriteOffStatus.REQUESTED,
    )
    requested_by = _who(_("requested by"))
    decided_by = _who(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True, default="")
    reversed_by = _who(_("reversed by"))
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)
    reversal_reason = models.CharField(_("why reversed"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(_("requested at"), default=clock.now)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        verbose_name = _("write-off")
        verbose_name_plural = _("write-offs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["updated_at", "id"], name="write_off_updated"),
            models.Index(fields=["status", "created_at"], name="write_off_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="write_off_total_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.total} ({self.customer_id})"


class WriteOffLine(models.Model):
    """One invoice of a write-off and the balance written off (its whole balance)."""

    write_off = models.ForeignKey(WriteOff, on_delete=models.CASCADE, related_name="lines")
    invoice = models.ForeignKey(
        "ledger.Invoice", on_delete=models.PROTECT, related_name="write_off_lines"
    )
    amount = money_field(_("amount"))

    class Meta:
        verbose_name = _("written-off invoice")
        verbose_name_plural = _("written-off invoices")
        ordering = ["write_off", "invoice_id"]
        constraints = [
            models.UniqueConstraint(fields=["write_off", "invoice"], name="write_off_line_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="write_off_line_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.amount}"


class WriteOffSettings(models.Model):
    """The company's write-off rule: above `approval_threshold` only an admin approves."""

    approval_threshold = models.DecimalField(
        _("approval threshold"),
        max_digits=18,
        decimal_places=2,
        default=Decimal("1000.00"),
        help_text=_("Write-offs above this amount need an administrator's approval."),
    )
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        verbose_name = _("write-off settings")
        verbose_name_plural = _("write-off settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(approval_threshold__gte=0), name="write_off_threshold_not_negative"
            )
        ]

    def __str__(self) -> str:
        return str(_("write-off settings"))

    @classmethod
    def current(cls) -> WriteOffSettings:
        current, _created = cls.objects.get_or_create(pk=1)
        return current
