"""Daily runs and the per-invoice actions they decide (SPEC §4.2 "generate")."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from encaisse.ledger.models.fields import money_field
from encaisse.lib import clock


class DunningRun(models.Model):
    """One run of the engine for a date: unique per date, so a re-run is a no-op."""

    run_on = models.DateField(_("run date"), unique=True)
    started_at = models.DateTimeField(_("started"), default=clock.now)
    # The wall clock's start, beside `started_at` (the product's clock, which the
    # simulator moves): a ledger write is stamped on the wall clock, so "written
    # since the previous run" compares with the earlier of the two
    # (`ledger_read_at`), or a run simulated in the future would hide every
    # real change made after it.
    wall_started_at = models.DateTimeField(_("started (wall clock)"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    counts = models.JSONField(_("figures"), default=dict, blank=True)

    class Meta:
        verbose_name = _("dunning run")
        verbose_name_plural = _("dunning runs")
        ordering = ["-run_on"]

    def __str__(self) -> str:
        return self.run_on.isoformat()

    @classmethod
    def ledger_read_at(cls) -> dt.datetime | None:
        """When the latest run started reading the ledger, on the clock ledger
        writes are stamped with (the earlier of its two starts); None: no run yet."""
        latest = cls.objects.order_by("-run_on").values_list("started_at", "wall_started_at")
        starts = latest.first()
        return min(starts) if starts else None


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")  # in a message waiting for delivery
    TO_REVIEW = "to_review", _("To review")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")
    DROPPED = "dropped", _("Dropped at delivery")
    CANCELLED = "cancelled", _("Cancelled")


class DunningAction(models.Model):
    """What the engine decided for one invoice at one step.

    Unique per (invoice, step): a step happens at most once for an invoice,
    whatever the number of runs. Steps passed over by a catch-up are listed in
    `skipped` ([{"step": id, "name": …, "reason": code}]) on the action that
    was performed instead. Manual reminders have no step.
    """

    invoice = models.ForeignKey(
        "ledger.Invoice", on_delete=models.CASCADE, related_name="dunning_actions", db_index=False
    )
    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    step = models.ForeignKey(
        "dunning.DunningStep",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    step_name = models.CharField(_("step"), max_length=120)
    action = models.CharField(_("action"), max_length=24)
    run = models.ForeignKey(
        DunningRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    message = models.ForeignKey(
        "dunning.DunningMessage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
    )
    task = models.ForeignKey(
        "collab.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=ActionStatus.choices)
    status_reason = models.CharField(max_length=32, blank=True, default="")
    decided_on = models.DateField(_("decided on"))
    balance = money_field(_("open balance at decision"))
    skipped = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("dunning action")
        verbose_name_plural = _("dunning actions")
        ordering = ["-decided_on", "-id"]
        indexes = [
            models.Index(fields=["invoice", "decided_on"], name="action_invoice"),
            models.Index(fields=["customer", "decided_on"], name="action_customer"),
            models.Index(fields=["decided_on", "status"], name="action_day"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "step"],
                condition=Q(step__isnull=False),
                name="action_unique_invoice_step",
            )
        ]

    def __str__(self) -> str:
        return f"{self.step_name} / {self.invoice_id}"
