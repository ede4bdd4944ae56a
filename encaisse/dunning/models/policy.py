"""Dunning settings and the late-penalty rate table (SPEC §4.4, §4.6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BacklogMode(models.TextChoices):
    """How the engine treats invoices that fell due before the go-live date."""

    HOLD = "hold", _("Do not chase them automatically")
    UP_TO = "up_to", _("Chase them, but never beyond a chosen step")
    FULL = "full", _("Chase them as the plan says (catch-up)")


class DunningSettings(models.Model):
    """Company-wide dunning knobs (a singleton, pk=1)."""

    run_at = models.TimeField(_("daily run time"), default=dt.time(7, 0))
    freshness_max_hours = models.PositiveIntegerField(
        _("hold automatic sends when the ledger is older than (hours)"),
        default=72,
        help_text=_("0 disables the freshness guard"),
    )
    promise_grace_days = models.PositiveSmallIntegerField(
        _("grace days after a promised date"), default=3
    )
    notice_deadline_days = models.PositiveSmallIntegerField(
        _("formal notice deadline (days)"), default=8
    )
    contractual_penalty_rate = models.DecimalField(
        _("contractual late-penalty rate (%)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("Empty: the legal rate (ECB rate + 10 points) from the rate table"),
    )
    legal_interest_rate = models.DecimalField(
        _("legal interest rate (%)"),
        max_digits=6,
        decimal_places=3,
        default=Decimal("2.760"),
        help_text=_("A contractual rate may not be below three times this rate"),
    )
    recovery_indemnity = models.DecimalField(
        _("fixed recovery indemnity per invoice"),
        max_digits=18,
        decimal_places=2,
        default=Decimal("40.00"),
    )
    claim_penalties = models.BooleanField(
        _("claim late penalties and the indemnity in formal notices"), default=True
    )
    max_delivery_attempts = models.PositiveSmallIntegerField(
        _("delivery attempts before a message fails"), default=8
    )
    # Go-live (docs/dunning.md "Go-live and the first run"): books imported on
    # day one hold years of unpaid invoices; nothing goes out until finance has
    # seen what the first run would do and confirmed it.
    go_live_on = models.DateField(
        _("go-live date"),
        null=True,
        blank=True,
        help_text=_("Invoices due before this date are chased as the backlog policy says"),
    )
    backlog_mode = models.CharField(
        _("invoices due before go-live"),
        max_length=8,
        choices=BacklogMode.choices,
        default=BacklogMode.FULL,
    )
    backlog_ceiling_offset = models.SmallIntegerField(
        _("last step for invoices due before go-live (days after the due date)"),
        null=True,
        blank=True,
    )
    first_run_confirmed_at = models.DateTimeField(
        _("first run confirmed at"), null=True, blank=True
    )
    first_run_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first run confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("dunning settings")
        verbose_name_plural = _("dunning settings")

    def __str__(self) -> str:
        return str(_("dunning settings"))

    @classmethod
    def current(cls) -> DunningSettings:
        current, _created = cls.objects.get_or_create(pk=1)
        return current

    @property
    def first_run_confirmed(self) -> bool:
        return self.first_run_confirmed_at is not None


class LatePenaltyRate(models.Model):
    """The legal late-penalty rate for one semester (data, editable).

    Code de commerce L441-10: the ECB main refinancing rate in force on
    1 January applies to January–June, the one on 1 July to July–December,
    plus 10 points.
    """

    starts_on = models.DateField(_("semester starting"), unique=True)
    ecb_rate = models.DecimalField(
        _("ECB main refinancing rate (%)"), max_digits=6, decimal_places=3
    )
    penalty_rate = models.DecimalField(_("late-penalty rate (%)"), max_digits=6, decimal_places=3)

    class Meta:
        verbose_name = _("late-penalty rate")
        verbose_name_plural = _("late-penalty rates")
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return f"{self.starts_on}: {self.penalty_rate} %"
