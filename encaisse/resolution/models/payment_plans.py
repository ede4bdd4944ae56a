"""Instalment plans (échéanciers): a customer pays some invoices over a schedule (SPEC §6)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from encaisse.lib import clock

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

    from encaisse.accounts.models import User
    from encaisse.ledger.models import Invoice


class PlanStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACTIVE = "active", _("In progress")
    COMPLETED = "completed", _("Completed")
    DEFAULTED = "defaulted", _("In default")
    CANCELLED = "cancelled", _("Cancelled")
    REFUSED = "refused", _("Refused")


# A plan in these states holds its invoices: no second plan may cover them.
LIVE_STATUSES = (PlanStatus.PROPOSED, PlanStatus.ACTIVE)


class PlanFrequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    BIWEEKLY = "biweekly", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class PlanSource(models.TextChoices):
    FINANCE = "finance", _("Finance")
    SALES = "sales", _("Account manager")
    PORTAL = "portal", _("Customer portal")


def _user(verbose_name: StrOrPromise) -> models.ForeignKey[User | None, User | None]:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )


class PaymentPlan(models.Model):
    """An agreement that a customer pays some invoices in instalments.

    Proposed by finance, an account manager or the customer (portal); finance
    activates it. While active, a hold (reason instalment_plan) on each
    covered invoice keeps the dunning plan from chasing them; the schedule is
    followed instead. A missed instalment (after the grace days) defaults the
    plan and releases the holds: dunning resumes on what is left.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        "ledger.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="payment_plans",
    )
    invoices: models.ManyToManyField[Invoice, PlanInvoice] = models.ManyToManyField(
        "ledger.Invoice", through="PlanInvoice", related_name="payment_plans"
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    total = models.DecimalField(_("total"), max_digits=18, decimal_places=2)
    deposit = models.DecimalField(_("deposit"), max_digits=18, decimal_places=2, default=0)
    deposit_due_on = models.DateField(_("deposit due on"), null=True, blank=True)
    instalment_count = models.PositiveSmallIntegerField(_("number of instalments"))
    frequency = models.CharField(_("frequency"), max_length=16, choices=PlanFrequency.choices)
    first_due_on = models.DateField(_("first instalment on"))
    waive_penalties = models.BooleanField(_("late penalties waived"), default=False)
    grace_days = models.PositiveSmallIntegerField(_("grace days"), default=3)
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.PROPOSED
    )
    source = models.CharField(_("source"), max_length=16, choices=PlanSource.choices)
    note = models.TextField(_("note"), blank=True, default="")
    proposed_by = _user(_("proposed by"))
    approved_by = _user(_("decided by"))
    decision_comment = models.TextField(_("decision comment"), blank=True, default="")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=clock.now)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        verbose_name = _("instalment plan")
        verbose_name_plural = _("instalment plans")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "customer"], name="plan_status_customer"),
            models.Index(fields=["updated_at", "id"], name="plan_updated"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="plan_total_positive"),
            models.CheckConstraint(
                condition=Q(deposit__gte=0) & Q(deposit__lt=models.F("total")),
                name="plan_deposit_below_total",
            ),
            models.CheckConstraint(condition=Q(instalment_count__gt=0), name="plan_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{_('Instalment plan')} {str(self.public_id)[:8]}"

    @property
    def short_id(self) -> str:
        return str(self.public_id)[:8]

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def next_instalment(self) -> Instalment | None:
        """The first instalment not fully paid (reads the prefetched instalments)."""
        return next((i for i in self.instalments.all() if i.paid_amount < i.amount), None)


class PlanInvoice(models.Model):
    """An invoice a plan covers, its balance when the plan started, and the hold
    the plan placed on it while active.

    `live` is true while the plan is proposed or active: a partial unique
    constraint lets only one live plan cover an invoice, whatever the races.
    """

    plan = models.ForeignKey(PaymentPlan, on_delete=models.CASCADE, related_name="covered")
    invoice = models.ForeignKey(
        "ledger.Invoice", on_delete=models.CASCADE, related_name="plan_links"
    )
    balance_at_start = models.DecimalField(max_digits=18, decimal_places=2)
    hold = models.ForeignKey(
        "dunning.Hold", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    live = models.BooleanField(default=True)

    class Meta:
        ordering = ["plan", "invoice__due_date", "invoice_id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "invoice"], name="plan_invoice_once"),
            models.UniqueConstraint(
                fields=["invoice"], condition=Q(live=True), name="plan_invoice_one_live_plan"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} → {self.invoice_id}"


class InstalmentStatus(models.TextChoices):
    PENDING = "pending", _("To pay")
    PAID = "paid", _("Paid")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    MISSED = "missed", _("Missed")


class Instalment(models.Model):
    """One payment of a plan: its date, its amount and what was paid of it.

    Sequence 0 is the deposit, when there is one. Paid amounts are recomputed
    from the plan's invoices (oldest instalment first), never typed.
    """

    plan = models.ForeignKey(PaymentPlan, on_delete=models.CASCADE, related_name="instalments")
    sequence = models.PositiveSmallIntegerField(_("number"))
    is_deposit = models.BooleanField(_("deposit"), default=False)
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    paid_amount = models.DecimalField(_("paid"), max_digits=18, decimal_places=2, default=0)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=InstalmentStatus.choices,
        default=InstalmentStatus.PENDING,
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["plan", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "sequence"], name="instalment_sequence"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="instalment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}#{self.sequence}"

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.paid_amount
