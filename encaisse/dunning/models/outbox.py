"""The outbox: messages to deliver, and every attempt to deliver them (SPEC §4.3)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from encaisse.lib import clock

if TYPE_CHECKING:
    from encaisse.accounts.models import User


class MessageState(models.TextChoices):
    TO_REVIEW = "to_review", _("To review")
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    LETTER = "letter", _("Letter")
    FORMAL_NOTICE = "formal_notice", _("Formal notice")
    AGENCY_NOTICE = "agency_notice", _("Agency handover notice")
    REP_ALERT = "rep_alert", _("Alert to the account manager")


def _who() -> models.ForeignKey[User | None, User | None]:
    """A user the message names (sender, creator, reviewer): kept if the user goes."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )


class DunningMessage(models.Model):
    """One message to one customer (or rep), grouping the invoices of one action.

    `key` is the uniqueness key of the side effect: "<date>:<customer>:<channel>"
    for the daily run, "manual:<uuid>" for a manual reminder. `public_id` gives
    the email its stable Message-ID, so a resend after a crash is recognisable
    as the same message by the recipient's server.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(max_length=80, unique=True)
    # Foreign keys without an index of their own (db_index=False): the
    # composite `message_customer` serves the customer; the run and the users
    # are looked up only when one is deleted (never for a run; users are
    # deactivated), and each index cost every message the run inserts.
    customer = models.ForeignKey(
        "ledger.Customer",
        on_delete=models.CASCADE,
        related_name="dunning_messages",
        db_index=False,
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    step = models.ForeignKey(
        "dunning.DunningStep", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    step_name = models.CharField(_("step"), max_length=120)
    template_code = models.CharField(_("template"), max_length=40)
    language = models.CharField(_("language"), max_length=8)
    sender = models.CharField(_("sender"), max_length=16, default="company")
    sender_user = _who()
    registered_mail = models.BooleanField(default=False)
    state = models.CharField(_("state"), max_length=16, choices=MessageState.choices)
    decided_on = models.DateField(_("decided on"))
    run = models.ForeignKey(
        "dunning.DunningRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_by = _who()
    created_at = models.DateTimeField(default=clock.now)
    gap_overridden_by = _who()
    gap_override_reason = models.CharField(max_length=250, blank=True, default="")
    reviewed_by = _who()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Delivery bookkeeping.
    attempts = models.PositiveSmallIntegerField(default=0)
    # Attempts made before finance last retried a failed message: the attempt
    # limit counts from there (attempt numbers themselves keep increasing).
    attempts_before_retry = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    # What went out, kept as sent.
    recipients = models.JSONField(default=list, blank=True)
    from_email = models.CharField(max_length=250, blank=True, default="")
    subject = models.CharField(_("subject"), max_length=250, blank=True, default="")
    body = models.TextField(_("body"), blank=True, default="")
    pdf = models.FileField(_("PDF"), upload_to="dunning/%Y/%m/", blank=True, default="")
    total = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("dunning message")
        verbose_name_plural = _("dunning messages")
        ordering = ["-decided_on", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="message_deliverable",
                condition=Q(state__in=["pending", "sending"]),
            ),
            models.Index(fields=["customer", "-decided_on"], name="message_customer"),
            models.Index(fields=["decided_on", "state"], name="message_day"),
            # The review queue and the failures list: few rows among millions.
            models.Index(
                fields=["state", "decided_on"],
                name="message_needs_attention",
                condition=Q(state__in=["to_review", "failed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step_name} → {self.customer_id} ({self.state})"

    @property
    def message_id_header(self) -> str:
        domain = getattr(settings, "ENCAISSE_MESSAGE_ID_DOMAIN", "encaisse.local")
        return f"<dunning-{self.public_id}@{domain}>"


class AttemptOutcome(models.TextChoices):
    SENT = "sent", _("Sent")
    TRANSIENT = "transient", _("Temporary failure")
    PERMANENT = "permanent", _("Permanent failure")
    CANCELLED = "cancelled", _("Cancelled (nothing left to chase)")


class DeliveryAttempt(models.Model):
    """One try at delivering a message. Never updated: a new try is a new row."""

    message = models.ForeignKey(DunningMessage, on_delete=models.CASCADE, related_name="deliveries")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField(default=clock.now)
    outcome = models.CharField(max_length=16, choices=AttemptOutcome.choices)
    error = models.TextField(blank=True, default="")
    worker = models.CharField(max_length=120, blank=True, default="")

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["message", "number"]
        constraints = [
            models.UniqueConstraint(fields=["message", "number"], name="attempt_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.message_id}#{self.number}: {self.outcome}"
