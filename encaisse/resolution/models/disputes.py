"""Disputes (litiges): a customer contests one or several invoices, or part of one."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from encaisse.ledger.models.fields import currency_field, money_field
from encaisse.lib import clock

__all__ = [
    "OPEN_DISPUTE_STATUSES",
    "Dispute",
    "DisputeAttachment",
    "DisputeLine",
    "DisputeReason",
    "DisputeResolution",
    "DisputeSource",
    "DisputeStatus",
]


class DisputeReason(models.Model):
    """Why customers dispute (an editable list; the root-cause page counts by it).

    `sla_days` is how long a dispute of this reason may stay open before it is
    flagged overdue; a dispute takes its deadline when it is opened.
    """

    code = models.SlugField(_("code"), max_length=32, unique=True)
    label_fr = models.CharField(_("label (French)"), max_length=120)
    label_en = models.CharField(_("label (English)"), max_length=120, blank=True, default="")
    sla_days = models.PositiveSmallIntegerField(_("SLA (days)"), default=30)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created"), default=clock.now)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        verbose_name = _("dispute reason")
        verbose_name_plural = _("dispute reasons")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The label in the active language (French when no English one was given)."""
        language = get_language() or "fr"
        if language.startswith("en") and self.label_en:
            return self.label_en
        return self.label_fr


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    REJECTED = "rejected", _("Rejected")


OPEN_DISPUTE_STATUSES = (DisputeStatus.OPEN, DisputeStatus.IN_PROGRESS)


class DisputeResolution(models.TextChoices):
    CREDIT_NOTE = "credit_note", _("Credit note issued")
    CORRECTED_INVOICE = "corrected_invoice", _("Corrected invoice")
    REJECTED = "rejected", _("Rejected with an explanation")


class DisputeSource(models.TextChoices):
    FINANCE = "finance", _("Finance")
    SALES = "sales", _("Sales")
    PORTAL = "portal", _("Customer portal")


class Dispute(models.Model):
    """A customer contests invoices (lines): their dunning stops until it is closed.

    `owner` null means the finance queue. The holds that block the disputed
    invoices are on the lines; closing (resolved or rejected) releases them.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        "ledger.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="disputes",
    )
    reason = models.ForeignKey(
        DisputeReason, verbose_name=_("reason"), on_delete=models.PROTECT, related_name="disputes"
    )
    description = models.TextField(_("description"), blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_disputes",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    resolution = models.CharField(
        _("resolution"), max_length=20, choices=DisputeResolution.choices, blank=True, default=""
    )
    credit_note = models.ForeignKey(
        "ledger.CreditNote",
        verbose_name=_("credit note"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disputes",
    )
    corrected_invoice = models.ForeignKey(
        "ledger.Invoice",
        verbose_name=_("corrected invoice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correcting_disputes",
    )
    resolution_note = models.TextField(_("resolution note"), blank=True, default="")
    source = models.CharField(
        _("source"), max_length=16, choices=DisputeSource.choices, default=DisputeSource.FINANCE
    )
    currency = currency_field()
    amount = money_field(_("disputed amount"))
    opened_at = models.DateTimeField(_("opened"), default=clock.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sla_due_on = models.DateField(_("SLA deadline"))
    resolved_at = models.DateTimeField(_("closed"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=clock.now)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["status", "sla_due_on"], name="dispute_status_sla"),
            models.Index(fields=["updated_at", "id"], name="dispute_updated"),
            models.Index(fields=["opened_at"], name="dispute_opened"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="dispute_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reason_id} · {self.customer_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_DISPUTE_STATUSES

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.sla_due_on < today


class DisputeLine(models.Model):
    """One disputed invoice, with the disputed part of it and the hold it placed.

    `is_open` mirrors the dispute's status so that the database itself refuses
    a second open dispute on an invoice (a partial unique index).
    """

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="lines")
    invoice = models.ForeignKey(
        "ledger.Invoice",
        verbose_name=_("invoice"),
        on_delete=models.PROTECT,
        related_name="dispute_lines",
    )
    amount = money_field(_("disputed amount"))
    is_open = models.BooleanField(default=True)
    hold = models.ForeignKey(
        "dunning.Hold", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("disputed invoice")
        verbose_name_plural = _("disputed invoices")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice"], condition=Q(is_open=True), name="dispute_line_one_open"
            ),
            models.UniqueConstraint(fields=["dispute", "invoice"], name="dispute_line_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="dispute_line_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id}: {self.invoice_id}"


def attachment_path(attachment: DisputeAttachment, filename: str) -> str:
    """A random name under MEDIA_ROOT/disputes/: never the uploader's file name."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"disputes/{clock.today():%Y/%m}/{uuid.uuid4().hex}.{suffix[:8]}"


class DisputeAttachment(models.Model):
    """A document about a dispute (delivery note, photo, corrected PO…).

    Served only through the scoped download view, never from a public URL.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), default=clock.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name
