"""Due-date extensions (SPEC §6): a request to move an invoice's due date, decided by finance."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from encaisse.lib import clock
from encaisse.resolution.models.promises import PromiseSource


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("request status", "Pending")
    APPROVED = "approved", pgettext_lazy("request status", "Approved")
    REFUSED = "refused", pgettext_lazy("request status", "Refused")


class Extension(models.Model):
    """A request to move one invoice's effective due date to `due_on`.

    Requested by a rep, the customer (portal) or finance; finance approves or
    refuses it with a comment. Approval moves the effective due date through
    `dunning.services.holds.extension_grant`. One pending request per invoice.
    """

    customer = models.ForeignKey(
        "ledger.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="extensions",
    )
    invoice = models.ForeignKey(
        "ledger.Invoice",
        verbose_name=_("invoice"),
        on_delete=models.CASCADE,
        related_name="extensions",
    )
    due_on = models.DateField(_("requested due date"))
    # The effective due date when the request was made.
    previous_due_on = models.DateField(_("due date before"))
    reason = models.CharField(_("reason"), max_length=500)
    source = models.CharField(
        _("source"), max_length=16, choices=PromiseSource.choices, default=PromiseSource.SALES
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(_("created"), default=clock.now)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        verbose_name = _("due-date extension")
        verbose_name_plural = _("due-date extensions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice"],
                condition=Q(status="pending"),
                name="extension_one_pending_per_invoice",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="extension_status"),
            models.Index(fields=["updated_at", "id"], name="extension_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} → {self.due_on}"

    @property
    def extra_days(self) -> int:
        """How many more days the request gives the customer."""
        return (self.due_on - self.previous_due_on).days
