"""Dunning settings and the late-penalty rate table (SPEC §4.4, §4.6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        verbose_name = _("dunning settings")
        verbose_name_plural = _("dunning settings")

    def __str__(self) -> str:
        return str(_("dunning settings"))

    @classmethod
    def current(cls) -> DunningSettings:
        settings, _created = cls.objects.get_or_create(pk=1)
        return settings


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
