"""The append-only activity timeline (SPEC §2 "Activity")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Activity(models.Model):
    """Something that happened: who did what, when, to which customer or invoice.

    `verb` is a dotted type (`ledger.payment.recorded`); `payload` carries the
    figures needed to explain it later. Rows are never updated or deleted.
    """

    verb = models.CharField(_("type"), max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    invoice = models.ForeignKey(
        "ledger.Invoice", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    payload = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="activity_customer"),
            models.Index(fields=["invoice", "-created_at"], name="activity_invoice"),
        ]

    def __str__(self) -> str:
        return self.verb
